"""Customer journey: the funnel from visit to repaid or defaulted, conversion by channel and
by month."""

from __future__ import annotations

from datetime import timedelta

import dash
import plotly.graph_objects as go
from dash import Input, Output, callback, dcc, html
from dash.development.base_component import Component

from analytics.credit_journey import conversion_by, funnel
from auth.access import EVERYONE, region_scope, requires
from auth.requests import now
from components.chart_card import chart_body, chart_card
from components.shell import ids as shell_ids
from components.theme import themed
from data import credit
from data.engine import connect

dash.register_page(
    __name__, path="/credit/journey", name="Journey", area="Credit", order=5, roles=EVERYONE
)
PERIODS = {365: "Last 12 months", 730: "Last 2 years"}


class ids:
    period = "journey-period"
    funnel = "journey-funnel"
    channels = "journey-channels"
    months = "journey-months"


def layout(**_kwargs: str) -> Component:
    return html.Div(
        [
            html.Div(
                dcc.Dropdown(
                    id=ids.period,
                    value=365,
                    clearable=False,
                    style={"width": "14rem"},
                    options=[{"label": v, "value": k} for k, v in PERIODS.items()],
                ),
                className="filter-bar",
            ),
            html.Div(
                [
                    chart_card(
                        body_id=ids.funnel,
                        title="Funnel",
                        subtitle="Visits to loans, and how the loans ended",
                    ),
                    chart_card(
                        body_id=ids.channels,
                        title="Conversion by channel",
                        subtitle="Approvals per application and loans taken per approval",
                    ),
                    chart_card(
                        body_id=ids.months,
                        title="Conversion by month",
                        subtitle="Approval rate and take-up of the applications made each month",
                    ),
                ],
                className="chart-grid",
            ),
        ]
    )


@callback(
    Output(ids.funnel, "children"),
    Output(ids.channels, "children"),
    Output(ids.months, "children"),
    Input(ids.period, "value"),
    Input(shell_ids.theme, "data"),
)
@requires(*EVERYONE)
def show(period, theme):  # type: ignore[no-untyped-def]
    days = period if period in PERIODS else 365
    with connect() as conn:
        steps = credit.journey_counts(
            conn=conn, region_ids=region_scope(), since=now() - timedelta(days=days)
        )
    empty = ("No journey steps in this period", "Steps appear as customers visit and apply.")
    if steps.empty:
        return tuple(chart_body(None, empty_title=empty[0], empty_hint=empty[1]) for _ in range(3))
    stages = funnel(steps)
    shown = stages[stages["stage"].isin(["visit", "application", "approval", "disbursement"])]
    figure = go.Figure(
        go.Funnel(
            y=[s.capitalize() for s in shown["stage"]],
            x=shown["events"],
            textinfo="value+percent previous",
        )
    )
    ended = stages.set_index("stage")
    figure.update_layout(
        title=f"Loans ended: {int(ended.loc['repaid', 'events']):,} repaid, "
        f"{int(ended.loc['defaulted', 'events']):,} defaulted"
    )
    by_channel = conversion_by(steps, "channel")
    channels = go.Figure()
    channels.add_bar(x=by_channel["channel"], y=by_channel["approval_rate"], name="Approval rate")
    channels.add_bar(x=by_channel["channel"], y=by_channel["take_up"], name="Take-up")
    by_month = conversion_by(steps, "month")
    months = go.Figure()
    months.add_scatter(x=by_month["month"], y=by_month["approval_rate"], name="Approval rate")
    months.add_scatter(x=by_month["month"], y=by_month["take_up"], name="Take-up")
    return (
        chart_body(themed(figure, theme), empty_title=empty[0], empty_hint=empty[1]),
        chart_body(
            themed(channels, theme).update_yaxes(tickformat=".0%"),
            empty_title=empty[0],
            empty_hint=empty[1],
        ),
        chart_body(
            themed(months, theme).update_yaxes(tickformat=".0%"),
            empty_title=empty[0],
            empty_hint=empty[1],
        ),
    )

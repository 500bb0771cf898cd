"""Customer journey: the funnel from visit to repaid or defaulted, conversion by channel and
by month."""

from __future__ import annotations

from typing import Any

import dash
import pandas as pd
from dash import Input, Output, callback, dcc, html
from dash.development.base_component import Component

from analytics.credit_journey import conversion_by, funnel, whole_months
from auth.access import EVERYONE, allowed, region_scope, requires
from auth.answers import cached_answer
from auth.requests import days_back, last_days
from components.chart_card import chart_bodies, chart_card
from components.figures import clicked
from components.filters import period_filter
from components.shell import ids as shell_ids
from components.theme import TITLED_TOP, Figure, themed, values
from components.view_tools import view_actions, view_location
from data import credit
from data.engine import connect
from sharing.embed import EMBED_ROLES
from sharing.views import Part, View, period_param, register
from sharing.views import State as ViewState
from vocabulary import CHANNEL_LABELS, CHANNELS

dash.register_page(
    __name__,
    refreshes=True,  # auto-refresh may redraw it (a dashboard, not a form)
    path="/credit/journey",
    name="Journey",
    area="Credit",
    order=5,
    roles=EVERYONE,
)
PERIODS = {365: "Last 12 months", 730: "Last 2 years"}
VIEW = "credit-journey"


class ids:
    period = "journey-period"
    funnel = "journey-funnel"
    channels = "journey-channels"
    months = "journey-months"
    channels_graph = "journey-channels-graph"
    go = "journey-go"


def layout(**query: str) -> Component:
    state = SPEC.state(query)
    return html.Div(
        [
            view_location(VIEW),
            dcc.Location(id=ids.go, refresh="callback-nav"),
            period_filter(ids.period, PERIODS, state["period"]),
            view_actions(VIEW, can_embed=allowed(EMBED_ROLES)),
            html.Div(
                [
                    chart_card(body_id=ids.funnel, **SPEC.card("funnel")),
                    chart_card(body_id=ids.channels, **SPEC.card("channels")),
                    chart_card(body_id=ids.months, **SPEC.card("months")),
                ],
                className="chart-grid",
            ),
        ]
    )


def journey_steps(state: ViewState) -> pd.DataFrame:
    with connect() as conn:
        return credit.journey_counts(
            conn=conn, region_ids=region_scope(), since=last_days(state["period"])
        )


def funnel_rows(state: ViewState) -> pd.DataFrame:
    """Behind the funnel: stage, events (visits to disbursement, then repaid and defaulted)."""
    steps = journey_steps(state)
    return funnel(steps) if len(steps) else pd.DataFrame(columns=["stage", "events"])


def channel_rows(state: ViewState) -> pd.DataFrame:
    steps = journey_steps(state)
    return conversion_by(steps, "channel") if len(steps) else pd.DataFrame()


def month_rows(state: ViewState) -> pd.DataFrame:
    """Behind "Conversion by month": the period's whole months only. The month in progress
    (six days of December read as a month: approvals 56%, take-up 92%) and the part-month
    the period starts in are left out; the funnel and the channels count every day."""
    steps = whole_months(
        journey_steps(state), first=last_days(state["period"]).date(), today=days_back(0).date()
    )
    return conversion_by(steps, "month") if len(steps) else pd.DataFrame()


def funnel_figure(stages: pd.DataFrame, theme: str | None) -> Figure | None:
    if stages.empty:
        return None
    shown = stages[stages["stage"].isin(["visit", "application", "approval", "disbursement"])]
    events = shown["events"].astype(int).to_numpy()
    previous = [None, *events[:-1]]
    # Drawn as horizontal bars, widest at the top: the browser's plotly.js bundle is the
    # cartesian one (bar, scatter, heatmap), a third of the full bundle's size.
    bar = {
        "type": "bar",
        "y": [s.capitalize() for s in shown["stage"]],
        "x": values(events),
        "orientation": "h",
        # Short, and with room beside a short bar (the axis runs a third past the widest):
        # "2,454 · 64% of pre" was cut off at a phone's edge. The tooltip says of what.
        "text": [
            f"{n:,} · {n / before:.0%}" if before else f"{n:,}"
            for n, before in zip(events, previous, strict=True)
        ],
        "textposition": "auto",
        "customdata": [
            _share(int(n), before, label)
            for n, before, label in zip(events, previous, ["", *shown["stage"][:-1]], strict=True)
        ],
        "hovertemplate": "%{y}: %{x:,}, %{customdata}<extra></extra>",
    }
    widest = max(int(events.max()) if len(events) else 0, 1)
    ended = stages.set_index("stage")["events"].astype(int).to_dict()
    title = f"Ended: {ended['repaid']:,} repaid, {ended['defaulted']:,} defaulted"
    layout: dict[str, Any] = {
        "yaxis": {"autorange": "reversed"},
        "xaxis": {"range": [0, widest * 1.35]},
        "title": {"text": title},
    }
    layout["margin"] = {"t": TITLED_TOP}
    return themed({"data": [bar], "layout": layout}, theme)


def _share(count: int, before: int | None, stage: str) -> str:
    """A funnel stage's count as a share of the stage before it, in words."""
    if before is None:
        return "every visit"
    if not before:
        return f"with no {stage.lower()}s before it"
    return f"{count / before:.0%} of the {stage.lower()}s before it"


def _rates(
    frame: pd.DataFrame, x: str, theme: str | None, bars: bool, keys: pd.Series | None = None
) -> Figure | None:
    """Approval rate and take-up per `x`; each bar carries its row's key (what a click opens)."""
    if frame.empty:
        return None
    traces = []
    for column, name in (
        ("approval_rate", "Approved per application"),
        ("take_up", "Paid out per approval"),
    ):
        trace = {
            "type": "bar" if bars else "scatter",
            "x": values(frame[x]),
            "y": values(frame[column]),
            "name": name,
        }
        if bars and keys is not None:
            trace["customdata"] = values(keys)
        traces.append(trace)
    return themed({"data": traces, "layout": {"yaxis": {"tickformat": ".0%"}}}, theme)


def channel_figure(frame: pd.DataFrame, theme: str | None) -> Figure | None:
    """Approval and take-up per channel, each channel named for people ("Partner school")."""
    if frame.empty:
        return None
    named = frame.assign(channel=frame["channel"].map(lambda c: CHANNEL_LABELS.get(c, c)))
    return _rates(named, "channel", theme, bars=True, keys=frame["channel"])


def month_figure(frame: pd.DataFrame, theme: str | None) -> Figure | None:
    return _rates(frame, "month", theme, bars=False)


@callback(
    Output(ids.funnel, "children"),
    Output(ids.channels, "children"),
    Output(ids.months, "children"),
    Input(ids.period, "value"),
    Input(shell_ids.theme, "data"),
)
@requires(*EVERYONE)
@cached_answer("credit")
def show(period: Any, theme: str | None) -> Any:
    state = SPEC.state({"period": period})
    return chart_bodies(
        SPEC.part_names(),
        SPEC.figures(state, theme),
        empty=("No journey steps in this period", "Steps appear as customers visit and apply."),
        drill=("channels", ids.channels_graph, "Click to list this channel's applications"),
    )


@callback(Output(ids.go, "href"), Input(ids.channels_graph, "clickData"), prevent_initial_call=True)
@requires(*EVERYONE)
def drill_to_channel(click: Any) -> str:
    """A click on a channel's bar opens the portfolio filtered to that channel's applications;
    Back returns to the journey."""
    channel = clicked(click)
    if channel not in CHANNELS:
        raise dash.exceptions.PreventUpdate
    return f"/credit?channel={channel}"


SPEC = register(
    View(
        name=VIEW,
        path="/credit/journey",
        title="Customer journey",
        roles=EVERYONE,
        params=(period_param(ids.period, PERIODS, default=365),),
        parts=(
            Part(
                "funnel",
                "Funnel",
                funnel_rows,
                funnel_figure,
                note="Visits to loans, and how the loans ended. A view of some regions counts "
                "known customers' visits only: a visitor has no region until they apply",
            ),
            Part(
                "channels",
                "Conversion by channel",
                channel_rows,
                channel_figure,
                note="Approvals per application and payouts per approval",
            ),
            Part(
                "months",
                "Conversion by month",
                month_rows,
                month_figure,
                note="Whole months: approvals per application and payouts per approval, each "
                "counted in the month it happened (a month paying out the last month's "
                "approvals can pass 100%)",
            ),
        ),
    )
)

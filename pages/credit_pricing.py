"""Risk-based pricing and market analysis: per band the approval rate, price and expected
loss; what-if controls for the score cut-off and the margin."""

from __future__ import annotations

from typing import Any

import dash
import dash_bootstrap_components as dbc
import pandas as pd
from dash import Input, Output, callback, dcc, html
from dash.development.base_component import Component

from analytics.card import PD_BANDS
from analytics.pricing import band_pricing, cutoff_tradeoff
from auth.access import EVERYONE, allowed, region_scope, requires
from auth.answers import cached_answer
from auth.requests import last_days
from components.badges import band_badge
from components.chart_card import chart_body
from components.empty_state import empty_state
from components.figures import reference_lines
from components.filters import field, filter_bar
from components.formatting import money, number, percent
from components.insight import KpiReading, facts_from_kpi_cards
from components.kpi_card import kpi_card
from components.shell import ids as shell_ids
from components.table import data_table
from components.theme import TITLED_TOP, Figure, themed, values
from components.view_tools import export_menu, view_actions, view_location
from data import credit, pricing
from data.engine import connect
from settings import get_settings
from sharing.embed import EMBED_ROLES
from sharing.views import Explained, Param, Part, View, register, whole_number_in
from sharing.views import State as ViewState
from widgets.explain import ExplainAIO

dash.register_page(
    __name__,
    refreshes=True,  # auto-refresh may redraw it (a dashboard, not a form)
    path="/credit/pricing",
    name="Pricing",
    area="Credit",
    order=4,
    roles=EVERYONE,
)
CUTOFFS = list(range(440, 661, 10))
VIEW = "credit-pricing"


class ids:
    cutoff = "pricing-cutoff"
    margin = "pricing-margin"
    kpis = "pricing-kpis"
    bands = "pricing-bands"
    chart = "pricing-chart"


def layout(**query: str) -> Component:
    state = SPEC.state(query)
    return html.Div(
        [
            view_location(VIEW),
            filter_bar(
                [
                    field(
                        "Approve at or above this score",
                        dcc.Slider(
                            id=ids.cutoff,
                            min=CUTOFFS[0],
                            max=CUTOFFS[-1],
                            step=10,
                            value=state["cutoff"],
                            marks={c: str(c) for c in CUTOFFS[::4]},
                            tooltip={"placement": "bottom"},
                        ),
                        md=6,
                    ),
                    field(
                        "Margin",
                        dcc.Slider(
                            id=ids.margin,
                            min=0,
                            max=0.1,
                            step=0.0025,
                            value=state["margin"],
                            marks={m / 100: f"{m}%" for m in range(0, 11, 2)},
                            # Read in %, as the marks are: its typed box showed 0.03. Always
                            # shown: the value in use could only be read from the prices.
                            tooltip={
                                "placement": "top",
                                "always_visible": True,
                                "transform": "percentOfOne",
                            },
                            allow_direct_input=False,
                        ),
                        md=6,
                    ),
                ],
                class_name="g-3",
            ),
            html.P(
                f"Rate = funding cost ({percent(get_settings().credit_funding_cost)}) + PD × LGD "
                f"({percent(get_settings().credit_lgd)}) + margin. "
                "Applications of the last 12 months.",
                className="widget-note",
            ),
            view_actions(VIEW, can_embed=allowed(EMBED_ROLES)),
            ExplainAIO(VIEW),
            dcc.Loading(html.Div(id=ids.kpis)),
            dbc.Row(
                [
                    dbc.Col(
                        [
                            html.Div(
                                export_menu(VIEW, "bands", title="Bands", chart=False),
                                className="d-flex justify-content-end",
                            ),
                            html.Div(id=ids.bands),
                        ],
                        lg=6,
                    ),
                    dbc.Col(
                        [
                            html.Div(
                                export_menu(VIEW, "cutoffs", title="Cut-off curve", chart=True),
                                className="d-flex justify-content-end",
                            ),
                            html.Div(id=ids.chart, className="chart-body"),
                        ],
                        lg=6,
                    ),
                ]
            ),
        ]
    )


def what_if_facts(state: ViewState) -> list[KpiReading]:
    """The what-if cards for this cut-off and margin, as shown."""
    return facts_from_kpi_cards(what_if(state.get("cutoff"), state.get("margin"), None)[0])


def applications(state: ViewState) -> pd.DataFrame | None:
    """Scored applications of the last 12 months in the user's scope, summed per score and
    band (None: no model yet)."""
    with connect() as conn:
        model = credit.active_model(conn=conn)
        if model is None:
            return None
        return pricing.score_sums(
            conn=conn,
            model_id=model["id"],
            region_ids=region_scope(),
            since=last_days(pricing.WINDOW_DAYS),
        )


def kpi_values(state: ViewState) -> list[tuple[str, str]]:
    return _kpis(cutoff_rows(state))


def _kpis(curve: pd.DataFrame) -> list[tuple[str, str]]:
    """The what-if cards: the curve's row at the chosen cut-off."""
    if curve.empty:
        return []
    chosen = curve[curve["chosen"]].iloc[0]
    return [
        ("Approval rate", percent(chosen["approval_rate"])),
        ("Approved volume", money(chosen["volume"])),
        ("Expected loss", money(chosen["expected_loss"])),
        ("Loss rate", percent(chosen["loss_rate"])),
    ]


def band_rows(state: ViewState) -> pd.DataFrame:
    """Per band at this cut-off and margin: band, applications, approval_rate, mean_pd, rate
    (the price) and expected_loss."""
    return _bands(applications(state), state)


def _bands(sums: pd.DataFrame | None, state: ViewState) -> pd.DataFrame:
    settings = get_settings()
    if sums is None or sums.empty:
        columns = ["band", "applications", "approval_rate", "mean_pd", "rate", "expected_loss"]
        return pd.DataFrame(columns=columns)
    return band_pricing(
        sums,
        bands=PD_BANDS,
        cutoff=state["cutoff"],
        funding_cost=settings.credit_funding_cost,
        lgd=settings.credit_lgd,
        margin=state["margin"],
    )


def cutoff_rows(state: ViewState) -> pd.DataFrame:
    """Behind the curve: per cut-off the approval rate, volume, expected loss and loss rate;
    `chosen` marks the cut-off set on the page."""
    return _curve(applications(state), state)


def _curve(apps: pd.DataFrame | None, state: ViewState) -> pd.DataFrame:
    if apps is None or apps.empty:
        return pd.DataFrame()
    curve = cutoff_tradeoff(apps, cutoffs=CUTOFFS, lgd=get_settings().credit_lgd)
    return curve.assign(chosen=curve["cutoff"] == state["cutoff"])


def cutoff_figure(curve: pd.DataFrame, theme: str | None) -> Figure | None:
    if curve.empty:
        return None
    cutoffs = values(curve["cutoff"])
    # Each rate on its own axis, read as it is: the loss rate was drawn ten times over on
    # the approval rate's axis, so 8% of loss read as 80%.
    traces = [
        {"type": "scatter", "x": cutoffs, "y": values(curve["approval_rate"])}
        | {"name": "Approval rate (left)", "hovertemplate": "%{y:.1%} approved at %{x}"},
        {"type": "scatter", "x": cutoffs, "y": values(curve["loss_rate"]), "yaxis": "y2"}
        | {"name": "Loss rate (right)", "hovertemplate": "%{y:.2%} expected loss at %{x}"},
    ]
    layout = {
        "yaxis": {"tickformat": ".0%", "title": {"text": "approval rate"}, "rangemode": "tozero"},
        "yaxis2": {"tickformat": ".1%", "title": {"text": "loss rate"}, "rangemode": "tozero"}
        | {"overlaying": "y", "side": "right", "showgrid": False},
        "xaxis": {"title": {"text": "score cut-off"}},
        "title": {"text": "Approval and loss by cut-off"},
        "margin": {"t": TITLED_TOP},
    }
    chosen = curve.loc[curve["chosen"], "cutoff"]
    figure = {"data": traces, "layout": layout}
    return themed(
        reference_lines(figure, across=[(c, "dot", f"cut-off {c}") for c in chosen]), theme
    )


@callback(
    Output(ids.kpis, "children"),
    Output(ids.bands, "children"),
    Output(ids.chart, "children"),
    Input(ids.cutoff, "value"),
    Input(ids.margin, "value"),
    Input(shell_ids.theme, "data"),
)
@requires(*EVERYONE)
@cached_answer("credit")
def what_if(cutoff: Any, margin: Any, theme: str | None) -> tuple[Any, ...]:
    state = SPEC.state({"cutoff": cutoff, "margin": margin})
    apps = applications(state)
    if apps is None:
        return empty_state("No credit model yet", "Run the scoring job."), None, None
    if apps.empty:
        return empty_state("No applications in the last 12 months", ""), None, None
    curve = _curve(apps, state)  # one read of the applications serves the whole view
    at = f"at {state['cutoff']} points"
    kpis = dbc.Row(
        [
            dbc.Col(kpi_card(title=title, value=value, change=None, period=at, compare=False), md=3)
            for title, value in _kpis(curve)
        ],
        className="g-3 mb-3",
    )
    bands = data_table(
        _bands(apps, state),
        {
            "band": "Band",
            "applications": "Applications",
            "approval_rate": "Approved",
            "mean_pd": "Mean PD",
            "rate": "Price",
            "expected_loss": "Expected loss",
        },
        cells={
            "band": lambda v, _r: band_badge(v),
            "approval_rate": lambda v, _r: percent(v),
            "mean_pd": lambda v, _r: percent(v),
            "rate": lambda v, _r: percent(v),
            "expected_loss": lambda v, _r: money(v),
            "applications": lambda v, _r: number(v),
        },
        empty_title="",
        empty_hint="",
        caption="Per band at this cut-off and margin",
    )
    figure = cutoff_figure(curve, theme)
    return kpis, bands, chart_body(figure, empty_title="", empty_hint="")


def _margin(raw: str) -> float:
    value = round(float(raw), 4)
    if not 0 <= value <= 0.1:
        raise ValueError(f"margin must be between 0 and 0.1; got {value}")
    return value


SPEC = register(
    View(
        name=VIEW,
        path="/credit/pricing",
        title="Credit pricing",
        roles=EVERYONE,
        params=(
            Param(
                "cutoff",
                ids.cutoff,
                "Score cut-off",
                parse=whole_number_in(tuple(CUTOFFS)),
                default=520,
            ),
            Param("margin", ids.margin, "Margin", parse=_margin, default=0.03, show=percent),
        ),
        parts=(
            Part("bands", "Per band at this cut-off and margin", band_rows),
            Part("cutoffs", "Approval and loss by cut-off", cutoff_rows, cutoff_figure),
        ),
        kpis=kpi_values,
        explained=Explained("Credit pricing", what_if_facts),
    )
)

"""Credit portfolio: customers with their latest score and band, searched and paged on the
server; the model card of the scorecard in use."""

from __future__ import annotations

from typing import Any

import dash
import dash_bootstrap_components as dbc
import pandas as pd
from dash import Input, Output, State, callback, dcc, html
from dash.development.base_component import Component

from actions.credit_model import active_model_status
from auth.access import EVERYONE, allowed, region_scope, requires
from auth.answers import cached_answer
from components.badges import band_badge, model_badge
from components.empty_state import empty_state
from components.filters import field, filter_bar
from components.formatting import number, percent
from components.pickers import escape_like
from components.table import data_table, paged, pager, pager_io
from components.view_tools import export_menu, view_actions, view_location
from data import credit
from data.engine import connect
from sharing.embed import EMBED_ROLES
from sharing.views import Param, Part, View, one_of, register
from sharing.views import State as ViewState
from vocabulary import BANDS, CHANNEL_LABELS, CHANNELS

dash.register_page(
    __name__,
    refreshes=True,  # auto-refresh may redraw it (a dashboard, not a form)
    path="/credit",
    name="Portfolio",
    area="Credit",
    order=1,
    roles=EVERYONE,
)
VIEW = "credit-portfolio"
PAGE_SIZE = 25
SORTS = {"score": "Lowest score first", "recent": "Newest application first", "name": "Name"}


class ids:
    search = "credit-search"
    band = "credit-band"
    channel = "credit-channel"
    sort = "credit-sort"
    table = "credit-table"
    page = "credit-page"
    pager = "credit-pager"


def layout(
    q: str | None = None,
    band: str | None = None,
    channel: str | None = None,
    sort: str | None = None,
    **_kwargs: str,
) -> Component:
    with connect() as conn:
        model = credit.active_model(conn=conn)
    if model is None:
        return empty_state(
            "No credit scores yet",
            "They appear after the scoring job runs (python -m beacon train).",
        )
    return html.Div(
        [
            view_location(VIEW),
            html.Div(model_badge(active_model_status()), className="mb-2"),
            filter_bar(
                [
                    field(
                        "Search",
                        dbc.Input(
                            id=ids.search,
                            type="search",
                            value=(q or "")[:80],
                            placeholder="Name or customer number",
                            debounce=True,
                        ),
                        md=4,
                    ),
                    field(
                        "Band",
                        dcc.Dropdown(
                            id=ids.band,
                            value=band if band in BANDS else None,
                            placeholder="Any band",
                            options=[{"label": b.capitalize(), "value": b} for b in BANDS],
                        ),
                        md=2,
                    ),
                    field(
                        "Channel",
                        dcc.Dropdown(
                            id=ids.channel,
                            value=channel if channel in CHANNELS else None,
                            placeholder="Any channel",
                            options=[{"label": CHANNEL_LABELS[c], "value": c} for c in CHANNELS],
                        ),
                        md=3,
                    ),
                    field(
                        "Sort",
                        dcc.Dropdown(
                            id=ids.sort,
                            value=sort if sort in SORTS else "score",
                            clearable=False,
                            options=[{"label": v, "value": k} for k, v in SORTS.items()],
                        ),
                        md=3,
                    ),
                ]
            ),
            html.Div(
                [
                    view_actions(VIEW, can_embed=allowed(EMBED_ROLES)),
                    export_menu(VIEW, "customers", title="Customers", chart=False),
                ],
                className="d-flex justify-content-between align-items-start gap-2",
            ),
            dcc.Store(id=ids.page, data=1),
            dcc.Loading(html.Div(id=ids.table), type="default", delay_show=200),
            pager(ids.pager),
            model_card(model),
        ]
    )


def model_card(model: dict[str, Any]) -> dbc.Card:
    m = model["metrics"]
    card, challenger, german = m["scorecard"], m["challenger"], m["german_credit_cv"]
    rows = [
        ("Scorecard (time split)", card),
        ("Gradient-boosting challenger", challenger),
        ("Scorecard on German credit, 5-fold", german),
    ]
    table = html.Table(
        [
            html.Thead(html.Tr([html.Th(h) for h in ("Model", "ROC AUC", "Gini", "KS", "Brier")])),
            html.Tbody(
                [
                    html.Tr(
                        [
                            html.Td(name),
                            *[html.Td(f"{r[k]:.3f}") for k in ("roc_auc", "gini", "ks", "brier")],
                        ]
                    )
                    for name, r in rows
                ]
            ),
        ],
        className="table table-sm data-table",
    )
    return dbc.Card(
        dbc.CardBody(
            [
                html.H2("Model card", className="section-title"),
                html.P(
                    f"{model['version']}: WoE scorecard on {len(m['characteristics'])} "
                    "characteristics, 600 points at 50:1 odds, 20 points to double them. "
                    "Trained on "
                    f"{number(m['split']['train'])} outcomes, tested on the newest "
                    f"{number(m['split']['test'])} (from {m['split']['test_from']}).",
                    className="widget-note",
                ),
                table,
            ]
        ),
        className="form-card mt-3 model-card",
    )


PAGER_OUT, PAGER_IN = pager_io(ids.pager)


@callback(
    Output(ids.table, "children"),
    Output(ids.page, "data"),
    *PAGER_OUT,
    Input(ids.search, "value"),
    Input(ids.band, "value"),
    Input(ids.channel, "value"),
    Input(ids.sort, "value"),
    *PAGER_IN,
    State(ids.page, "data"),
)
@requires(*EVERYONE)
@cached_answer("credit")
def show(
    search: str | None,
    band: str | None,
    channel: str | None,
    sort: str | None,
    _prev: int | None,
    _next: int | None,
    page: Any,
) -> tuple[Any, ...]:
    state = SPEC.state({"q": search, "band": band, "channel": channel, "sort": sort})
    with connect() as conn:
        args = customer_query(state, conn)
        if args is None:
            nothing = empty_state("No credit scores yet", "Run the scoring job.")
            return nothing, 1, "", True, True  # no model: no pages
        _, total = credit.customers(**args, limit=0)  # the count alone
        page, offset, pager_state = paged(
            prefix=ids.pager, page=page, total=total, size=PAGE_SIZE, noun="customers"
        )
        frame, _ = credit.customers(**args, limit=PAGE_SIZE, offset=offset, total=total)
    table = data_table(
        frame,
        {
            "name": "Customer",
            "region": "Region",
            "channel": "Channel",
            "applications": "Applications",
            "last_applied": "Last applied",
            "score": "Score",
            "band": "Band",
            "pd": "PD",
        },
        cells={
            "name": lambda v, r: html.A(v, href=f"/credit/customer?id={int(r['id'])}"),
            "band": lambda v, _r: band_badge(v) if isinstance(v, str) else "",
            "pd": lambda v, _r: percent(v) if v == v else "",
            "score": lambda v, _r: number(v) if v == v else "",
            "last_applied": lambda v, _r: v.strftime("%Y-%m-%d") if v == v else "",
        },
        empty_title="No customer matches",
        empty_hint="Clear the search or a filter.",
    )
    return table, page, *pager_state


def customer_query(state: ViewState, conn: Any) -> dict[str, Any] | None:
    """The customers-table arguments for a view, in the user's scope (None: no model yet)."""
    model = credit.active_model(conn=conn)
    if model is None:
        return None
    return {
        "conn": conn,
        "model_id": model["id"],
        "region_ids": region_scope(),
        "search": escape_like(state["q"]) if state["q"] else None,
        "band": state["band"],
        "channel": state["channel"],
        "sort": state["sort"],
    }


def customer_rows(state: ViewState) -> pd.DataFrame:
    """Every customer the filters match, not only the page on screen."""
    with connect() as conn:
        args = customer_query(state, conn)
        if args is None:
            return pd.DataFrame()
        _, total = credit.customers(**args, limit=0)  # the count alone
        return credit.customers(**args, limit=max(total, 1), total=total)[0]


SPEC = register(
    View(
        name=VIEW,
        path="/credit",
        title="Credit portfolio",
        roles=EVERYONE,
        params=(
            Param("q", ids.search, "Search", parse=lambda raw: raw.strip()[:80]),
            Param("band", ids.band, "Band", parse=one_of(BANDS)),
            Param("channel", ids.channel, "Channel", parse=one_of(CHANNELS)),
            Param("sort", ids.sort, "Sort", parse=one_of(SORTS), default="score", show=SORTS.get),
        ),
        parts=(Part("customers", "Customers", customer_rows),),
    )
)

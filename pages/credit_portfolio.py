"""Credit portfolio: customers with their latest score and band, searched and paged on the
server; the model card of the scorecard in use."""

from __future__ import annotations

from typing import Any

import dash
import dash_bootstrap_components as dbc
import pandas as pd
from dash import Input, Output, callback, dcc, html
from dash.development.base_component import Component

from actions.credit_model import active_model_status
from auth.access import EVERYONE, allowed, region_scope, requires
from auth.answers import cached_answer
from components.badges import model_badge
from components.empty_state import empty_state
from components.filters import field, filter_bar
from components.formatting import number
from components.pickers import escape_like
from components.view_tools import export_menu, view_actions, view_location
from data import credit
from data.engine import connect
from sharing.embed import EMBED_ROLES
from sharing.views import Param, Part, View, grid_param, one_of, register
from sharing.views import State as ViewState
from vocabulary import BANDS, CHANNEL_LABELS, CHANNELS
from widgets.grid import (
    DataGridAIO,
    GridColumn,
    as_shown,
    grid_columns,
    requested_view,
    rows_io,
    rows_response,
)

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
GRID = grid_columns(
    "credit-customers",
    [
        GridColumn("name", "Customer", render="link", href="/credit/customer?id={id}", width=200),
        GridColumn("region", "Region", width=120),
        GridColumn("channel", "Channel", filterable=False, width=130),
        GridColumn("applications", "Applications", "number", "number", False, False, width=120),
        GridColumn("last_applied", "Last applied", "date", "date", width=130),
        GridColumn("score", "Score", "number", "number", width=115),
        GridColumn("band", "Band", render="band", sortable=False, filterable=False, width=100),
        GridColumn("pd", "PD (%)", "number", "percent", width=100),
    ],
)


class ids:
    search = "credit-search"
    band = "credit-band"
    channel = "credit-channel"
    grid = "credit-customers"


def layout(
    q: str | None = None,
    band: str | None = None,
    channel: str | None = None,
    grid: str | None = None,
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
                ]
            ),
            html.Div(
                [
                    view_actions(VIEW, can_embed=allowed(EMBED_ROLES)),
                    export_menu(VIEW, "customers", title="Customers", chart=False),
                ],
                className="d-flex justify-content-between align-items-start gap-2",
            ),
            DataGridAIO(
                ids.grid,
                state=SPEC.state({"grid": grid})["grid"],
                query=query_of(q, band, channel),
                label="Customers: click a header to sort, Ctrl+click to add a sort",
            ),
            html.P(
                "Lowest score first until you sort by a column; filter a column from its menu.",
                className="widget-note",
            ),
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


def query_of(search: str | None, band: str | None, channel: str | None) -> dict[str, Any]:
    """The page's own filters, checked, as the grid's query."""
    state = SPEC.state({"q": search, "band": band, "channel": channel})
    return {k: state[k] for k in ("q", "band", "channel")}


@callback(
    Output(DataGridAIO.ids.query(ids.grid), "data"),
    Input(ids.search, "value"),
    Input(ids.band, "value"),
    Input(ids.channel, "value"),
    prevent_initial_call=True,
)
@requires(*EVERYONE)
def narrow(search: str | None, band: str | None, channel: str | None) -> dict[str, Any]:
    return query_of(search, band, channel)


@callback(*rows_io(ids.grid))
@requires(*EVERYONE)
@cached_answer("credit")
def rows(request: Any, query: Any) -> tuple[Any, str]:
    start, size, state = requested_view(request, query, SPEC, GRID)
    frame, total = customer_page(state, limit=size, offset=start)
    return rows_response(as_seen(frame), total, GRID), f"{total:,} customers match"


def as_seen(frame: pd.DataFrame) -> pd.DataFrame:
    """Channels by their names, PD in percent (as the grid shows and filters them)."""
    if frame.empty:
        return frame
    return frame.assign(channel=frame["channel"].map(CHANNEL_LABELS), pd=frame["pd"] * 100)


def customer_page(state: ViewState, *, limit: int, offset: int = 0) -> tuple[pd.DataFrame, int]:
    """A block of the customers a view's filters and its grid's sort and filters match."""
    with connect() as conn:
        model = credit.active_model(conn=conn)
        if model is None:
            return pd.DataFrame(), 0
        grid = state["grid"]
        return credit.customers(
            conn=conn,
            model_id=model["id"],
            region_ids=region_scope(),
            search=escape_like(state["q"]) if state["q"] else None,
            band=state["band"],
            channel=state["channel"],
            sort=grid.sort,
            filters=grid.filters,
            limit=limit,
            offset=offset,
        )


def customer_rows(state: ViewState) -> pd.DataFrame:
    """Every customer the filters match, in the grid's order, with the columns it shows."""
    _, total = customer_page(state, limit=0)
    frame, _ = customer_page(state, limit=max(total, 1))
    shown = as_shown(as_seen(frame), state["grid"], GRID)
    if not frame.empty:  # the customer number first, whatever the columns: a join key
        shown.insert(0, "Customer number", frame["id"])
    return shown


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
            grid_param(ids.grid, GRID),
        ),
        parts=(Part("customers", "Customers", customer_rows),),
    )
)

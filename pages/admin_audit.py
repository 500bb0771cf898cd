"""Audit log: every sign-in, denial, change and export, filterable by user, action and time."""

from __future__ import annotations

import functools
import json
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import dash
import dash_bootstrap_components as dbc
import pandas as pd
from dash import Input, Output, callback, dcc, html

from auth.access import ADMINS, requires
from components.filters import field
from components.formatting import local_datetime, readable_detail
from components.view_tools import export_menu, view_actions, view_location
from data import accounts, audit
from data.engine import connect
from settings import get_settings
from sharing.views import Param, Part, View, grid_param, iso_day, record_id, register
from sharing.views import State as ViewState
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
    __name__, path="/admin/audit", name="Audit log", area="Admin", order=2, roles=ADMINS
)

VIEW = "audit-log"
GRID = grid_columns(
    "audit-entries",
    [
        GridColumn("occurred_at", "When", "date", filterable=False, width=190),
        GridColumn("email", "User", width=230),
        GridColumn("action", "Action", width=180),
        GridColumn("ip_address", "From", width=130),
        GridColumn("detail", "Detail", render="lines", sortable=False, filterable=False),
    ],
)


class ids:
    user = "audit-user"
    action = "audit-action"
    dates = "audit-dates"
    table = "audit-entries"


def layout(**query: str) -> html.Div:
    state = SPEC.state(query)
    with connect() as conn:
        users = accounts.users_table(conn=conn)
        actions = audit.audit_actions(conn=conn)
    return html.Div(
        [
            view_location(VIEW),
            dbc.Row(
                [
                    field(
                        "User",
                        dcc.Dropdown(
                            id=ids.user,
                            value=state["user"],
                            placeholder="Everyone",
                            options=[
                                {"label": e, "value": i}
                                for i, e in zip(users["id"], users["email"], strict=True)
                            ],
                        ),
                        md=4,
                    ),
                    field(
                        "Action",
                        dcc.Dropdown(
                            id=ids.action,
                            value=state["action"],
                            placeholder="Every action",
                            options=actions,
                        ),
                        md=4,
                    ),
                    field(
                        "Between",
                        dcc.DatePickerRange(
                            id=ids.dates,
                            start_date=state["from"],
                            end_date=state["to"],
                            display_format="YYYY-MM-DD",
                            clearable=True,
                        ),
                        md=4,
                    ),
                ],
                className="g-3 mb-3",
            ),
            html.Div(
                [
                    view_actions(VIEW, can_embed=False),
                    export_menu(VIEW, "entries", title="Audit entries", chart=False),
                ],
                className="d-flex justify-content-between align-items-start gap-2",
            ),
            DataGridAIO(
                ids.table,
                state=state["grid"],
                query={k: state[k] for k in ("user", "action", "from", "to")},
                label="Audit entries: click a header to sort, Ctrl+click to add a sort",
            ),
        ]
    )


def day(value: str | None, *, after: bool = False) -> datetime | None:
    """A date from the picker as midnight on the business's clock (the times shown are on
    it too), or the midnight that ends it; anything else is refused. Days are counted on the
    calendar, so a day with a clock change is 23 or 25 hours long."""
    if not value:
        return None
    local = datetime.fromisoformat(value[:10]) + timedelta(days=1 if after else 0)
    return local.replace(tzinfo=ZoneInfo(get_settings().timezone)).astimezone(UTC)


@callback(
    Output(DataGridAIO.ids.query(ids.table), "data"),
    Input(ids.user, "value"),
    Input(ids.action, "value"),
    Input(ids.dates, "start_date"),
    Input(ids.dates, "end_date"),
    prevent_initial_call=True,
)
@requires(*ADMINS)
def narrow(user_id: Any, action: str | None, start: str | None, end: str | None) -> dict:
    state = SPEC.state({"user": user_id, "action": action, "from": start, "to": end})
    return {k: state[k] for k in ("user", "action", "from", "to")}


@callback(*rows_io(ids.table))
@requires(*ADMINS)
def rows(request: Any, query: Any) -> tuple[Any, str]:
    start, size, state = requested_view(request, query, SPEC, GRID)
    with connect() as conn:
        frame, total = log_query(state)(conn=conn, limit=size, offset=start)
    if not frame.empty:
        frame = frame.assign(
            occurred_at=frame["occurred_at"].map(local_datetime),
            detail=frame["detail"].map(readable_detail),
        )
    return rows_response(frame, total, GRID), f"{total:,} entries match"


def log_query(state: ViewState) -> Any:
    """The audit-log query for a view's filters (whole business days, both included)."""
    return functools.partial(
        audit.audit_log,
        user_id=state["user"],
        since=day(state["from"]),
        until=day(state["to"], after=True),
        action=state["action"],
        sort=state["grid"].sort,
        filters=state["grid"].filters,
    )


def entry_rows(state: ViewState) -> pd.DataFrame:
    """Every audit entry the filters match, in the grid's order, with the columns it shows
    (and what each entry was about)."""
    query = log_query(state)
    with connect() as conn:
        _, total = query(conn=conn, limit=0)
        rows = query(conn=conn, limit=max(total, 1))[0]
    rows["detail"] = [json.dumps(d, default=str) if d else "" for d in rows["detail"]]
    return as_shown(rows, state["grid"], GRID).assign(
        **{"About": rows["entity_type"], "About id": rows["entity_id"]}
    )


def _email(user_id: int) -> str:
    with connect() as conn:
        found = accounts.account_by_id(conn=conn, user_id=user_id)
    return found.email if found else f"user {user_id}"


SPEC = register(
    View(
        name=VIEW,
        path="/admin/audit",
        title="Audit log",
        roles=ADMINS,
        params=(
            Param("user", ids.user, "User", parse=record_id, show=_email),
            Param("action", ids.action, "Action", parse=lambda raw: raw[:48]),
            Param("from", ids.dates, "From", parse=iso_day, prop="start_date"),
            Param("to", ids.dates, "To", parse=iso_day, prop="end_date"),
            grid_param(ids.table, GRID),
        ),
        parts=(Part("entries", "Audit entries", entry_rows),),
        embeddable=False,
    )
)

"""Audit log: every sign-in, denial, change and export, filterable by user, action and time."""

from __future__ import annotations

import functools
import json
import math
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import dash
import dash_bootstrap_components as dbc
import pandas as pd
from dash import Input, Output, State, callback, dcc, html
from dash.development.base_component import Component

from auth.access import ADMINS, requires
from components.filters import field
from components.formatting import readable_detail
from components.table import data_table, page_after, pager
from components.view_tools import export_menu, view_actions, view_location
from data import accounts, audit
from data.engine import connect
from settings import get_settings
from sharing.views import Param, Part, View, register
from sharing.views import State as ViewState

dash.register_page(
    __name__, path="/admin/audit", name="Audit log", area="Admin", order=2, roles=ADMINS
)

PAGE_SIZE = 25
VIEW = "audit-log"


class ids:
    user = "audit-user"
    action = "audit-action"
    dates = "audit-dates"
    page = "audit-page"
    table = "audit-table"
    pager = "audit-pager"


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
            dcc.Store(id=ids.page, data=1),
            dcc.Loading(html.Div(id=ids.table)),
            pager(ids.pager),
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
    Output(ids.table, "children"),
    Output(ids.page, "data"),
    Output(f"{ids.pager}-prev", "disabled"),
    Output(f"{ids.pager}-next", "disabled"),
    Output(f"{ids.pager}-status", "children"),
    Input(ids.user, "value"),
    Input(ids.action, "value"),
    Input(ids.dates, "start_date"),
    Input(ids.dates, "end_date"),
    Input(f"{ids.pager}-prev", "n_clicks"),
    Input(f"{ids.pager}-next", "n_clicks"),
    State(ids.page, "data"),
)
@requires(*ADMINS)
def show_log(
    user_id: Any,
    action: str | None,
    start: str | None,
    end: str | None,
    _prev: int | None,
    _next: int | None,
    page: Any,
) -> tuple[Any, ...]:
    state = SPEC.state({"user": user_id, "action": action, "from": start, "to": end})
    query = log_query(state)
    with connect() as conn:
        _, total = query(conn=conn, limit=0)
        pages = max(math.ceil(total / PAGE_SIZE), 1)
        page = page_after(prefix=ids.pager, page=page, pages=pages)
        rows, _ = query(conn=conn, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
    table = data_table(
        rows,
        {
            "occurred_at": "When",
            "email": "User",
            "action": "Action",
            "ip_address": "From",
            "detail": "Detail",
        },
        cells={"detail": detail_text},
        empty_title="No audit entries match",
        empty_hint="Widen the dates or clear a filter.",
    )
    return table, page, page <= 1, page >= pages, f"Page {page} of {pages} · {total:,} entries"


def log_query(state: ViewState) -> Any:
    """The audit-log query for a view's filters (whole business days, both included)."""
    return functools.partial(
        audit.audit_log,
        user_id=state["user"],
        since=day(state["from"]),
        until=day(state["to"], after=True),
        action=state["action"],
    )


def entry_rows(state: ViewState) -> pd.DataFrame:
    """Every audit entry the filters match, not only the page on screen."""
    query = log_query(state)
    with connect() as conn:
        _, total = query(conn=conn, limit=0)
        rows = query(conn=conn, limit=max(total, 1))[0]
    rows["detail"] = [json.dumps(d, default=str) if d else "" for d in rows["detail"]]
    return rows


def detail_text(value: object, _row: object) -> Component | str:
    return readable_detail(value)


def _day(raw: str) -> str:
    return datetime.fromisoformat(raw[:10]).date().isoformat()


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
            Param("user", ids.user, "User", parse=int, show=_email),
            Param("action", ids.action, "Action", parse=lambda raw: raw[:48]),
            Param("from", ids.dates, "From", parse=_day, prop="start_date"),
            Param("to", ids.dates, "To", parse=_day, prop="end_date"),
        ),
        parts=(Part("entries", "Audit entries", entry_rows),),
        embeddable=False,
    )
)

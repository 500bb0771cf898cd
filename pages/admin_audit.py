"""Audit log: every sign-in, denial, change and export, filterable by user, action and time."""

from __future__ import annotations

import functools
import math
from datetime import UTC, datetime, timedelta

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, dcc, html
from dash.development.base_component import Component

from auth.access import ADMINS, requires
from components.table import data_table, page_after, pager
from data import accounts, audit
from data.engine import connect

dash.register_page(
    __name__, path="/admin/audit", name="Audit log", area="Admin", order=2, roles=ADMINS
)

PAGE_SIZE = 25


class ids:
    user = "audit-user"
    action = "audit-action"
    dates = "audit-dates"
    page = "audit-page"
    table = "audit-table"
    pager = "audit-pager"


def layout(**_kwargs: str) -> html.Div:
    with connect() as conn:
        users = accounts.users_table(conn=conn)
        actions = audit.audit_actions(conn=conn)
    return html.Div(
        [
            dbc.Row(
                [
                    dbc.Col(
                        [
                            dbc.Label("User", html_for=ids.user),
                            dcc.Dropdown(
                                id=ids.user,
                                placeholder="Everyone",
                                options=[
                                    {"label": e, "value": i}
                                    for i, e in zip(users["id"], users["email"], strict=True)
                                ],
                            ),
                        ],
                        md=4,
                    ),
                    dbc.Col(
                        [
                            dbc.Label("Action", html_for=ids.action),
                            dcc.Dropdown(
                                id=ids.action, placeholder="Every action", options=actions
                            ),
                        ],
                        md=4,
                    ),
                    dbc.Col(
                        [
                            dbc.Label("Between", html_for=ids.dates),
                            dcc.DatePickerRange(
                                id=ids.dates, display_format="YYYY-MM-DD", clearable=True
                            ),
                        ],
                        md=4,
                    ),
                ],
                className="g-3 mb-3",
            ),
            dcc.Store(id=ids.page, data=1),
            dcc.Loading(html.Div(id=ids.table)),
            pager(ids.pager),
        ]
    )


def day(value: str | None) -> datetime | None:
    """A date from the picker as UTC midnight; anything else is refused."""
    if not value:
        return None
    return datetime.fromisoformat(value[:10]).replace(tzinfo=UTC)


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
def show_log(user_id, action, start, end, _prev, _next, page):  # type: ignore[no-untyped-def]
    try:
        since, until = day(start), day(end)
        user = int(user_id) if user_id is not None else None
    except (TypeError, ValueError):
        message = dbc.Alert("Those filter values are not valid dates or users.", color="warning")
        return message, 1, True, True, ""
    until = until + timedelta(days=1) if until else None
    query = functools.partial(
        audit.audit_log,
        user_id=user,
        since=since,
        until=until,
        action=str(action)[:48] if action else None,
    )
    with connect() as conn:
        _, total = query(conn=conn, limit=0)
        pages = max(math.ceil(total / PAGE_SIZE), 1)
        page = page_after(prefix=ids.pager, page=page, pages=pages)
        rows, _ = query(conn=conn, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
    table = data_table(
        rows,
        {
            "occurred_at": "When (UTC)",
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


def detail_text(value: object, _row: object) -> Component | str:
    if not isinstance(value, dict) or not value:
        return ""
    return html.Code(", ".join(f"{k}={v}" for k, v in value.items())[:300])

"""My sessions: where I am signed in, and ending any other session."""

from __future__ import annotations

from typing import Any

import dash
import dash_bootstrap_components as dbc
import pandas as pd
from dash import ALL, Input, Output, callback, ctx, html
from dash.dependencies import Wildcard
from dash.development.base_component import Component
from flask_login import current_user

from actions import account
from actions.base import Refused
from auth.access import EVERYONE, current_actor, requires
from auth.requests import now
from components.formatting import browser_name
from components.table import data_table
from data import accounts
from data.engine import connect

dash.register_page(
    __name__, path="/account/sessions", name="My sessions", area="Account", order=1, roles=EVERYONE
)


class ids:
    table = "sessions-table"
    result = "sessions-result"

    @staticmethod
    def revoke(session_id: int | Wildcard) -> dict[str, Any]:
        return {"type": "sessions-revoke", "index": session_id}


def layout(**_kwargs: str) -> html.Div:
    return html.Div(
        [
            html.P(
                "Signing out ends every session. Here you can end one other session, for example "
                "on a computer you no longer use."
            ),
            html.Div(id=ids.result, role="status"),
            html.Div(sessions_list(), id=ids.table),
        ]
    )


def sessions_list() -> Component:
    with connect() as conn:
        sessions = accounts.sessions_of(conn=conn, user_id=current_user.user_id)
    current = current_user.session_id

    def action(session_id: Any, _row: pd.Series) -> Component:
        if session_id == current:
            return dbc.Badge("This browser", color="info")
        return dbc.Button(
            "End", id=ids.revoke(int(session_id)), size="sm", color="danger", outline=True
        )

    return data_table(
        sessions,
        {
            "user_agent": "Browser",
            "ip_address": "Address",
            "created_at": "Signed in",
            "last_seen_at": "Last seen",
            "id": "",
        },
        cells={"id": action, "user_agent": _browser},
        empty_title="No sessions",
        empty_hint="You are signed in here only.",
    )


def _browser(user_agent: object, _row: object) -> html.Span:
    """The browser and system in words; the header as it came, on hover."""
    return html.Span(browser_name(str(user_agent or "")), title=str(user_agent or ""))


@callback(
    Output(ids.result, "children"),
    Output(ids.table, "children"),
    Input(ids.revoke(ALL), "n_clicks"),
    prevent_initial_call=True,
)
@requires(*EVERYONE)
def end_session(clicks: list[int | None]) -> Any:
    target = ctx.triggered_id
    if not isinstance(target, dict) or not any(clicks):
        raise dash.exceptions.PreventUpdate
    ended = account.end_session(
        actor=current_actor(),
        session_id=target.get("index"),
        current_session=current_user.session_id,
        now=now(),
    )
    if isinstance(ended, Refused):
        return dbc.Alert(ended.message, color="warning"), dash.no_update
    message = "Session ended." if ended else "That session had already ended."
    return dbc.Alert(message, color="success"), sessions_list()

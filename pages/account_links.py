"""Shared links: the share and embed links I made (admins: everyone's), and revoking them."""

from __future__ import annotations

from typing import Any

import dash
import dash_bootstrap_components as dbc
import pandas as pd
from dash import ALL, Input, Output, callback, ctx, dcc, html
from dash.dependencies import Wildcard
from flask_login import current_user

from actions.sharing import revoke_link
from auth.access import EVERYONE, current_actor, requires
from auth.requests import now
from components.table import data_table
from data import links
from data.engine import connect

dash.register_page(
    __name__, path="/account/links", name="Shared links", area="Account", order=2, roles=EVERYONE
)


class ids:
    table = "links-table"
    result = "links-result"

    @staticmethod
    def revoke(link_id: int | Wildcard) -> dict[str, Any]:
        return {"type": "links-revoke", "index": link_id}


def layout(**_kwargs: str) -> html.Div:
    return html.Div(
        [
            html.P(
                "Share links open a view for people signed in to Beacon. Embed links show one "
                "view, read-only, to anyone who has the link, until they expire or you revoke "
                "them."
            ),
            html.Div(id=ids.result, role="status"),
            html.Div(links_list(), id=ids.table),
        ]
    )


def _everyone() -> bool:
    return bool(current_user.role == "admin")


def links_list() -> Any:
    with connect() as conn:
        made = links.links_table(
            conn=conn, created_by=None if _everyone() else current_user.user_id
        )
    moment = pd.Timestamp(now())
    made["state"] = [
        "revoked"
        if pd.notna(revoked)
        else ("expired" if pd.notna(expires) and expires <= moment else "live")
        for revoked, expires in zip(made["revoked_at"], made["expires_at"], strict=True)
    ]

    def action(link_id: Any, row: pd.Series) -> Any:
        if row["state"] != "live":
            return dbc.Badge(row["state"].capitalize(), color="secondary")
        return dbc.Button(
            "Revoke", id=ids.revoke(int(link_id)), size="sm", color="danger", outline=True
        )

    def opened(code: Any, row: pd.Series) -> Any:
        address = f"{row['view']}{row['query']}"
        return dcc.Link(address, href=f"/s/{code}") if row["kind"] == "share" else address

    columns = {
        "kind": "Kind",
        "code": "View and filters",
        "created_at": "Made",
        "expires_at": "Expires",
        "id": "",
    }
    if _everyone():
        columns = {"creator": "Made by", **columns}
    return data_table(
        made,
        columns,
        cells={"id": action, "code": opened},
        empty_title="No shared links yet",
        empty_hint="Use Share or Embed on a dashboard to make one.",
    )


@callback(
    Output(ids.result, "children"),
    Output(ids.table, "children"),
    Input(ids.revoke(ALL), "n_clicks"),
    prevent_initial_call=True,
)
@requires(*EVERYONE)
def revoke(clicks: list[int | None]) -> Any:
    target = ctx.triggered_id
    if not isinstance(target, dict) or not any(clicks or []):
        raise dash.exceptions.PreventUpdate
    done = revoke_link(actor=current_actor(), link_id=target.get("index"), now=now())
    message = (
        "Link revoked: it no longer opens."
        if done
        else "That link was not yours or was already revoked."
    )
    return dbc.Alert(message, color="success" if done else "warning"), links_list()

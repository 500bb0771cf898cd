"""API tokens: an admin creates a token for a system (shown once), sees when and from where
each was last used, and revokes it."""

from __future__ import annotations

from typing import Any

import dash
import dash_bootstrap_components as dbc
import pandas as pd
from dash import Input, Output, State, callback, html
from dash.development.base_component import Component

from actions.api_tokens import MAX_DAYS, create_token, revoke_token
from actions.base import Refused
from auth.access import ADMINS, ROLES, current_actor, deny_if_forged, requires
from auth.requests import now
from components.form_field import form_field, pick_and_act
from components.formatting import local_datetime
from components.shown_once import shown_once, with_fresh_list
from components.table import data_table
from data import accounts, api_tokens
from data.engine import connect

dash.register_page(
    __name__, path="/admin/tokens", name="API tokens", area="Admin", order=5, roles=ADMINS
)


class ids:
    name = "tokens-name"
    role = "tokens-role"
    regions = "tokens-regions"
    days = "tokens-days"
    allow = "tokens-allow"
    create = "tokens-create"
    created = "tokens-created"
    secret = "tokens-secret"
    pick = "tokens-pick"
    revoke = "tokens-revoke"
    revoked = "tokens-revoked"
    table = "tokens-table"


def layout(**_kwargs: str) -> html.Div:
    with connect() as conn:
        regions = accounts.regions_table(conn=conn)
        tokens = api_tokens.tokens(conn=conn)
    region_options = [
        {"label": f"{c} – {n}", "value": int(i)}
        for i, c, n in regions[["id", "code", "name"]].itertuples(index=False)
    ]
    create = dbc.Card(
        dbc.CardBody(
            [
                html.H2("Create a token", className="h6"),
                html.P(
                    "A token lets another system use Beacon's API with the role and regions "
                    "you give it, and nothing more. It is shown once; only its hash is kept.",
                    className="text-body-secondary small",
                ),
                dbc.Row(
                    [
                        form_field(
                            "Name",
                            dbc.Input(id=ids.name, maxLength=80),
                            ids.name,
                            3,
                            "What it is for, e.g. loan origination",
                        ),
                        form_field(
                            "Role",
                            dbc.Select(
                                id=ids.role,
                                options=[{"label": r.capitalize(), "value": r} for r in ROLES],
                                value="analyst",
                            ),
                            ids.role,
                            2,
                        ),
                        form_field(
                            "Expires in (days)",
                            dbc.Input(
                                id=ids.days, type="number", min=1, max=MAX_DAYS, step=1, value=90
                            ),
                            ids.days,
                            2,
                        ),
                        form_field(
                            "Allowed addresses",
                            dbc.Input(id=ids.allow, maxLength=2000, placeholder="any"),
                            ids.allow,
                            5,
                            "Optional: addresses or networks, e.g. 203.0.113.0/24 198.51.100.7",
                        ),
                    ],
                    className="g-2",
                ),
                dbc.Label("Regions (a manager's token)", className="mt-2"),
                dbc.Checklist(id=ids.regions, options=region_options, inline=True),
                dbc.Button("Create token", id=ids.create, color="primary", className="mt-2"),
                html.Div(id=ids.created, className="mt-2", role="status"),
            ]
        ),
        className="form-card",
    )
    revoke = pick_and_act(
        title="Revoke a token",
        label="Token",
        pick_id=ids.pick,
        options=live_options(tokens),
        button="Revoke",
        button_id=ids.revoke,
        result_id=ids.revoked,
    )
    codes = region_codes(regions)
    return html.Div([create, revoke, html.Div(tokens_list(tokens, codes), id=ids.table)])


def region_codes(regions: pd.DataFrame) -> dict[int, str]:
    return {int(i): str(c) for i, c in regions[["id", "code"]].itertuples(index=False)}


def live_options(tokens: pd.DataFrame) -> list[dict[str, object]]:
    live = tokens[tokens["revoked_at"].isna()] if not tokens.empty else tokens
    return [
        {"label": f"{name} ({prefix}…, {role})", "value": int(token_id)}
        for token_id, name, prefix, role in live[["id", "name", "prefix", "role"]].itertuples(
            index=False
        )
    ]


def token_status(row: pd.Series, moment: pd.Timestamp) -> str:
    if pd.notna(row["revoked_at"]):
        return "Revoked " + local_datetime(row["revoked_at"])
    if pd.Timestamp(row["expires_at"]) <= moment:
        return "Expired"
    return "Active"


def tokens_list(tokens: pd.DataFrame, codes: dict[int, str]) -> Component:
    shown = tokens.copy()
    if not shown.empty:
        moment = pd.Timestamp(now())
        shown["status"] = [token_status(row, moment) for _, row in shown.iterrows()]
        shown["prefix"] = shown["prefix"] + "…"
        shown["regions"] = [
            ", ".join(codes.get(r, str(r)) for r in chosen) if chosen else "all"
            for chosen in shown["region_ids"]
        ]
        shown["allow"] = [", ".join(a) if a else "any" for a in shown["ip_allow"]]
        for column in ("created_at", "expires_at", "last_used_at"):
            shown[column] = [local_datetime(v) if pd.notna(v) else "never" for v in shown[column]]
        shown["last_used_ip"] = shown["last_used_ip"].fillna("–")
    return data_table(
        shown,
        {
            "name": "Name",
            "prefix": "Starts with",
            "role": "Role",
            "regions": "Regions",
            "allow": "From",
            "created_by": "Created by",
            "created_at": "Created",
            "expires_at": "Expires",
            "last_used_at": "Last used",
            "last_used_ip": "Last used from",
            "status": "Status",
        },
        empty_title="No API tokens yet",
        empty_hint="Create one above for each system that talks to Beacon.",
        caption="API tokens, newest first",
    )


def fresh() -> tuple[Component, list[dict[str, object]]]:
    with connect() as conn:
        tokens = api_tokens.tokens(conn=conn)
        codes = region_codes(accounts.regions_table(conn=conn))
    return tokens_list(tokens, codes), live_options(tokens)


@callback(
    Output(ids.created, "children"),
    Output(ids.table, "children", allow_duplicate=True),
    Output(ids.pick, "options", allow_duplicate=True),
    Input(ids.create, "n_clicks"),
    State(ids.name, "value"),
    State(ids.role, "value"),
    State(ids.regions, "value"),
    State(ids.days, "value"),
    State(ids.allow, "value"),
    prevent_initial_call=True,
)
@requires(*ADMINS)
def create(
    _clicks: int | None,
    name: str | None,
    role: str | None,
    regions: list[Any] | None,
    days: Any,
    allow: Any,
) -> tuple[Any, ...]:
    result = create_token(
        actor=current_actor(),
        name=name if isinstance(name, str) else None,
        role=role,
        regions=regions,
        days=days,
        allow=allow if isinstance(allow, str) else None,
        now=now(),
    )
    deny_if_forged(result)
    if isinstance(result, Refused):
        return dbc.Alert(result.message, color="warning"), dash.no_update, dash.no_update
    shown = shown_once(
        f"Token created; it expires {local_datetime(result.expires_at)}.",
        secret=result.secret,
        input_id=ids.secret,
        label="The new token",
    )
    return with_fresh_list(shown, fresh)


@callback(
    Output(ids.revoked, "children"),
    Output(ids.table, "children", allow_duplicate=True),
    Output(ids.pick, "options", allow_duplicate=True),
    Input(ids.revoke, "n_clicks"),
    State(ids.pick, "value"),
    prevent_initial_call=True,
)
@requires(*ADMINS)
def revoke(_clicks: int | None, token_id: Any) -> tuple[Any, ...]:
    result = revoke_token(actor=current_actor(), token_id=token_id, now=now())
    deny_if_forged(result)
    if isinstance(result, Refused):
        return dbc.Alert(result.message, color="warning"), dash.no_update, dash.no_update
    table, options = fresh()
    return dbc.Alert(result, color="success"), table, options

"""Users: invite people, change their role and regions, disable an account."""

from __future__ import annotations

from typing import Any

import dash
import dash_bootstrap_components as dbc
import pandas as pd
from dash import Input, Output, State, callback, dcc, html
from dash.development.base_component import Component

from actions.base import Refused
from actions.users import change_user, invite_user
from auth.access import ADMINS, ROLES, current_actor, requires
from auth.requests import now
from components.filters import field
from components.table import data_table
from data import accounts
from data.engine import connect

dash.register_page(__name__, path="/admin/users", name="Users", area="Admin", order=1, roles=ADMINS)


class ids:
    table = "users-table"
    invite_email = "users-invite-email"
    invite_name = "users-invite-name"
    invite_role = "users-invite-role"
    invite_regions = "users-invite-regions"
    invite = "users-invite"
    invite_result = "users-invite-result"
    pick = "users-pick"
    role = "users-role"
    regions = "users-regions"
    active = "users-active"
    save = "users-save"
    save_result = "users-save-result"


def layout(**_kwargs: str) -> html.Div:
    with connect() as conn:
        users = accounts.users_table(conn=conn)
        regions = accounts.regions_table(conn=conn)
    region_options = [
        {"label": f"{c} – {n}", "value": int(i)}
        for i, c, n in regions[["id", "code", "name"]].itertuples(index=False)
    ]
    role_options = [{"label": r.capitalize(), "value": r} for r in ROLES]
    invite = dbc.Card(
        dbc.CardBody(
            [
                html.H2("Invite someone", className="h6"),
                dbc.Row(
                    [
                        field(
                            "Email",
                            dbc.Input(id=ids.invite_email, type="email", maxLength=254),
                            md=4,
                        ),
                        field("Name", dbc.Input(id=ids.invite_name, maxLength=120), md=3),
                        field(
                            "Role",
                            dbc.Select(id=ids.invite_role, options=role_options, value="viewer"),
                            md=2,
                        ),
                        dbc.Col(
                            [
                                dbc.Label("Regions (managers)"),
                                dbc.Checklist(
                                    id=ids.invite_regions, options=region_options, inline=True
                                ),
                            ],
                            md=3,
                        ),
                    ],
                    className="g-2",
                ),
                dbc.Button("Send invitation", id=ids.invite, color="primary", className="mt-2"),
                html.Div(id=ids.invite_result, className="mt-2", role="status"),
            ]
        ),
        className="form-card",
    )
    edit = dbc.Card(
        dbc.CardBody(
            [
                html.H2("Change a user", className="h6"),
                dbc.Row(
                    [
                        field(
                            "User",
                            dcc.Dropdown(
                                id=ids.pick,
                                options=[
                                    {"label": e, "value": int(i)}
                                    for i, e in users[["id", "email"]].itertuples(index=False)
                                ],
                            ),
                            md=4,
                        ),
                        field("Role", dbc.Select(id=ids.role, options=role_options), md=2),
                        dbc.Col(
                            [
                                dbc.Label("Regions (managers)"),
                                dbc.Checklist(id=ids.regions, options=region_options, inline=True),
                            ],
                            md=4,
                        ),
                        dbc.Col(
                            [
                                dbc.Label("Account"),
                                dbc.Switch(id=ids.active, label="Active", value=True),
                            ],
                            md=2,
                        ),
                    ],
                    className="g-2",
                ),
                dbc.Button("Save", id=ids.save, color="primary", className="mt-2"),
                html.Div(id=ids.save_result, className="mt-2", role="status"),
            ]
        ),
        className="form-card",
    )
    return html.Div([invite, edit, html.Div(users_list(users), id=ids.table)])


def fresh_users_list() -> Component:
    with connect() as conn:
        return users_list(accounts.users_table(conn=conn))


def users_list(users: pd.DataFrame) -> Component:
    return data_table(
        users,
        {
            "email": "Email",
            "display_name": "Name",
            "role": "Role",
            "regions": "Regions",
            "sign_in": "Sign-in",
            "is_active": "Active",
            "last_login_at": "Last sign-in",
        },
        empty_title="No users yet",
        empty_hint="Invite the first one above.",
    )


@callback(
    Output(ids.role, "value"),
    Output(ids.regions, "value"),
    Output(ids.active, "value"),
    Input(ids.pick, "value"),
)
@requires(*ADMINS)
def load_user(user_id: Any) -> tuple[Any, ...]:
    if user_id is None:
        raise dash.exceptions.PreventUpdate
    with connect() as conn:
        account = accounts.account_by_id(conn=conn, user_id=int(user_id))
    if account is None:
        raise dash.exceptions.PreventUpdate
    return account.role, list(account.region_ids), account.is_active


@callback(
    Output(ids.invite_result, "children"),
    Output(ids.table, "children", allow_duplicate=True),
    Input(ids.invite, "n_clicks"),
    State(ids.invite_email, "value"),
    State(ids.invite_name, "value"),
    State(ids.invite_role, "value"),
    State(ids.invite_regions, "value"),
    prevent_initial_call=True,
)
@requires(*ADMINS)
def invite(
    _clicks: int | None,
    email: str | None,
    name: str | None,
    role: str | None,
    region_values: list[Any] | None,
) -> Any:
    result = invite_user(
        actor=current_actor(),
        email=text(email),
        name=text(name),
        role=role,
        regions=region_values,
        now=now(),
    )
    if isinstance(result, Refused):
        return dbc.Alert(result.message, color="warning"), dash.no_update
    sent = "sent again" if result.resent else "sent"  # invited before, never signed up
    return dbc.Alert(f"Invitation {sent} to {result.email}.", color="success"), fresh_users_list()


def text(value: object) -> str | None:
    return value if isinstance(value, str) else None


@callback(
    Output(ids.save_result, "children"),
    Output(ids.table, "children", allow_duplicate=True),
    Input(ids.save, "n_clicks"),
    State(ids.pick, "value"),
    State(ids.role, "value"),
    State(ids.regions, "value"),
    State(ids.active, "value"),
    prevent_initial_call=True,
)
@requires(*ADMINS)
def save_user(
    _clicks: int | None,
    user_id: Any,
    role: str | None,
    region_values: list[Any] | None,
    active: Any,
) -> Any:
    result = change_user(
        actor=current_actor(),
        user_id=user_id,
        role=role,
        regions=region_values,
        active=active,
        now=now(),
    )
    if isinstance(result, Refused):
        return dbc.Alert(result.message, color="warning"), dash.no_update
    return dbc.Alert(result.message, color="success"), fresh_users_list()

"""Webhooks: an admin registers an HTTPS endpoint for chosen events (its signing secret
shown once), turns one off, and reads the delivery log."""

from __future__ import annotations

from typing import Any

import dash
import dash_bootstrap_components as dbc
import pandas as pd
from dash import Input, Output, State, callback, dcc, html
from dash.development.base_component import Component

from actions.base import Refused
from actions.webhooks import EVENT_LABELS, disable_endpoint, register_endpoint
from auth.access import ADMINS, current_actor, deny_if_forged, requires
from auth.requests import now
from components.form_field import form_field, pick_and_act
from components.formatting import local_datetime
from components.shown_once import shown_once, with_fresh_list
from components.table import data_table
from data import api_tokens, webhooks
from data.engine import connect

dash.register_page(
    __name__, path="/admin/webhooks", name="Webhooks", area="Admin", order=6, roles=ADMINS
)
LOG_ROWS = 100


class ids:
    name = "hooks-name"
    url = "hooks-url"
    token = "hooks-token"
    events = "hooks-events"
    register = "hooks-register"
    registered = "hooks-registered"
    secret = "hooks-secret"
    pick = "hooks-pick"
    disable = "hooks-disable"
    disabled = "hooks-disabled"
    endpoints = "hooks-endpoints"
    reload = "hooks-reload"
    log = "hooks-log"


def layout(**_kwargs: str) -> html.Div:
    moment = now()
    with connect() as conn:
        tokens = api_tokens.tokens(conn=conn)
        endpoints = webhooks.endpoints(conn=conn)
        log = webhooks.delivery_log(conn=conn, limit=LOG_ROWS)
    live = tokens[tokens["revoked_at"].isna() & (tokens["expires_at"] > moment)]
    register = dbc.Card(
        dbc.CardBody(
            [
                html.H2("Register an endpoint", className="h6"),
                html.P(
                    "Beacon POSTs each chosen event as JSON, signed with HMAC-SHA256 in the "
                    "Beacon-Signature header, and retries for about an hour until the "
                    "endpoint answers 2xx. It hears only what its API token may see.",
                    className="text-body-secondary small",
                ),
                dbc.Row(
                    [
                        form_field("Name", dbc.Input(id=ids.name, maxLength=80), ids.name, 3),
                        form_field(
                            "URL",
                            dbc.Input(
                                id=ids.url,
                                type="url",
                                maxLength=2000,
                                placeholder="https://example.org/beacon-hook",
                            ),
                            ids.url,
                            5,
                        ),
                        form_field(
                            "Sends as token",
                            dcc.Dropdown(
                                id=ids.token,
                                options=[
                                    {"label": f"{n} ({r})", "value": int(i)}
                                    for i, n, r in live[["id", "name", "role"]].itertuples(
                                        index=False
                                    )
                                ],
                                placeholder="Create one in API tokens first"
                                if live.empty
                                else "Choose a token",
                            ),
                            ids.token,
                            4,
                        ),
                    ],
                    className="g-2",
                ),
                dbc.Label("Events", className="mt-2"),
                dbc.Checklist(
                    id=ids.events,
                    options=[{"label": label, "value": e} for e, label in EVENT_LABELS.items()],
                ),
                dbc.Button("Register", id=ids.register, color="primary", className="mt-2"),
                html.Div(id=ids.registered, className="mt-2", role="status"),
            ]
        ),
        className="form-card",
    )
    turn_off = pick_and_act(
        title="Turn an endpoint off",
        label="Endpoint",
        pick_id=ids.pick,
        options=enabled_options(endpoints),
        button="Turn off",
        button_id=ids.disable,
        result_id=ids.disabled,
    )
    return html.Div(
        [
            register,
            turn_off,
            html.Div(endpoints_list(endpoints), id=ids.endpoints),
            html.Div(
                [
                    html.H2(f"Delivery log (newest {LOG_ROWS})", className="h6 mt-4 d-inline"),
                    dbc.Button(
                        "Reload",
                        id=ids.reload,
                        size="sm",
                        color="secondary",
                        outline=True,
                        className="ms-2",
                    ),
                ]
            ),
            dcc.Loading(html.Div(delivery_list(log), id=ids.log), delay_show=150),
        ]
    )


def enabled_options(endpoints: pd.DataFrame) -> list[dict[str, object]]:
    on = endpoints[endpoints["disabled_at"].isna()] if not endpoints.empty else endpoints
    return [
        {"label": f"{n} ({u})", "value": int(i)}
        for i, n, u in on[["id", "name", "url"]].itertuples(index=False)
    ]


def endpoints_list(endpoints: pd.DataFrame) -> Component:
    shown = endpoints.copy()
    if not shown.empty:
        shown["events"] = [", ".join(EVENT_LABELS.get(e, e) for e in es) for es in shown["events"]]
        shown["created_at"] = [local_datetime(v) for v in shown["created_at"]]
        shown["state"] = [
            "On" if pd.isna(v) else "Off since " + local_datetime(v) for v in shown["disabled_at"]
        ]
    return data_table(
        shown,
        {
            "name": "Name",
            "url": "URL",
            "events": "Events",
            "token": "Sends as token",
            "created_by": "Registered by",
            "created_at": "Registered",
            "state": "State",
        },
        empty_title="No webhooks yet",
        empty_hint="Register an endpoint above to hear of alerts, failures and loads.",
        caption="Webhook endpoints, newest first",
    )


def delivery_list(log: pd.DataFrame) -> Component:
    shown = log.copy()
    if not shown.empty:
        shown["event"] = [EVENT_LABELS.get(e, e) for e in shown["event"]]
        for column in ("created_at", "next_attempt_at", "delivered_at"):
            shown[column] = [local_datetime(v) if pd.notna(v) else "–" for v in shown[column]]
        shown["last_status"] = [str(int(v)) if pd.notna(v) else "–" for v in shown["last_status"]]
        shown["last_error"] = shown["last_error"].fillna("")
    return data_table(
        shown,
        {
            "created_at": "Queued",
            "endpoint": "Endpoint",
            "event": "Event",
            "status": "Status",
            "attempts": "Attempts",
            "last_status": "Last answer",
            "last_error": "Last error",
            "next_attempt_at": "Next try",
            "delivered_at": "Delivered",
        },
        empty_title="Nothing sent yet",
        empty_hint="Deliveries appear here as events happen.",
        caption="Webhook deliveries, newest first",
    )


def fresh() -> tuple[Component, list[dict[str, object]]]:
    with connect() as conn:
        endpoints = webhooks.endpoints(conn=conn)
    return endpoints_list(endpoints), enabled_options(endpoints)


@callback(
    Output(ids.registered, "children"),
    Output(ids.endpoints, "children", allow_duplicate=True),
    Output(ids.pick, "options", allow_duplicate=True),
    Input(ids.register, "n_clicks"),
    State(ids.name, "value"),
    State(ids.url, "value"),
    State(ids.token, "value"),
    State(ids.events, "value"),
    prevent_initial_call=True,
)
@requires(*ADMINS)
def register(
    _clicks: int | None,
    name: str | None,
    url: str | None,
    token_id: int | None,
    events: list[str] | None,
) -> tuple[Any, Any, Any]:
    result = register_endpoint(
        actor=current_actor(),
        name=name if isinstance(name, str) else None,
        url=url if isinstance(url, str) else None,
        token_id=token_id,
        events=events,
        now=now(),
    )
    deny_if_forged(result)
    if isinstance(result, Refused):
        return dbc.Alert(result.message, color="warning"), dash.no_update, dash.no_update
    shown = shown_once(
        "Registered. Check each delivery's Beacon-Signature (t=…,v1=…): the HMAC-SHA256 of "
        "“t.body” with this signing secret.",
        secret=result.secret,
        input_id=ids.secret,
        label="The signing secret",
    )
    return with_fresh_list(shown, fresh)


@callback(
    Output(ids.disabled, "children"),
    Output(ids.endpoints, "children", allow_duplicate=True),
    Output(ids.pick, "options", allow_duplicate=True),
    Input(ids.disable, "n_clicks"),
    State(ids.pick, "value"),
    prevent_initial_call=True,
)
@requires(*ADMINS)
def turn_off(_clicks: int | None, endpoint_id: int | None) -> tuple[Any, Any, Any]:
    result = disable_endpoint(actor=current_actor(), endpoint_id=endpoint_id, now=now())
    deny_if_forged(result)
    if isinstance(result, Refused):
        return dbc.Alert(result.message, color="warning"), dash.no_update, dash.no_update
    table, options = fresh()
    return dbc.Alert(result, color="success"), table, options


@callback(Output(ids.log, "children"), Input(ids.reload, "n_clicks"), prevent_initial_call=True)
@requires(*ADMINS)
def reload_log(_clicks: int | None) -> Component:
    with connect() as conn:
        return delivery_list(webhooks.delivery_log(conn=conn, limit=LOG_ROWS))

"""My schedule: the sessions I host as a mentor, and my calendar subscription address."""

from __future__ import annotations

from datetime import timedelta

import dash
import dash_bootstrap_components as dbc
import pandas as pd
from dash import Input, Output, callback, html
from dash.development.base_component import Component
from flask_login import current_user

from actions.account import replace_calendar_address
from auth.access import EVERYONE, current_actor, requires
from auth.requests import now
from components.calendar import session_links
from components.empty_state import empty_state
from data import schedules
from data.engine import connect
from settings import get_settings

dash.register_page(
    __name__,
    path="/schedules/mine",
    name="My schedule",
    area="Schedules",
    order=2,
    roles=EVERYONE,
)


class ids:
    subscribe = "mine-subscribe"
    revoke = "mine-revoke"
    address = "mine-address"


def layout(**_kwargs: str) -> Component:
    moment = now()
    zone = get_settings().timezone
    with connect() as conn:
        sessions = schedules.hosted_by(
            conn=conn, user_id=current_user.user_id, since=moment - timedelta(days=60)
        )
        subscribed = schedules.has_token(conn=conn, user_id=current_user.user_id)
    sessions = sessions.assign(
        local_start=sessions["starts_at"].dt.tz_convert(zone),
        local_end=sessions["ends_at"].dt.tz_convert(zone),
    )
    upcoming = sessions[(sessions["status"] == "scheduled")]
    done = sessions[sessions["status"] != "scheduled"].iloc[::-1]

    def column(title: str, frame: pd.DataFrame, empty: str) -> dbc.Col:
        items = session_links(frame)
        return dbc.Col(
            [
                html.H2(title, className="section-title"),
                html.Div(items, className="session-list") if items else empty_state(empty, ""),
            ],
            md=6,
        )

    return html.Div(
        [
            html.P(
                "Sessions you host as a mentor. Open one to mark it completed (with any "
                "no-shows) or cancelled."
            ),
            dbc.Row(
                [
                    column("Upcoming", upcoming, "Nothing booked with you"),
                    column("Completed and cancelled (60 days)", done, "Nothing yet"),
                ]
            ),
            dbc.Card(
                dbc.CardBody(
                    [
                        html.H2("Calendar subscription", className="section-title"),
                        html.P(
                            "A private address your calendar app can subscribe to. Anyone with "
                            "it can read your sessions, so keep it to yourself; revoke it to "
                            "stop it working."
                        ),
                        html.Div(
                            "You have an active address (shown only when made)."
                            if subscribed
                            else "",
                            id=ids.address,
                            role="status",
                        ),
                        dbc.Button(
                            "Make a new address",
                            id=ids.subscribe,
                            color="primary",
                            className="me-2",
                        ),
                        dbc.Button("Revoke", id=ids.revoke, color="danger", outline=True),
                    ]
                ),
                className="form-card mt-3",
            ),
        ]
    )


@callback(
    Output(ids.address, "children"),
    Input(ids.subscribe, "n_clicks"),
    Input(ids.revoke, "n_clicks"),
    prevent_initial_call=True,
)
@requires(*EVERYONE)
def manage_subscription(_new: int | None, _revoke: int | None) -> Component:
    """A new address revokes the old one; only the token's hash is stored."""
    making = dash.ctx.triggered_id == ids.subscribe
    token = replace_calendar_address(actor=current_actor(), make_new=making, now=now())
    if not token:
        return dbc.Alert("Revoked: the old address no longer works.", color="success")
    base = get_settings().base_url
    return dbc.Alert(
        [
            html.P("Your new address (copy it now; it is not shown again):"),
            html.Code(f"{base}/calendar/{token}.ics", className="calendar-address"),
        ],
        color="success",
    )

"""The callbacks of the shell around every page: theme, title, "Data as of", notifications."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import dash
import dash_bootstrap_components as dbc
import pandas as pd
from dash import ALL, ClientsideFunction, Input, Output, State, callback, clientside_callback, ctx
from flask_login import current_user

from actions import account
from auth.access import EVERYONE, current_actor, region_scope, requires
from auth.requests import now
from components.feed import region_suffix
from components.formatting import local_datetime
from components.notifications import ids as notify
from components.notifications import notification_items
from components.shell import ids
from components.theme import FOLLOW_SYSTEM, valid_theme
from data import activity
from data.engine import connect
from data.queries.overview import data_as_of
from settings import get_settings

clientside_callback(
    ClientsideFunction(namespace="beacon", function_name="applyTheme"),
    Output(ids.theme_applied, "data"),
    Input(ids.theme, "data"),
    State(ids.theme_bases, "data"),
)

clientside_callback(
    ClientsideFunction(namespace="beacon", function_name="revealActive"),
    Output(ids.nav_shown, "data"),
    Input(ids.url, "pathname"),
)

clientside_callback(
    ClientsideFunction(namespace="beacon", function_name="toggleMenu"),
    Output(ids.menu, "is_open"),
    Input(ids.menu_button, "n_clicks"),
    Input(ids.url, "pathname"),
    State(ids.menu, "is_open"),
    prevent_initial_call=True,
)


clientside_callback(
    ClientsideFunction(namespace="beacon", function_name="refreshDashboard"),
    Output(ids.refreshed, "data"),
    Input(ids.refresh_tick, "n_intervals"),
    State(ids.refresh_pages, "data"),
    prevent_initial_call=True,
)


@callback(
    Output(ids.refresh_tick, "interval"),
    Output(ids.refresh_tick, "disabled"),
    Input(ids.refresh_every, "value"),
    prevent_initial_call=True,
)
@requires(*EVERYONE)
def save_refresh(choice: str | None) -> tuple[int, bool]:
    """Keep the choice on the account and start, change or stop the ticking."""
    if not isinstance(choice, str) or choice not in account.REFRESH_MINUTES:
        raise dash.exceptions.PreventUpdate
    account.save_preference(actor=current_actor(), name="auto_refresh", value=choice)
    minutes = account.REFRESH_MINUTES[choice]
    return (minutes or 1) * 60_000, minutes is None


@callback(Output(ids.theme, "data"), Input(ids.theme_picker, "value"), prevent_initial_call=True)
@requires(*EVERYONE)
def save_theme(choice: str | None) -> str:
    """The user's theme follows them to every browser; an unknown name falls back to the default.
    "System" is kept as such, and the browser resolves it (`followSystem`)."""
    theme = FOLLOW_SYSTEM if choice == FOLLOW_SYSTEM else valid_theme(choice)
    account.save_preference(actor=current_actor(), name="theme", value=theme)
    return theme


# "System" (chosen, or never chosen) is resolved once applied: the device's theme, for the
# figures drawn on the server too.
clientside_callback(
    ClientsideFunction(namespace="beacon", function_name="followSystem"),
    Output(ids.theme, "data", allow_duplicate=True),
    Input(ids.theme_applied, "data"),
    State(ids.theme, "data"),
    prevent_initial_call=True,
)


@callback(Output(ids.title, "children"), Input(ids.url, "pathname"))
@requires(*EVERYONE)
def page_title(pathname: str | None) -> str:
    for page in dash.page_registry.values():
        if page["relative_path"] == pathname:
            return str(page["name"])
    return "Page not found"


@callback(Output(ids.data_as_of, "children"), Input(ids.url, "pathname"))
@requires(*EVERYONE)
def show_data_as_of(_pathname: str | None) -> list[Any]:
    """The newest data timestamp on every page, and a Stale badge past the configured age."""
    with connect() as conn:
        newest = data_as_of(conn=conn)["newest"].max()
    if pd.isna(newest):
        return ["No data yet"]
    limit = get_settings().stale_after_hours
    shown: list[Any] = [f"Data as of {local_datetime(newest)}"]
    if now() - newest.to_pydatetime() > timedelta(hours=limit):
        shown.append(
            dbc.Badge(
                "Stale",
                color="warning",
                text_color="dark",
                className="ms-2",
                title=f"The newest data is more than {limit:g} hours old.",
            )
        )
    return shown


def _badge(count: int) -> tuple[str, str]:
    hidden = "" if count else " d-none"
    return (f"{count}" if count < 100 else "99+"), "notify-badge" + hidden


@callback(
    Output(notify.badge, "children"),
    Output(notify.badge, "className"),
    Output(notify.seen, "data"),
    Output(notify.toast, "children"),
    Output(notify.toast, "is_open"),
    Input(notify.poll, "n_intervals"),
    State(notify.seen, "data"),
)
@requires(*EVERYONE)
def poll_notifications(_ticks: int | None, seen: Any) -> tuple[Any, ...]:
    """Every few seconds: the unread count, and a toast when something new arrived. It reads
    the database, so it works the same behind any number of web workers."""
    with connect() as conn:
        count, newest = activity.unread(
            conn=conn, user_id=current_user.user_id, region_ids=region_scope()
        )
        fresh = isinstance(seen, int) and newest > seen
        latest = (
            activity.notifications(
                conn=conn, user_id=current_user.user_id, region_ids=region_scope(), limit=1
            )
            if fresh
            else None
        )
    text, classes = _badge(count)
    if latest is None or latest.empty:
        return text, classes, newest, dash.no_update, dash.no_update
    # Two regions' toasts read alike without the region.
    said = latest["summary"].iloc[0] + region_suffix(latest["region"].iloc[0])
    return text, classes, newest, said, True


@callback(
    Output(notify.items, "children"),
    Output(notify.badge, "children", allow_duplicate=True),
    Output(notify.badge, "className", allow_duplicate=True),
    Input(notify.bell, "n_clicks"),
    Input(notify.read_all, "n_clicks"),
    Input(notify.read(ALL), "n_clicks"),
    prevent_initial_call=True,
)
@requires(*EVERYONE)
def notification_list(_open: int, _all: int, _one: list[int]) -> tuple[Any, ...]:
    """Open the list, or mark one or all read (only the user's own: ids are checked)."""
    trigger = ctx.triggered_id
    clicked = ctx.triggered[0]["value"] if ctx.triggered else None
    if trigger == notify.read_all and clicked:
        account.mark_read(actor=current_actor(), notification_ids=None, now=now())
    elif isinstance(trigger, dict) and clicked and isinstance(trigger.get("id"), int):
        account.mark_read(actor=current_actor(), notification_ids=[trigger["id"]], now=now())
    with connect() as conn:
        listed = activity.notifications(
            conn=conn, user_id=current_user.user_id, region_ids=region_scope(), limit=10
        )
        count, _ = activity.unread(
            conn=conn, user_id=current_user.user_id, region_ids=region_scope()
        )
    return (notification_items(listed, now=now()), *_badge(count))

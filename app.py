"""Beacon: the Flask server, the Dash app and their wiring. `server` is the WSGI entry point."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta
from html import escape as html_escape
from typing import Any

import dash
import dash_bootstrap_components as dbc
import pandas as pd
from dash import (
    ALL,
    ClientsideFunction,
    Dash,
    Input,
    Output,
    State,
    callback,
    clientside_callback,
    ctx,
    html,
)
from flask import Flask, Response, jsonify, request
from flask_login import current_user
from sqlalchemy.exc import InterfaceError, OperationalError, SQLAlchemyError
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from actions import account
from auth.access import EVERYONE, allowed, current_actor, region_scope, requires
from auth.audit import audit
from auth.background import guard_background_callbacks
from auth.csrf import csrf_token
from auth.headers import MAX_REQUEST_BYTES, TOO_LARGE, security_headers
from auth.requests import now
from auth.setup import init_auth
from components.empty_state import empty_state
from components.formatting import local_datetime
from components.notifications import ids as notify
from components.notifications import notification_items
from components.shell import ids, shell
from components.theme import DEFAULT_THEME, theme_css, valid_theme
from data import activity
from data.engine import connect
from data.preferences import read_preference
from data.queries.overview import data_as_of
from jobs import heartbeats
from jobs.readiness import readiness
from observability.metrics import CONTENT_TYPE, exposition
from observability.requests import observe_requests, request_id
from observability.scrape import metrics_allowed, scraped_metrics
from settings import Settings, get_settings, load_settings_or_exit
from sharing import embed, exports  # noqa: F401 (exports registers its callbacks)

log = logging.getLogger("beacon")

BOOTSTRAP_CSS = "/assets/vendor/bootstrap-5.3.9.min.css"
DATABASE_DOWN = "The database is not answering right now. Nothing was lost; try again in a moment."
# Every write is one transaction with its audit entry, so a failure changed nothing.
SOMETHING_FAILED = (
    "Something went wrong on our side and nothing was changed. "
    "The error has been logged; try again in a moment."
)


def create_server() -> Flask:
    settings = load_settings_or_exit()
    server = Flask(__name__)
    observe_requests(server, callbacks=lambda: dash.get_app().callback_map)
    server.config["SECRET_KEY"] = settings.secret_key.get_secret_value()  # type: ignore[union-attr]
    server.config["MAX_CONTENT_LENGTH"] = MAX_REQUEST_BYTES

    @server.get("/healthz")
    def healthz() -> Response:
        return jsonify(status="ok")

    @server.get("/readyz")
    def readyz() -> tuple[Response, int]:
        """Each part this deployment needs, with what is wrong; 503 when any is down."""
        ready, body = readiness(get_settings())
        return jsonify(body), 200 if ready else 503

    @server.get("/metrics")
    def metrics() -> Response:
        """Prometheus: with BEACON_METRICS_TOKEN as a bearer token, or straight from this
        host (no proxy in between). Anyone else finds nothing here."""
        if not metrics_allowed(get_settings()):
            return Response("Not found", 404, mimetype="text/plain")
        return Response(exposition(scraped_metrics()), mimetype=CONTENT_TYPE)

    @server.get("/theme.css")
    def theme_stylesheet() -> Response:
        return Response(theme_css(), mimetype="text/css")

    @server.errorhandler(500)
    def server_error(_error: Exception) -> tuple[str, int]:
        return error_page("Something went wrong on our side"), 500

    @server.errorhandler(RequestEntityTooLarge)
    def too_large(_error: RequestEntityTooLarge) -> tuple[Response | str, int]:
        if request.path.startswith("/_"):
            return jsonify(error=TOO_LARGE), 413
        return error_page(TOO_LARGE), 413

    @server.errorhandler(SQLAlchemyError)
    def database_down(error: SQLAlchemyError) -> tuple[Response | str, int]:
        # Sessions live in the database too, so this can happen before any callback runs.
        log.error("database error: %s", type(error).__name__)
        if request.path.startswith("/_"):
            return jsonify(error=DATABASE_DOWN, reference=request_id()), 503
        return error_page(DATABASE_DOWN), 503

    init_auth(server, settings)
    server.register_blueprint(embed.blueprint)
    return server


def report_callback_error(error: Exception) -> None:
    """Any failing callback shows a friendly message in the shell instead of a traceback.

    Access refusals (401/403) are not failures: they go out as HTTP errors, with no data.
    """
    if isinstance(error, HTTPException):
        raise error
    log.exception("callback failed", exc_info=error)
    # Only a lost connection is "the database is down"; a refused value is not.
    lost = isinstance(error, OperationalError | InterfaceError)
    message = DATABASE_DOWN if lost else SOMETHING_FAILED
    dash.set_props(
        ids.alert, {"children": f"{message} (Reference: {request_id()})", "is_open": True}
    )


def app_layout() -> html.Div:
    """Built per request: the navigation lists only what the signed-in user's role may open.

    Dash also builds it once, at its first request, to validate ids: that request may be
    anonymous (the guard keeps anonymous users away from /_dash-layout itself).
    """
    pages = [page for page in dash.page_registry.values() if allowed(page["roles"])]
    user = current_user if current_user.is_authenticated else None
    theme = DEFAULT_THEME
    if user:
        with connect() as conn:
            theme = valid_theme(read_preference(conn=conn, user_id=user.user_id, name="theme"))
    return shell(
        pages=pages,
        content=dash.page_container,
        user_name=user.display_name if user else "",
        role=user.role if user else "",
        csrf=csrf_token(),
        theme=theme,
    )


def role_guarded(page: dict[str, Any]) -> Callable[..., Any]:
    """Every page checks the role on the server, whatever path or input reached it."""
    layout, roles = page["layout"], page["roles"]

    def guarded(**kwargs: Any) -> Any:
        if not allowed(roles):
            audit("access.denied", what="page", path=page["path"])
            return empty_state(
                "You do not have access to this page",
                "Ask an administrator if you need it for your work.",
            )
        return layout(**kwargs) if callable(layout) else layout

    return guarded


def background_manager(settings: Settings) -> Any:
    """Long callbacks run outside the web request: in local processes with a disk cache
    (embedded), or on the Celery workers through Redis (scale-out)."""
    if settings.redis_url:
        from dash import CeleryManager

        from jobs.celery_app import celery_app

        return CeleryManager(celery_app, expire=3600)
    import diskcache
    from dash import DiskcacheManager

    return DiskcacheManager(diskcache.Cache(str(settings.instance_dir / "background")), expire=3600)


def queue_problem() -> str | None:
    """Why a background job cannot be queued now (Redis down), or None."""
    url = get_settings().redis_url
    if not url:
        return None
    probe = heartbeats.redis_probe(url)
    return None if probe.ok else f"Redis {probe.detail}"


def app_celery(settings: Settings) -> Any:
    """The Celery app the background callbacks were registered on (scale-out), else None."""
    if not settings.redis_url:
        return None
    from jobs.celery_app import celery_app

    return celery_app


def create_app() -> Dash:
    settings = load_settings_or_exit()
    app = Dash(
        __name__,
        server=create_server(),
        use_pages=True,
        title="Beacon",
        update_title=None,
        # Bootstrap is served from assets/ (no CDN), ahead of our own CSS that refines it.
        external_stylesheets=[BOOTSTRAP_CSS, "/theme.css"],
        # Dash matches this against file names only: keep the vendored copy from loading twice.
        assets_ignore=r"^bootstrap-[0-9.]+\.min\.css$",
        suppress_callback_exceptions=True,
        on_error=report_callback_error,
        background_callback_manager=background_manager(settings),
    )
    app.server.before_request(guard_background_callbacks(app, queue_problem=queue_problem))
    app.server.after_request(security_headers(app.csp_hashes))
    for page in dash.page_registry.values():
        page["layout"] = role_guarded(page)
    app.layout = app_layout
    return app


clientside_callback(
    ClientsideFunction(namespace="beacon", function_name="applyTheme"),
    Output(ids.theme_applied, "data"),
    Input(ids.theme, "data"),
    State(ids.theme_bases, "data"),
)


@callback(Output(ids.theme, "data"), Input(ids.theme_picker, "value"), prevent_initial_call=True)
@requires(*EVERYONE)
def save_theme(choice: str | None) -> str:
    """The user's theme follows them to every browser; an unknown name falls back to the default."""
    theme = valid_theme(choice)
    account.save_preference(actor=current_actor(), name="theme", value=theme)
    return theme


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
    return text, classes, newest, latest["summary"].iloc[0], True


@callback(
    Output(notify.items, "children"),
    Output(notify.badge, "children", allow_duplicate=True),
    Output(notify.badge, "className", allow_duplicate=True),
    Input(notify.bell, "n_clicks"),
    Input(notify.read_all, "n_clicks"),
    Input(notify.read(ALL), "n_clicks"),  # type: ignore[arg-type]
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


def error_page(title: str) -> str:
    """The friendly error page, with the request id that finds its log lines."""
    return FRIENDLY_ERROR_PAGE.format(title=html_escape(title), reference=request_id())


FRIENDLY_ERROR_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Beacon is having a problem</title>
<link rel="stylesheet" href="/assets/beacon.css"></head>
<body><main class="error-page"><h1>{title}</h1>
<p>Your data is safe. Please try again in a moment;
if it keeps happening, tell an administrator and give them this reference:
<code>{reference}</code></p>
<p><a href="/">Back to the home page</a></p></main></body></html>"""

app = create_app()
server = app.server
# The Celery worker (`celery -A app:celery_app worker`) imports this module, so that it knows
# the background callbacks as well as the scheduled jobs.
celery_app = app_celery(load_settings_or_exit())

if __name__ == "__main__":
    from beacon.serve import development_server

    development_server(app)

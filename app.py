"""Beacon: the Flask server, the Dash app and their wiring. `server` is the WSGI entry point."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import dash
from dash import Dash, html
from flask import Flask
from flask_login import current_user
from flask_openapi3 import OpenAPI

from api import OPENAPI_SETTINGS, register_api
from auth.access import allowed
from auth.audit import audit
from auth.background import guard_background_callbacks
from auth.csrf import csrf_token
from auth.headers import MAX_REQUEST_BYTES, security_headers
from auth.setup import init_auth
from components.empty_state import empty_state
from components.shell import shell
from components.theme import FOLLOW_SYSTEM, valid_theme
from data.accounts import regions_table
from data.engine import connect
from data.preferences import read_preference
from observability.requests import observe_requests
from settings import load_settings_or_exit
from sharing import embed, exports  # noqa: F401 (exports registers its callbacks)
from web import imports, routes, search, shell_callbacks  # noqa: F401 (the shell's callbacks)
from web.background import app_celery, background_manager, queue_problem
from web.errors import register_error_pages, report_callback_error

log = logging.getLogger("beacon")

BOOTSTRAP_CSS = "/assets/vendor/bootstrap-5.3.9.min.css"


def create_server() -> Flask:
    settings = load_settings_or_exit()
    server = OpenAPI(__name__, **OPENAPI_SETTINGS)  # a Flask app that also serves the API
    observe_requests(server, callbacks=lambda: dash.get_app().callback_map)
    server.config["SECRET_KEY"] = settings.secret_key.get_secret_value()  # type: ignore[union-attr]
    server.config["MAX_CONTENT_LENGTH"] = MAX_REQUEST_BYTES

    init_auth(server, settings)
    server.register_blueprint(routes.blueprint)
    server.register_blueprint(imports.blueprint)
    server.register_blueprint(embed.blueprint)
    register_api(server)
    register_error_pages(server)
    return server


def app_layout() -> html.Div:
    """Built per request: the navigation lists only what the signed-in user's role may open.

    Dash also builds it once, at its first request, to validate ids: that request may be
    anonymous (the guard keeps anonymous users away from /_dash-layout itself).
    """
    pages = [page for page in dash.page_registry.values() if allowed(page["roles"])]
    user = current_user if current_user.is_authenticated else None
    theme = FOLLOW_SYSTEM  # until the user chooses, the browser follows the OS (dark or not)
    every = "off"
    scope = ""
    if user:
        with connect() as conn:
            chosen = read_preference(conn=conn, user_id=user.user_id, name="theme")
            every = str(read_preference(conn=conn, user_id=user.user_id, name="auto_refresh"))
            if user.region_ids:
                regions = regions_table(conn=conn)
                scope = ", ".join(regions.loc[regions["id"].isin(user.region_ids), "name"])
        theme = valid_theme(chosen) if chosen and chosen != FOLLOW_SYSTEM else FOLLOW_SYSTEM
    return shell(
        pages=pages,
        content=dash.page_container,
        user_name=user.display_name if user else "",
        role=user.role if user else "",
        csrf=csrf_token() if user else "",  # (the first request may be an API call: no session)
        theme=theme,
        refresh_every=every,
        scope=scope,
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


def create_app() -> Dash:
    settings = load_settings_or_exit()
    app = Dash(
        __name__,
        server=create_server(),  # type: ignore[arg-type]  # Dash's stub omits Flask, its doc has it
        use_pages=True,
        title="Beacon",
        update_title=None,  # type: ignore[arg-type]  # documented: None keeps the title while loading
        # Bootstrap is served from assets/ (no CDN), ahead of our own CSS that refines it.
        external_stylesheets=[BOOTSTRAP_CSS, "/theme.css"],
        # Dash matches this against file names only: keep the vendored copy from loading twice.
        assets_ignore=r"^bootstrap-[0-9.]+\.min\.css$",
        suppress_callback_exceptions=True,
        on_error=report_callback_error,
        background_callback_manager=background_manager(settings),
    )
    # Screen readers pick their voice and rules from the page's language (WCAG 3.1.1).
    app.index_string = dash.dash._default_index.replace("<html>", '<html lang="en">', 1)
    app.server.before_request(guard_background_callbacks(app, queue_problem=queue_problem))
    app.server.after_request(security_headers(app.csp_hashes))
    for page in dash.page_registry.values():
        page["layout"] = role_guarded(page)
    app.layout = app_layout
    return app


app = create_app()
server = app.server
# The Celery worker (`celery -A app:celery_app worker`) imports this module, so that it knows
# the background callbacks as well as the scheduled jobs.
celery_app = app_celery(load_settings_or_exit())

if __name__ == "__main__":
    from beacon.serve import development_server

    development_server(app)

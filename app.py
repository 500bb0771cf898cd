"""Beacon: the Flask server, the Dash app and their wiring. `server` is the WSGI entry point."""

from __future__ import annotations

import logging

import dash
import dash_bootstrap_components as dbc
import pandas as pd
from dash import ClientsideFunction, Dash, Input, Output, State, callback, clientside_callback
from flask import Flask, Response, jsonify
from sqlalchemy.exc import SQLAlchemyError

from components.formatting import iso_datetime
from components.shell import ids, shell
from data.engine import connect, database_problem
from data.queries.overview import data_as_of
from settings import load_settings_or_exit

log = logging.getLogger("beacon")

BOOTSTRAP_CSS = "/assets/vendor/bootstrap-5.3.9.min.css"
DATABASE_DOWN = "The database is not answering right now. Nothing was lost; try again in a moment."
SOMETHING_FAILED = (
    "This view could not be loaded. The error has been logged; try again in a moment."
)


def create_server() -> Flask:
    settings = load_settings_or_exit()
    server = Flask(__name__)
    server.config["SECRET_KEY"] = settings.secret_key.get_secret_value()  # type: ignore[union-attr]

    @server.get("/healthz")
    def healthz() -> Response:
        return jsonify(status="ok")

    @server.get("/readyz")
    def readyz() -> tuple[Response, int]:
        problem = database_problem()
        if problem:
            return jsonify(status="unavailable", reason=problem), 503
        return jsonify(status="ready"), 200

    @server.errorhandler(500)
    def server_error(_error: Exception) -> tuple[str, int]:
        return FRIENDLY_ERROR_PAGE, 500

    return server


def report_callback_error(error: Exception) -> None:
    """Any failing callback shows a friendly message in the shell instead of a traceback."""
    log.exception("callback failed", exc_info=error)
    message = DATABASE_DOWN if isinstance(error, SQLAlchemyError) else SOMETHING_FAILED
    dash.set_props(ids.alert, {"children": message, "is_open": True})


def app_layout() -> dbc.Container:
    return shell(pages=dash.page_registry.values(), content=dash.page_container)


def create_app() -> Dash:
    app = Dash(
        __name__,
        server=create_server(),
        use_pages=True,
        title="Beacon",
        update_title=None,
        # Bootstrap is served from assets/ (no CDN), ahead of our own CSS that refines it.
        external_stylesheets=[BOOTSTRAP_CSS],
        assets_ignore=r"vendor/.*",
        suppress_callback_exceptions=True,
        on_error=report_callback_error,
    )
    app.layout = app_layout
    return app


clientside_callback(
    ClientsideFunction(namespace="beacon", function_name="applyTheme"),
    Output(ids.theme, "data"),
    Output(ids.theme_switch, "value"),
    Input(ids.theme_switch, "value"),
    State(ids.theme, "data"),
)


@callback(Output(ids.title, "children"), Input(ids.url, "pathname"))
def page_title(pathname: str | None) -> str:
    for page in dash.page_registry.values():
        if page["relative_path"] == pathname:
            return str(page["name"])
    return "Page not found"


@callback(Output(ids.data_as_of, "children"), Input(ids.url, "pathname"))
def show_data_as_of(_pathname: str | None) -> str:
    with connect() as conn:
        newest = data_as_of(conn=conn)["newest"].max()
    return f"Data as of {iso_datetime(None if pd.isna(newest) else newest)}"


FRIENDLY_ERROR_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Beacon is having a problem</title>
<link rel="stylesheet" href="/assets/beacon.css"></head>
<body><main class="error-page"><h1>Something went wrong on our side</h1>
<p>Your data is safe. Please try again in a moment;
if it keeps happening, tell an administrator.</p>
<p><a href="/">Back to the home page</a></p></main></body></html>"""

app = create_app()
server = app.server


def main() -> None:
    from data.seed import ensure_demo_data

    settings = load_settings_or_exit()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)
    if settings.demo:
        ensure_demo_data(scale=settings.demo_scale, seed=settings.demo_seed)
    url = f"http://{settings.host}:{settings.port}/"
    print(
        f"\n  Beacon is running at {url}\n  (demo mode: {settings.demo}; stop with Ctrl+C)\n",
        flush=True,
    )
    app.run(host=settings.host, port=settings.port, debug=settings.debug)


if __name__ == "__main__":
    main()

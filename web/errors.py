"""What people see when something fails: a friendly page or message, never a traceback,
with the reference (request id) that finds its log lines."""

from __future__ import annotations

import logging
from html import escape as html_escape

import dash
from flask import Flask, Response, jsonify, request
from sqlalchemy.exc import InterfaceError, OperationalError, SQLAlchemyError
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from auth.headers import TOO_LARGE
from components.shell import ids
from observability.requests import request_id

log = logging.getLogger("beacon")

DATABASE_DOWN = "The database is not answering right now. Nothing was lost; try again in a moment."
# Every write is one transaction with its audit entry, so a failure changed nothing.
SOMETHING_FAILED = (
    "Something went wrong on our side and nothing was changed. "
    "The error has been logged; try again in a moment."
)


def register_error_pages(server: Flask) -> None:
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

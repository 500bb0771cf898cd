"""Every API error in one shape: RFC 9457 problem details, with the request id that finds its
log lines. Nothing else (no traceback, no HTML page) ever answers an API request."""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

from flask import Response, json, request
from pydantic import BaseModel, Field, ValidationError
from sqlalchemy.exc import InterfaceError, OperationalError
from werkzeug.exceptions import HTTPException

from observability.requests import request_id

log = logging.getLogger("beacon.api")
PREFIX = "/api/"
MEDIA_TYPE = "application/problem+json"


class FieldProblem(BaseModel):
    field: str = Field(description="Where: a dotted path into the body or query, e.g. 0.amount")
    message: str


class Problem(BaseModel):
    """RFC 9457 problem details."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str
    instance: str
    request_id: str
    errors: list[FieldProblem] = Field(default_factory=list)


def problem(
    status: int, detail: str, *, errors: list[dict[str, str]] | None = None, **extra: Any
) -> Response:
    body = {
        "type": "about:blank",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        "instance": request.path,
        "request_id": request_id(),
        "errors": errors or [],
        **extra,
    }
    response = Response(json.dumps(body), status=status, mimetype=MEDIA_TYPE)
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="beacon"'
    return response


def field_errors(error: ValidationError) -> list[dict[str, str]]:
    return [
        {"field": ".".join(str(p) for p in e["loc"]) or "body", "message": e["msg"]}
        for e in error.errors(include_url=False)
    ][:1000]


def validation_problem(error: ValidationError) -> Response:
    """flask-openapi3's answer to a request its models refuse."""
    errors = field_errors(error)
    count = len(errors)
    stored = "" if request.method == "GET" else "; nothing was stored"
    return problem(
        422, f"The request has {count} problem{'' if count == 1 else 's'}{stored}.", errors=errors
    )


DETAILS = {
    401: "Sign in with an API token: Authorization: Bearer bcn_….",
    403: "This token's role or regions do not allow this.",
    404: "There is nothing at this address.",
    405: "This address does not take that method.",
    413: "The request is too large; nothing was stored.",
    429: "Too many requests for this token; slow down and retry after the time in Retry-After.",
}


def http_problem(error: HTTPException) -> Response | HTTPException:
    """Any HTTP error of an API path as a problem; other paths keep Werkzeug's answer (the
    pages' own handlers for 413, 429, 500 are more specific and answer before this one)."""
    if not request.path.startswith(PREFIX):
        return error
    status = error.code or 500
    detail = DETAILS.get(status) or error.description or HTTPStatus(status).phrase
    response = problem(status, detail)
    if status == 429:
        response.headers["Retry-After"] = error.get_response().headers.get("Retry-After", "60")
    return response


def unexpected(error: Exception) -> Response:
    """Any other failure inside an API view: the database gone (503), or a bug (500)."""
    if isinstance(error, HTTPException):
        raise error
    if isinstance(error, OperationalError | InterfaceError):
        log.error("api: database unreachable: %s", type(error).__name__)
        return problem(
            503, "The database is not answering right now; nothing was stored. Retry shortly."
        )
    log.exception("api request failed", exc_info=error)
    return problem(
        500, "Something went wrong on our side and nothing was stored. Quote the request id."
    )

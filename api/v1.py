"""The /api/v1 blueprint: every request signs in with its bearer token first, is limited per
token, and answers errors as problem details. Endpoint modules add their routes to it."""

from __future__ import annotations

from collections.abc import Iterator
from http import HTTPStatus
from typing import Any

from flask import Response, request
from flask_openapi3 import APIBlueprint
from pydantic import BaseModel
from werkzeug.exceptions import BadRequest, HTTPException, default_exceptions

from api.problems import Problem, http_problem, problem, unexpected
from auth.bearer import BearerRefused, limit_key, sign_in_bearer
from auth.ratelimit import limiter
from settings import get_settings

# Our deepest model is a batch of records of flat fields (3 levels); 32 leaves room.
MAX_DEPTH = 32
TOO_DEEP = f"The body is nested more than {MAX_DEPTH} levels deep; nothing was stored."
SECURITY: list[dict[str, list[str]]] = [{"bearer": []}]
# Every operation may answer these, as problem details.
COMMON: dict[str | int | HTTPStatus, type[BaseModel] | dict[Any, Any] | None] = {
    status: Problem for status in (400, 401, 403, 413, 415, 422, 429, 503)
}
v1 = APIBlueprint(
    "api_v1", __name__, url_prefix="/api/v1", abp_security=SECURITY, abp_responses=COMMON
)


@v1.before_request
def sign_in() -> None:
    request.max_content_length = get_settings().api_max_kb * 1024  # batches: more than a form
    sign_in_bearer()


@v1.before_request
def refuse_unreadable_bodies() -> Response | None:
    """A body that is not JSON, not well-formed or nested deeper than any of our models is
    refused (400 or 415) before validation, which would name none of that; a body nested a
    few hundred levels broke Python's recursion and answered 500."""
    if request.method not in ("POST", "PUT", "PATCH") or not request.get_data(cache=True):
        return None
    if not request.is_json:
        return problem(
            415, "Send the body as JSON, with Content-Type: application/json; nothing was stored."
        )
    try:
        body = request.get_json()  # parsed once: validation reads the same cached value
    except BadRequest:
        return problem(400, "The body is not well-formed JSON; nothing was stored.")
    except RecursionError:
        return problem(400, TOO_DEEP)
    if nested_deeper_than(body, MAX_DEPTH):
        return problem(400, TOO_DEEP)
    return None


@v1.before_request
def refuse_nul_characters() -> Response | None:
    """Text holding the NUL character cannot be stored or compared in PostgreSQL: such a
    request is refused as invalid (422) before it reaches the database, never a 500."""
    fields = [name for name, value in request.args.items(multi=True) if "\x00" in name + value]
    # Only bodies that refuse_unreadable_bodies checked: a GET's deep body broke recursion.
    checked = request.method in ("POST", "PUT", "PATCH")
    if checked and request.is_json and holds_nul(request.get_json(silent=True)):
        fields.append("body")
    if not fields:
        return None
    stored = "" if request.method == "GET" else "; nothing was stored"
    errors = [{"field": f, "message": "Text may not hold the NUL character."} for f in fields]
    return problem(422, f"The request holds a NUL character{stored}.", errors=errors)


def parts(value: Any) -> Iterator[tuple[Any, int]]:
    """Every value, key and item of a parsed body with its depth, without recursion."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        yield item, depth
        if isinstance(item, dict):
            stack.extend((part, depth + 1) for pair in item.items() for part in pair)
        elif isinstance(item, list):
            stack.extend((part, depth + 1) for part in item)


def nested_deeper_than(value: Any, most: int) -> bool:
    return any(depth > most for _, depth in parts(value))


def holds_nul(value: Any) -> bool:
    return any(isinstance(item, str) and "\x00" in item for item, _ in parts(value))


@v1.errorhandler(BearerRefused)
def refused(error: BearerRefused) -> Response:
    return problem(error.status, error.detail)


v1.register_error_handler(Exception, unexpected)
v1.register_error_handler(HTTPException, http_problem)
# Flask looks handlers up by status code first: the app's own 413 and 429 pages would win.
for code in default_exceptions:
    v1.register_error_handler(code, http_problem)
limiter.limit(lambda: get_settings().api_limit, key_func=limit_key)(v1)

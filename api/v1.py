"""The /api/v1 blueprint: every request signs in with its bearer token first, is limited per
token, and answers errors as problem details. Endpoint modules add their routes to it."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from flask import Response, request
from flask_openapi3 import APIBlueprint
from pydantic import BaseModel
from werkzeug.exceptions import HTTPException, default_exceptions

from api.problems import Problem, http_problem, problem, unexpected
from auth.bearer import BearerRefused, limit_key, sign_in_bearer
from auth.ratelimit import limiter
from settings import get_settings

SECURITY: list[dict[str, list[str]]] = [{"bearer": []}]
# Every operation may answer these, as problem details.
COMMON: dict[str | int | HTTPStatus, type[BaseModel] | dict[Any, Any] | None] = {
    status: Problem for status in (401, 403, 413, 422, 429, 503)
}
v1 = APIBlueprint(
    "api_v1", __name__, url_prefix="/api/v1", abp_security=SECURITY, abp_responses=COMMON
)


@v1.before_request
def sign_in() -> None:
    request.max_content_length = get_settings().api_max_kb * 1024  # batches: more than a form
    sign_in_bearer()


@v1.before_request
def refuse_nul_characters() -> Response | None:
    """Text holding the NUL character cannot be stored or compared in PostgreSQL: such a
    request is refused as invalid (422) before it reaches the database, never a 500."""
    fields = [name for name, value in request.args.items(multi=True) if "\x00" in name + value]
    if request.is_json and holds_nul(request.get_json(silent=True)):
        fields.append("body")
    if not fields:
        return None
    stored = "" if request.method == "GET" else "; nothing was stored"
    errors = [{"field": f, "message": "Text may not hold the NUL character."} for f in fields]
    return problem(422, f"The request holds a NUL character{stored}.", errors=errors)


def holds_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(holds_nul(k) or holds_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(holds_nul(v) for v in value)
    return False


@v1.errorhandler(BearerRefused)
def refused(error: BearerRefused) -> Response:
    return problem(error.status, error.detail)


v1.register_error_handler(Exception, unexpected)
v1.register_error_handler(HTTPException, http_problem)
# Flask looks handlers up by status code first: the app's own 413 and 429 pages would win.
for code in default_exceptions:
    v1.register_error_handler(code, http_problem)
limiter.limit(lambda: get_settings().api_limit, key_func=limit_key)(v1)

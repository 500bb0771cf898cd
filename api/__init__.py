"""Beacon's REST API (/api/v1): thin adapters over `actions/` and `data/` reads, described by
OpenAPI (flask-openapi3: pydantic models validate requests and become the document)."""

from __future__ import annotations

from typing import Any

from flask_openapi3 import Info, OpenAPI
from werkzeug.exceptions import HTTPException

from api import audit, credit, events, kpis, pe, schedules, tutors  # noqa: F401 (routes of v1)
from api.docs import PAGE
from api.docs import blueprint as docs_blueprint
from api.problems import Problem, http_problem, validation_problem
from api.v1 import v1

INFO = Info(
    title="Beacon API",
    version="1.0.0",
    description=(
        "Scoring, events in and numbers out for the systems around Beacon. Every request "
        "carries an API token (`Authorization: Bearer bcn_…`) that an admin creates; a token "
        "may do what a user of its role and regions may do, nothing more. Errors are RFC 9457 "
        "problem details. Every POST takes an `Idempotency-Key`: a retry with the same key "
        "gets the first answer and is never done twice."
    ),
)
SECURITY_SCHEMES = {"bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "bcn_…"}}
OPENAPI_SETTINGS: dict[str, Any] = {
    "info": INFO,
    "security_schemes": SECURITY_SCHEMES,
    "doc_prefix": "/api/docs",
    "doc_url": "/openapi.json",
    "validation_error_status": 422,
    "validation_error_model": Problem,
    "validation_error_callback": validation_problem,
}


def register_api(server: OpenAPI) -> None:
    server.config["OPENAPI_HTML_STRING"] = PAGE
    server.config["SWAGGER_HTML_STRING"] = PAGE
    server.register_api(v1)
    server.register_blueprint(docs_blueprint)
    # Unrouted API paths (404, 405) have no blueprint: answered as problems app-wide.
    server.register_error_handler(HTTPException, http_problem)

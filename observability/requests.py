"""Per request: an id (kept from a proxy's X-Request-ID when it looks like one), bound to
every log line the request writes; at the end one `request` line and the timing metrics."""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Callable, Collection

import structlog
from flask import Flask, Response, g, request

from observability.metrics import CALLBACKS, REQUESTS

log = structlog.get_logger("beacon.request")
QUIET_PATHS = {"/healthz", "/readyz", "/metrics"}  # probes: timed, but no log line each
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}


def request_id() -> str:
    """This request's id ('' outside a request): the user's error page shows it."""
    try:
        return str(g.get("request_id", ""))
    except RuntimeError:
        return ""


def observe_requests(server: Flask, *, callbacks: Callable[[], Collection[str]]) -> None:
    """`callbacks` names the app's callback outputs: only those become metric labels, so a
    forged output cannot grow the label set."""

    @server.before_request
    def start() -> None:
        incoming = request.headers.get("X-Request-ID", "")
        g.request_id = incoming if _REQUEST_ID.match(incoming) else uuid.uuid4().hex
        g.request_started = time.perf_counter()
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(request_id=g.request_id, route=_route(callbacks))

    @server.after_request
    def finish(response: Response) -> Response:
        started = g.get("request_started")
        if started is None:
            return response
        seconds = time.perf_counter() - started
        route = structlog.contextvars.get_contextvars().get("route", "unknown")
        status = f"{response.status_code // 100}xx"
        if route.startswith("callback:"):
            CALLBACKS.labels(route.removeprefix("callback:"), status).observe(seconds)
        else:
            method = request.method if request.method in METHODS else "other"
            REQUESTS.labels(route, method, status).observe(seconds)
        response.headers["X-Request-ID"] = g.request_id
        if request.path not in QUIET_PATHS:
            user = g.get("_login_user")
            log.log(
                logging.WARNING if response.status_code >= 500 else logging.INFO,
                "request",
                method=request.method,
                path=request.path,
                status=response.status_code,
                duration_ms=round(seconds * 1000, 1),
                user_id=getattr(user, "user_id", None),
            )
        return response


def _route(callbacks: Callable[[], Collection[str]]) -> str:
    if request.path.endswith("/_dash-update-component") and request.method == "POST":
        body = request.get_json(silent=True)
        output = body.get("output") if isinstance(body, dict) else None
        known = isinstance(output, str) and output in callbacks()
        return f"callback:{output if known else 'unknown'}"
    rule = request.url_rule
    return rule.rule if rule is not None else "unmatched"

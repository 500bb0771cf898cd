"""Dash background callbacks run later, in another process, with no request to check: so
their requests are checked here, before a job is queued or polled."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from dash import Dash
from flask import Response, jsonify, request

from auth.access import check_background_request

log = logging.getLogger("beacon.jobs")


QUEUE_DOWN = (
    "The job queue (Redis) is not reachable, so this cannot start now. Nothing was changed; "
    "scheduled runs that are missed meanwhile are recorded, and all resumes when it is back."
)


def guard_background_callbacks(
    app: Dash, *, queue_problem: Callable[[], str | None] = lambda: None
) -> Callable[[], Response | None]:
    """Background callbacks are checked here, in the request, before their job is queued;
    with the queue down they are refused with a reason instead of failing."""

    def guarded(entry: dict[str, Any] | None) -> Callable[..., Any] | None:
        func = entry.get("callback") if entry else None
        while func is not None and not hasattr(func, "checked_before_queueing"):
            func = getattr(func, "__wrapped__", None)
        return func

    def cancelled_by(output: str) -> Callable[..., Any] | None:
        """Dash's own cancel callback (output `<button>.id`) gets its background callback's
        roles: only those who may start a job may stop one."""
        button = output.removesuffix(".id")
        for entry in app.callback_map.values():
            cancels = (entry.get("background") or {}).get("cancel", [])
            if any(c.get("id") == button for c in cancels):
                return guarded(entry)
        return None

    def check() -> Response | None:
        if not request.path.endswith("/_dash-update-component") or request.method != "POST":
            return None
        body = request.get_json(silent=True) or {}
        output = str(body.get("output"))
        func = guarded(app.callback_map.get(output))
        polling = "cacheKey" in request.args or "job" in request.args
        if func is None and output.endswith(".id"):
            func, polling = cancelled_by(output), True
        if func is None:
            return None
        check_background_request(func, body, polling=polling)
        problem = None if polling else queue_problem()
        if problem:
            log.warning("background job refused: %s", problem)
            response = jsonify(error=QUEUE_DOWN)
            response.status_code = 503
            return response
        return None

    return check

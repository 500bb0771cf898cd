"""Who may read /metrics, and what is read from elsewhere when it is scraped."""

from __future__ import annotations

import hmac

from flask import request

from data import jobs
from data.engine import connect
from jobs import heartbeats
from observability.metrics import RunsCollector
from settings import Settings, get_settings

LOOPBACK = {"127.0.0.1", "::1"}


def metrics_allowed(settings: Settings) -> bool:
    """The bearer token when one is set; otherwise only a scraper on this host talking to the
    app directly (a request through the proxy carries X-Forwarded-For)."""
    if settings.metrics_token:
        given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        wanted = settings.metrics_token.get_secret_value()
        return hmac.compare_digest(given.encode(), wanted.encode())
    direct = "X-Forwarded-For" not in request.headers and "Forwarded" not in request.headers
    return direct and request.environ.get("REMOTE_ADDR") in LOOPBACK


def _runs() -> list[dict]:
    try:
        with connect() as conn:
            return jobs.run_totals(conn=conn)
    except Exception:  # noqa: BLE001 - the database down: metrics still answer
        return []


def _queue_depth() -> int | None:
    url = get_settings().redis_url
    return heartbeats.queue_depth(url) if url else None


def scraped_metrics() -> RunsCollector:
    return RunsCollector(runs=_runs, queue_depth=_queue_depth)

"""Is this deployment ready to serve? One probe per part it needs, for /readyz and doctor.

Required: the database at the newest schema; with REDIS_URL also Redis and a live Celery
worker; when Celery beat runs the schedule (BEACON_SCHEDULER celery/auto with Redis), a
fresh beat heartbeat.
"""

from __future__ import annotations

from typing import Any

from data.engine import database_problem
from jobs import heartbeats
from jobs.heartbeats import Probe
from settings import Settings


def database_probe() -> Probe:
    problem = database_problem()
    if problem:
        return Probe(False, problem)
    from data.migrate import schema_state

    try:
        state = schema_state()
    except Exception as error:  # noqa: BLE001 - reported, never raised at a probe
        return Probe(False, f"schema unknown ({type(error).__name__})")
    if not state.at_head:
        return Probe(
            False,
            f"schema at {state.current or 'nothing'}, code expects {state.head}: "
            "run `python -m beacon migrate`",
        )
    return Probe(True, f"answers; schema at {state.head}")


def probes(settings: Settings) -> dict[str, Probe]:
    found = {"database": database_probe()}
    if settings.redis_url:
        found["redis"] = heartbeats.redis_probe(settings.redis_url)
        found["workers"] = heartbeats.workers_probe(settings.redis_url)
        if settings.runs_jobs == "celery":
            found["beat"] = heartbeats.beat_probe(settings.redis_url)
    return found


def readiness(settings: Settings) -> tuple[bool, dict[str, Any]]:
    found = probes(settings)
    ready = all(p.ok for p in found.values())
    body = {
        "status": "ready" if ready else "unavailable",
        "checks": {name: {"ok": p.ok, "detail": p.detail} for name, p in found.items()},
    }
    return ready, body

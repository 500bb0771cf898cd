"""Stop the running refresh or retrain (admins): its runs are marked cancelled, the lease
is freed; the job itself is stopped by its background-job manager."""

from __future__ import annotations

from datetime import datetime

from actions.base import Actor, Refused, record
from data import jobs
from data.engine import transaction


def cancel_runs(*, actor: Actor, now: datetime) -> int | Refused:
    """How many running runs were marked cancelled."""
    if not actor.may(("admin",)):
        return Refused("Only admins stop a refresh.", denied=True)
    with transaction() as conn:
        cancelled = jobs.cancel_running(conn=conn, by=actor.display_name, now=now)
        record(conn, actor, "job.cancelled", now=now, runs=cancelled)
    return cancelled

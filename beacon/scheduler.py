"""Start the embedded scheduler (single-server setups) once per process, never at import."""

from __future__ import annotations

import logging

from settings import get_settings

log = logging.getLogger("beacon.scheduler")
_started = False


def start_embedded_scheduler() -> bool:
    """Start APScheduler's refresh and retrain when this deployment runs its jobs in the web
    process (BEACON_SCHEDULER embedded, or auto without Redis). True when it started."""
    global _started
    settings = get_settings()
    if _started or settings.runs_jobs != "embedded":
        return False
    from jobs.schedule import embedded_scheduler

    embedded_scheduler(settings).start()
    _started = True
    log.info(
        "scheduler started",
        extra={"refresh_seconds": settings.refresh_seconds, "retrain_at": str(settings.retrain_at)},
    )
    return True

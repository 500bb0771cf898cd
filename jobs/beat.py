"""Celery beat with two additions: a heartbeat on every tick, and a record of every
scheduled run it could not queue (Redis down), so a missed refresh is never silent."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from celery.beat import PersistentScheduler

from jobs import heartbeats
from jobs.schedule import refresh_slot, retrain_slot
from settings import get_settings

log = logging.getLogger("beacon.beat")
TICK_SECONDS = 30


class BeaconScheduler(PersistentScheduler):
    _producer: Any = None

    @property
    def producer(self) -> Any:
        """The producer the schedule publishes with, connected on first use with one quick
        retry. Celery's own retries a hundred times, 2 to 30 s apart, inside a tick: a beat
        started while Redis was down waited minutes and recorded no missed run. While Redis
        is unreachable this is None, so each due run goes to a pooled producer, fails within
        seconds and is recorded as missed (`apply_async`)."""
        if self._producer is None:
            try:
                connection = self.connection.ensure_connection(max_retries=1, interval_start=1)
            except Exception as error:  # noqa: BLE001 - Redis down: the run is recorded
                log.warning("beat cannot reach the job queue: %s", type(error).__name__)
                return None
            self._producer = self.Producer(connection, auto_declare=False)
        return self._producer

    def tick(self, *args: Any, **kwargs: Any) -> float:
        try:
            heartbeats.stamp_beat(get_settings().redis_url or "")
        except Exception as error:  # noqa: BLE001 - Redis down: readiness reports it
            log.warning("beat heartbeat not stored: %s", type(error).__name__)
        return min(super().tick(*args, **kwargs), TICK_SECONDS)

    def apply_async(self, entry: Any, producer: Any = None, advance: bool = True, **kwargs: Any):  # type: ignore[no-untyped-def]
        try:
            return super().apply_async(entry, producer=producer, advance=advance, **kwargs)
        except Exception as error:
            if entry.name in ("refresh", "retrain"):
                record_missed_fire(entry.name, error)
            raise


def record_missed_fire(job: str, error: BaseException, *, moment: datetime | None = None) -> None:
    """Record the slot `moment` (now by default) falls in as missed."""
    from jobs import refresh

    settings = get_settings()
    moment = moment or datetime.now(UTC)
    slot = (
        refresh_slot(moment, settings.refresh_seconds)
        if job == "refresh"
        else retrain_slot(moment, settings.timezone)
    )
    why = f"the job queue (Redis) could not be reached ({type(error).__name__})"
    try:
        refresh.record_missed(job=job, slot=slot, why=why)
    except Exception:  # noqa: BLE001 - the database may be down as well: the log keeps it
        log.exception("could not record the missed %s", job)
    log.error("scheduled run missed", extra={"job": job, "slot": slot, "why": why})

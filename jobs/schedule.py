"""When jobs run: the slots, and the embedded scheduler (APScheduler) of a single-server setup.

In production Celery beat fires the same two jobs (`jobs/celery_app.py`) and the web workers
run none. Either way a fire is a *slot*: every scheduler that fires it computes the same
name, and the run claims it once (see `jobs.refresh`).
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from jobs import refresh
from settings import Settings, get_settings

log = logging.getLogger(__name__)
EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


def refresh_slot(moment: datetime, every_seconds: int) -> str:
    """The refresh slot a moment falls in: fires every `every_seconds` from a fixed epoch."""
    index = int((moment - EPOCH).total_seconds() // every_seconds)
    start = EPOCH.timestamp() + index * every_seconds
    return f"refresh@{datetime.fromtimestamp(start, UTC):%Y-%m-%dT%H:%M:%S}"


def retrain_slot(moment: datetime, timezone: str) -> str:
    from zoneinfo import ZoneInfo

    return f"retrain@{moment.astimezone(ZoneInfo(timezone)):%Y-%m-%d}"


def scheduled_refresh() -> refresh.RunResult:
    every = get_settings().refresh_seconds
    result = refresh.run(
        job="refresh", trigger="schedule", slot=refresh_slot(datetime.now(UTC), every)
    )
    log.info("scheduled refresh: %s %s", result.status, result.detail)
    return result


def scheduled_retrain() -> refresh.RunResult:
    slot = retrain_slot(datetime.now(UTC), get_settings().timezone)
    result = refresh.run(job="retrain", trigger="schedule", slot=slot)
    log.info("scheduled retrain: %s %s", result.status, result.detail)
    return result


def deliver_webhooks() -> None:
    from jobs import webhooks

    try:
        webhooks.deliver_due()
    except Exception:  # noqa: BLE001 - the database may be down: the next tick tries again
        log.warning("webhook deliveries not sent this tick", exc_info=True)


def embedded_scheduler(settings: Settings) -> BackgroundScheduler:
    """The refresh, the retrain and the webhook sender on one in-process scheduler (not
    started). Several processes may each run one: the fires line up on the same slots, and
    each slot runs once (each webhook delivery is claimed before it is sent)."""
    scheduler = BackgroundScheduler(timezone=settings.timezone)
    scheduler.add_job(
        scheduled_refresh,
        IntervalTrigger(seconds=settings.refresh_seconds, start_date=EPOCH),
        id="refresh",
        max_instances=1,
        coalesce=True,
        misfire_grace_time=max(1, settings.refresh_seconds // 2),
    )
    scheduler.add_job(
        deliver_webhooks,
        IntervalTrigger(seconds=settings.webhook_seconds),
        id="webhooks",
        max_instances=1,
        coalesce=True,
    )
    scheduler.add_job(
        scheduled_retrain,
        CronTrigger(
            hour=settings.retrain_at.hour,
            minute=settings.retrain_at.minute,
            timezone=settings.timezone,
        ),
        id="retrain",
        max_instances=1,
        coalesce=True,
        misfire_grace_time=3600,
    )
    return scheduler

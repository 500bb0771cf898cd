"""Celery on Redis: the scheduled jobs (beat + worker) and Dash's background callbacks.

    celery -A jobs.celery_app beat                  # exactly one, fires the schedule
    celery -A app:celery_app worker                 # one or more, runs jobs and long callbacks

The worker imports `app` so that Dash's background callbacks are registered with it.
"""

from __future__ import annotations

from datetime import timedelta

from celery import Celery
from celery.schedules import crontab
from celery.signals import setup_logging, worker_ready

from jobs import schedule
from settings import get_settings


def make_celery() -> Celery:
    settings = get_settings()
    broker = settings.redis_url or "redis://127.0.0.1:6379/0"
    app = Celery("beacon", broker=broker, backend=broker)
    app.conf.update(
        timezone=settings.timezone,
        task_acks_late=False,
        worker_prefetch_multiplier=1,
        broker_connection_retry_on_startup=True,
        beat_scheduler="jobs.beat:BeaconScheduler",
        beat_max_loop_interval=30,
        beat_schedule={
            "refresh": {
                "task": "beacon.refresh",
                "schedule": timedelta(seconds=settings.refresh_seconds),
                "options": {"expires": settings.refresh_seconds},
            },
            "webhooks": {
                "task": "beacon.webhooks",
                "schedule": timedelta(seconds=settings.webhook_seconds),
                "options": {"expires": settings.webhook_seconds},
            },
            "retrain": {
                "task": "beacon.retrain",
                "schedule": crontab(
                    hour=str(settings.retrain_at.hour), minute=str(settings.retrain_at.minute)
                ),
            },
        },
    )

    @app.task(name="beacon.refresh")
    def refresh_task() -> dict:
        result = schedule.scheduled_refresh()
        return {"status": result.status, "rows": result.rows, "run_id": result.run_id}

    @app.task(name="beacon.retrain")
    def retrain_task() -> dict:
        result = schedule.scheduled_retrain()
        return {"status": result.status, "rows": result.rows, "run_id": result.run_id}

    @app.task(name="beacon.webhooks")
    def webhooks_task() -> dict:
        from jobs import webhooks

        sent = webhooks.deliver_due()
        return {"delivered": sent.delivered, "retrying": sent.retrying, "failed": sent.failed}

    @app.task(name="beacon.password_link")
    def password_link_task(email: str, purpose: str, ip: str | None) -> None:
        from auth.outbox import send_password_link  # mail leaves the web request here

        send_password_link(email=email, purpose=purpose, ip=ip)

    @worker_ready.connect(weak=False)
    def keep_alive(sender: object = None, **_kwargs: object) -> None:
        from jobs.heartbeats import keep_worker_alive

        hostname = getattr(sender, "hostname", None) or "worker"
        keep_worker_alive(broker, hostname)

    return app


@setup_logging.connect
def json_logs(**_kwargs: object) -> None:
    """Workers and beat log like the web workers (one JSON line per event)."""
    from observability.logs import configure_from_settings

    configure_from_settings()


celery_app = make_celery()
app = celery_app  # `celery -A jobs.celery_app` finds it under this name too

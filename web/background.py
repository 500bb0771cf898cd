"""Where long callbacks run: local processes with a disk cache (embedded), or the Celery
workers through Redis (scale-out); and why one cannot be queued now."""

from __future__ import annotations

from typing import Any

from jobs import heartbeats
from settings import Settings, get_settings


def background_manager(settings: Settings) -> Any:
    """Long callbacks run outside the web request: in local processes with a disk cache
    (embedded), or on the Celery workers through Redis (scale-out)."""
    if settings.redis_url:
        from dash import CeleryManager

        from jobs.celery_app import celery_app

        return CeleryManager(celery_app, expire=3600)
    import diskcache
    from dash import DiskcacheManager

    return DiskcacheManager(diskcache.Cache(str(settings.instance_dir / "background")), expire=3600)


def queue_problem() -> str | None:
    """Why a background job cannot be queued now (Redis down), or None."""
    url = get_settings().redis_url
    if not url:
        return None
    probe = heartbeats.redis_probe(url)
    return None if probe.ok else f"Redis {probe.detail}"


def app_celery(settings: Settings) -> Any:
    """The Celery app the background callbacks were registered on (scale-out), else None."""
    if not settings.redis_url:
        return None
    from jobs.celery_app import celery_app

    return celery_app

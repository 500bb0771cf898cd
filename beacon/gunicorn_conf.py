"""Gunicorn settings for Beacon: `gunicorn -c python:beacon.gunicorn_conf app:server`.

Threaded workers (gthread): an idle keep-alive connection costs a thread, not a worker. In
front of browsers put the buffering reverse proxy of `deploy/nginx/`. From Beacon's settings
(environment or `.env`): BEACON_HOST and BEACON_PORT (127.0.0.1:8050), WEB_WORKERS (1) and
WEB_THREADS (8).
"""

from __future__ import annotations

import os
from typing import Any

from gunicorn.glogging import Logger as GunicornLogger

from beacon import metrics_dir
from settings import load_settings_or_exit

_settings = load_settings_or_exit()
bind = f"{_settings.host}:{_settings.port}"
worker_class = "gthread"
workers = _settings.web_workers
threads = _settings.web_threads
timeout = 120
graceful_timeout = 30
keepalive = 5
limit_request_line = 8190
control_socket_disable = True
accesslog = None  # Beacon logs one JSON line per request itself (observability.requests)
errorlog = "-"
# Prometheus counters of every worker are summed from files in one folder (multiprocess mode).
os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", str(metrics_dir.prepare()))


def _logs() -> None:
    from observability.logs import configure_from_settings

    configure_from_settings()


class JsonLogger(GunicornLogger):
    """Gunicorn's own lines (starting, workers booting and dying) in Beacon's format."""

    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        _logs()


logger_class = JsonLogger


def on_starting(server: Any) -> None:
    import gunicorn.http.wsgi

    gunicorn.http.wsgi.SERVER = "Beacon"  # the Server header names no software


def post_fork(server: Any, worker: Any) -> None:
    _logs()


def post_worker_init(worker: Any) -> None:
    """The embedded scheduler runs in the web workers when no Celery beat does; several
    workers firing the same slot record one run (see jobs.refresh). Where an AI service is
    configured, openai is imported in the background (here, not at import: a Celery worker
    forks its pool from the process that imported the app, and a fork during an import in
    another thread can leave that module's lock held for good)."""
    from ai.client import warm_up
    from beacon.scheduler import start_embedded_scheduler

    start_embedded_scheduler()
    warm_up()


def child_exit(server: Any, worker: Any) -> None:
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)

"""Serving Beacon: gunicorn with threaded workers by default (`./run.sh`, `beacon serve`),
Flask's development server only when asked for (`python app.py`, `beacon serve --dev`)."""

from __future__ import annotations

import os
import sys
from typing import Any

from observability.logs import configure_from_settings
from settings import Settings, load_settings_or_exit


def say(text: str) -> None:
    print(text, flush=True)


def prepare(settings: Settings) -> str:
    """Logging, and in demo mode the first start's data, accounts and models. The text that
    tells people how to sign in."""
    configure_from_settings()
    if not settings.demo:
        return "  Sign in with an account made by `python -m beacon create-admin`."
    from beacon.first_start import prepare_demo

    return prepare_demo(say)


OWN_DATA = (
    "  Your own data: the templates and the data contract are in docs/ (data-contract.md,\n"
    "  templates/); load files with `.venv/bin/python -m beacon load FOLDER` or on Admin >\n"
    "  Data import. `.venv/bin/python -m beacon package FOLDER` writes what Beacon holds in\n"
    "  the same format."
)


def banner(settings: Settings, accounts: str) -> None:
    url = f"http://{settings.host}:{settings.port}/"
    say(f"\n  Beacon is running at {url}  (stop with Ctrl+C)\n{accounts}\n\n{OWN_DATA}\n")


def production_server(*, workers: int | None, threads: int | None) -> None:
    """Replace this process with gunicorn (its master then owns the signals)."""
    settings = load_settings_or_exit()
    banner(settings, prepare(settings))
    env = dict(os.environ)
    if workers:
        env["WEB_WORKERS"] = str(workers)
    if threads:
        env["WEB_THREADS"] = str(threads)
    command = [sys.executable, "-m", "gunicorn", "-c", "python:beacon.gunicorn_conf", "app:server"]
    os.execve(sys.executable, command, env)


def development_server(app: Any = None) -> None:
    """Flask's development server (with BEACON_DEBUG, the reloader and debugger). `app`: the
    Dash app when `python app.py` already built it."""
    settings = load_settings_or_exit()
    accounts = prepare(settings)
    if app is None:
        from app import app
    from auth.headers import QuietRequestHandler
    from beacon.scheduler import start_embedded_scheduler

    start_embedded_scheduler()
    banner(settings, accounts)
    app.run(
        host=settings.host,
        port=settings.port,
        debug=settings.debug,
        request_handler=QuietRequestHandler,
    )

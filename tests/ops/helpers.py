"""Run Beacon's own commands as an operator would: a real process, a given environment."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import requests

from tests.postgres import _free_port

ROOT = Path(__file__).resolve().parents[2]
ADMIN_PASSWORD = "harbour lantern quiet 47"


def operator_env(database_url: str, **extra: str) -> dict[str, str]:
    """A production-mode environment (no demo) for `database_url`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BEACON_", "REDIS_URL"))}
    env.update(
        DATABASE_URL=database_url,
        SECRET_KEY="operator-test-secret-" + "z" * 32,
        BEACON_PUBLIC_URL="http://127.0.0.1:9",
        BEACON_DEMO="false",
        BEACON_SCHEDULER="off",
        BEACON_INSTANCE_DIR=os.environ["BEACON_INSTANCE_DIR"],
        BEACON_LOG_FORMAT="json",
    )
    env.update(extra)
    return env


def beacon(
    *args: str, env: dict[str, str], stdin: str | None = None
) -> subprocess.CompletedProcess:  # type: ignore[type-arg]
    return subprocess.run(
        [sys.executable, "-m", "beacon", *args],
        cwd=ROOT,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=600,
    )


@contextmanager
def served(env: dict[str, str], *, workers: int = 1) -> Iterator[tuple[str, Path]]:
    """`python -m beacon serve` (gunicorn) on a free port; yields its address and log file."""
    port = _free_port()
    log = Path(env["BEACON_INSTANCE_DIR"]) / f"serve-{port}.log"
    with open(log, "wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "beacon", "serve", "--workers", str(workers)],
            cwd=ROOT,
            env={**env, "BEACON_PORT": str(port), "BEACON_PUBLIC_URL": f"http://127.0.0.1:{port}"},
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until(lambda: requests.get(url + "/healthz", timeout=2).ok, 60, f"gunicorn ({log})")
        yield url, log
    finally:
        process.terminate()
        process.wait(30)


def wait_until(check, seconds: float, what: str):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            found = check()
        except requests.RequestException:
            found = None
        if found:
            return found
        time.sleep(0.25)
    raise AssertionError(f"timed out after {seconds} s waiting for {what}")


def sign_in(url: str, email: str, password: str) -> tuple[requests.Session, requests.Response]:
    session = requests.Session()
    page = session.get(url + "/login").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    answer = session.post(
        url + "/login",
        data={"csrf_token": token, "email": email, "password": password},
        allow_redirects=False,
    )
    return session, answer

"""Concurrent signed-in users clicking through the pages against the served app: each user
is a thread with its own session that replays the pages' main callback requests (the
bodies the browser sends) in its own order, with a short pause between clicks."""

from __future__ import annotations

import random
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import requests

from bench.accounts import sign_in
from bench.callbacks import payload
from bench.scenarios import SCENARIOS


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def _user(
    base: str, email: str, password: str, seconds: float, seed: int
) -> tuple[list[float], int]:
    session = requests.Session()
    sign_in(session, email, password, base=base)
    callbacks = session.get(base + "/_dash-dependencies", timeout=30).json()
    bodies = [
        (s.path, payload(next(c for c in callbacks if s.output in c["output"]), s))
        for s in SCENARIOS
    ]
    chance = random.Random(seed)
    timings: list[float] = []
    errors = 0
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        chance.shuffle(bodies)
        for path, body in bodies:
            started = time.perf_counter()
            answer = session.post(
                base + "/_dash-update-component",
                json=body,
                timeout=60,
                headers={"Referer": base + path},
            )
            timings.append((time.perf_counter() - started) * 1000)
            errors += answer.status_code != 200
            time.sleep(chance.uniform(0.2, 1.0))  # reading the page before the next click
            if time.monotonic() >= deadline:
                break
    return timings, errors


def concurrent_users(
    base: str, accounts: list[tuple[str, str]], seconds: float, sample_memory: Any
) -> dict[str, Any]:
    """Every account clicks for `seconds`; p50/p95/max latency, errors, peak worker memory."""
    peak: list[int] = [0]
    running = threading.Event()
    running.set()

    def watch() -> None:
        while running.is_set():
            peak[0] = max([peak[0], *sample_memory()])
            time.sleep(0.5)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    with ThreadPoolExecutor(len(accounts)) as pool:
        done = list(
            pool.map(
                lambda job: _user(base, job[1][0], job[1][1], seconds, job[0]),
                enumerate(accounts),
            )
        )
    running.clear()
    watcher.join()
    timings = sorted(t for user, _ in done for t in user)
    return {
        "users": len(accounts),
        "seconds": seconds,
        "requests": len(timings),
        "errors": sum(e for _, e in done),
        "p50_ms": round(percentile(timings, 0.5)),
        "p95_ms": round(percentile(timings, 0.95)),
        "max_ms": round(timings[-1]),
        "peak_worker_mb": peak[0],
    }

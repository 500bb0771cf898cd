"""Signs of life of the scale-out parts, kept in Redis: beat stamps a key on every tick,
each Celery worker keeps a key with a short expiry. /readyz and `beacon doctor` read them."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

import redis

BEAT_KEY = "beacon:alive:beat"
WORKER_PREFIX = "beacon:alive:worker:"
BEAT_STALE_SECONDS = 90  # beat ticks at least every 30 s (jobs.beat)
WORKER_EVERY_SECONDS = 15
WORKER_TTL_SECONDS = 60


@dataclass(frozen=True)
class Probe:
    ok: bool
    detail: str


def client(url: str) -> redis.Redis:
    return redis.Redis.from_url(url, socket_timeout=1, socket_connect_timeout=1)


def redis_probe(url: str) -> Probe:
    try:
        client(url).ping()
    except redis.RedisError as error:
        return Probe(False, f"unreachable ({type(error).__name__})")
    return Probe(True, "answers")


def stamp_beat(url: str) -> None:
    client(url).set(BEAT_KEY, f"{time.time():.0f}")


def beat_probe(url: str) -> Probe:
    try:
        stamped = client(url).get(BEAT_KEY)
    except redis.RedisError as error:
        return Probe(False, f"unknown: Redis unreachable ({type(error).__name__})")
    if stamped is None:
        return Probe(False, "no heartbeat: is `celery -A jobs.celery_app beat` running?")
    age = time.time() - float(stamped)
    if age > BEAT_STALE_SECONDS:
        return Probe(False, f"last heartbeat {age:.0f} s ago")
    return Probe(True, f"heartbeat {age:.0f} s ago")


def workers_probe(url: str) -> Probe:
    try:
        names = [
            k.decode()[len(WORKER_PREFIX) :] for k in client(url).scan_iter(WORKER_PREFIX + "*")
        ]
    except redis.RedisError as error:
        return Probe(False, f"unknown: Redis unreachable ({type(error).__name__})")
    if not names:
        return Probe(False, "no worker heartbeat: is `celery -A app:celery_app worker` running?")
    return Probe(True, f"{len(names)} alive: {', '.join(sorted(names))}")


def keep_worker_alive(url: str, name: str) -> threading.Thread:
    """A daemon thread that renews this worker's key until the process ends."""

    def beat() -> None:
        while True:
            try:
                client(url).set(WORKER_PREFIX + name, f"{time.time():.0f}", ex=WORKER_TTL_SECONDS)
            except redis.RedisError:
                pass  # Redis is down: the key expires and readiness says so
            time.sleep(WORKER_EVERY_SECONDS)

    thread = threading.Thread(target=beat, name="beacon-worker-heartbeat", daemon=True)
    thread.start()
    return thread


def queue_depth(url: str, queue: str = "celery") -> int | None:
    try:
        return int(client(url).llen(queue))
    except redis.RedisError:
        return None

"""Signs of life of the scale-out parts, kept in Redis: beat stamps a key on every tick,
each Celery worker stamps its name in a sorted set every 15 s. /readyz and `beacon doctor`
read them with one command each."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

import redis

BEAT_KEY = "beacon:alive:beat"
WORKERS_KEY = "beacon:alive:workers"  # a sorted set: worker name -> its last heartbeat
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


def stamp_worker(url: str, name: str) -> None:
    now = time.time()
    pipe = client(url).pipeline()
    pipe.zadd(WORKERS_KEY, {name: now})
    pipe.zremrangebyscore(WORKERS_KEY, "-inf", now - WORKER_TTL_SECONDS)  # workers gone quiet
    pipe.execute()


def workers_probe(url: str) -> Probe:
    """How many workers beat within WORKER_TTL_SECONDS (one cheap read, no key scan)."""
    try:
        alive = client(url).zcount(WORKERS_KEY, time.time() - WORKER_TTL_SECONDS, "+inf")
    except redis.RedisError as error:
        return Probe(False, f"unknown: Redis unreachable ({type(error).__name__})")
    if not alive:
        return Probe(False, "no worker heartbeat: is `celery -A app:celery_app worker` running?")
    return Probe(True, f"{alive} alive")


def keep_worker_alive(url: str, name: str) -> threading.Thread:
    """A daemon thread that stamps this worker's heartbeat until the process ends."""

    def beat() -> None:
        while True:
            try:
                stamp_worker(url, name)
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

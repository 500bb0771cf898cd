"""A shared cache for the expensive reads behind the pages (flask-caching's backends).

Embedded mode keeps it on the file system under `instance/cache`; with `REDIS_URL` it lives
in Redis, so every web worker, the Celery worker and the scheduler share one cache.

`@cached(area)` wraps a keyword-only data-access function. The key holds the database,
the area's generation, the function and *every* argument but the connection, so a
manager's region list is part of it: one user's scope never answers another's.
A write that changes an area marks it (`mark_changed`); when its transaction commits the
area's generation moves on and every older entry is simply never read again.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import logging
import os
import pickle
import time
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, Literal, TypeVar

from flask_caching.backends import FileSystemCache, RedisCache
from sqlalchemy import Connection

from observability.metrics import CACHE
from settings import get_settings

log = logging.getLogger(__name__)
Area = Literal["tutors", "pe", "schedules", "credit"]
AREAS: tuple[Area, ...] = ("tutors", "pe", "schedules", "credit")
CHANGED = "beacon.changed_areas"
F = TypeVar("F", bound=Callable[..., Any])

stats: Counter[str] = Counter()  # hits and misses in this process, for tests and benchmarks
_backends: dict[tuple[str, str], Any] = {}


class FileCache(FileSystemCache):
    """flask-caching's file cache without its count file. With a threshold, every `set`
    reads and rewrites a count file (two more files written and renamed per entry: a cold
    page stored 14-57 entries, #26). Here the directory is checked every `TRIM_EVERY` sets
    instead, and once over `limit` files it is cut to `KEEP` of the limit, the least recently
    written first (by file time alone: no entry is opened), never the keys in `kept` (the
    areas' generations: losing one turns a whole area cold)."""

    TRIM_EVERY = 200
    KEEP = 0.8

    def __init__(
        self, path: str, *, limit: int, default_timeout: int, kept: Iterable[str] = ()
    ) -> None:
        super().__init__(path, threshold=0, default_timeout=default_timeout)
        self.limit = limit
        self.kept_files = {self._get_filename(key) for key in kept}
        self._sets = 0

    def set(self, key: str, value: Any, timeout: Any = None, mgmt_element: bool = False) -> bool:
        self._sets += 1
        if self._sets % self.TRIM_EVERY == 0:
            self.trim()
        return bool(super().set(key, value, timeout=timeout, mgmt_element=mgmt_element))

    def trim(self) -> int:
        """Cut the directory to `KEEP` of `limit` once it is over `limit`; how many went."""
        if len(os.listdir(self._path)) <= self.limit:
            return 0
        aged = []
        for path in self._list_dir():
            if path in self.kept_files:
                continue
            with contextlib.suppress(OSError):  # another worker removed it meanwhile
                aged.append((os.path.getmtime(path), path))
        going = sorted(aged)[: max(0, len(aged) - int(self.limit * self.KEEP))]
        for _, path in going:
            with contextlib.suppress(OSError):
                os.remove(path)
        return len(going)


def backend() -> Any:
    """The cache for the configured database: Redis when `REDIS_URL` is set, else files."""
    settings = get_settings()
    where = settings.redis_url or str(settings.instance_dir / "cache")
    key = (where, settings.database_url)
    if key not in _backends:
        if settings.redis_url:
            import redis

            client = redis.Redis.from_url(settings.redis_url, socket_timeout=2)
            _backends[key] = RedisCache(
                host=client, key_prefix="beacon:", default_timeout=settings.cache_seconds
            )
        else:
            _backends[key] = FileCache(
                where,
                limit=5000,
                default_timeout=settings.cache_seconds,
                kept=[_generation_key(area, settings.database_url) for area in AREAS],
            )
    return _backends[key]


SOURCE = (  # the app's own packages (not tests, benchmarks or the virtualenv)
    *("actions", "ai", "analytics", "api", "auth", "components", "data", "jobs", "pages"),
    *("beacon", "observability", "sharing", "web", "widgets"),
)


@functools.cache
def code_version() -> str:
    """A digest of the app's own source. It is part of every key: after an upgrade no page
    is answered with a component or frame an older release kept (same on every host)."""
    root = Path(__file__).resolve().parents[1]
    digest = hashlib.blake2b(digest_size=6)
    files = [*root.glob("*.py"), *(p for part in SOURCE for p in (root / part).rglob("*.py"))]
    for path in sorted(files):
        digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def _database_tag(database_url: str | None = None) -> str:
    url = database_url or get_settings().database_url
    return hashlib.sha256(url.encode()).hexdigest()[:12]


def _generation_key(area: str, database_url: str | None = None) -> str:
    return f"gen:{_database_tag(database_url)}:{area}"


def generation(area: str) -> str:
    """The area's current generation. A lost generation (evicted, flushed) starts a new one,
    never an old one, so entries written before it cannot come back."""
    cache = backend()
    current = cache.get(_generation_key(area))
    if current is None:
        current = f"{time.time_ns():x}"
        cache.add(_generation_key(area), current, timeout=0)
        current = cache.get(_generation_key(area)) or current
    return str(current)


def changed(*areas: str, database_url: str | None = None) -> None:
    """Everything cached for these areas (of this database) is out of date from now on."""
    try:
        cache = backend()
        for area in areas:
            cache.set(_generation_key(area, database_url), f"{time.time_ns():x}", timeout=0)
    except Exception:  # the cache being down must not fail a write that already committed
        log.warning("cache: could not move the generation of %s", areas, exc_info=True)


def mark_changed(conn: Connection, *areas: Area) -> None:
    """Called by a write: the areas move to a new generation once the transaction commits."""
    conn.info.setdefault(CHANGED, set()).update(areas)


def take_changed(conn: Connection) -> set[str]:
    return set(conn.info.pop(CHANGED, set()))


def _key(areas: tuple[Area, ...], name: str, kwargs: dict[str, Any]) -> str:
    # A scope passed as a tuple or a list is the same scope.
    arguments = sorted(
        (k, list(v) if isinstance(v, tuple) else v) for k, v in kwargs.items() if k != "conn"
    )
    digest = hashlib.sha256(repr(arguments).encode()).hexdigest()[:32]
    generations = ".".join(generation(area) for area in areas)
    return f"v:{_database_tag()}:{code_version()}:{generations}:{name}:{digest}"


def _kept(key: Callable[[], str], label: str, compute: Callable[[], Any]) -> Any:
    """`compute()`, kept under `key()`; the cache being down only means computing afresh."""
    if not get_settings().cache_enabled:
        return compute()
    try:
        cache = backend()
        full = key()
        found = cache.get(full)
    except Exception:
        log.warning("cache unavailable; computing %s afresh", label, exc_info=True)
        CACHE.labels("unavailable").inc()
        return compute()
    if found is not None:
        stats["hit"] += 1
        CACHE.labels("hit").inc()
        return pickle.loads(found)
    stats["miss"] += 1
    CACHE.labels("miss").inc()
    value = compute()
    try:
        cache.set(full, pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
    except Exception:
        log.warning("cache: could not store %s", label, exc_info=True)
    return value


def through(
    areas: tuple[Area, ...], name: str, kwargs: dict[str, Any], compute: Callable[[], Any]
) -> Any:
    """`compute()`, kept under the areas' generations, `name` and every argument in
    `kwargs` (but a connection)."""
    return _kept(lambda: _key(areas, name, kwargs), name, compute)


def cached(*areas: Area) -> Callable[[F], F]:
    """Cache a keyword-only data-access function's answer (a DataFrame or plain data),
    until a write changes one of the areas it reads or the entry's time runs out."""
    if not areas or set(areas) - set(AREAS):
        raise ValueError(f"areas must be some of {AREAS}; got {areas}")

    def decorate(func: F) -> F:
        name = f"{func.__module__}.{func.__qualname__}"

        @functools.wraps(func)
        def wrapper(**kwargs: Any) -> Any:
            return through(areas, name, kwargs, lambda: func(**kwargs))

        wrapper.uncached = func  # type: ignore[attr-defined]
        return wrapper  # type: ignore[return-value]

    return decorate


def remember(key: str, compute: Callable[[], Any]) -> Any:
    """A value kept under `key` for BEACON_CACHE_SECONDS (for answers that are not a
    data-access function's, e.g. an AI service's); a failure in `compute` is not kept."""
    return _kept(lambda: _remembered(key), key[:40], compute)


def _remembered(key: str) -> str:
    return f"m:{_database_tag()}:{hashlib.sha256(key.encode()).hexdigest()[:32]}"


def forget(key: str) -> None:
    try:
        backend().delete(_remembered(key))
    except Exception:
        log.warning("cache: could not forget %s", key[:40], exc_info=True)

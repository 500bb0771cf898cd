"""One engine per database URL, built from settings.

PostgreSQL gets a pre-pinged pool and a server-side statement timeout; SQLite
gets foreign keys switched on (they are off by default) and WAL so the app can
read while the refresh job writes.
"""

from __future__ import annotations

import os
import weakref
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import lru_cache

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from data import cache
from data.models import Base
from settings import get_settings

_engines: weakref.WeakSet[Engine] = weakref.WeakSet()  # an engine let go closes its pool


def _forget_pools_after_fork() -> None:
    """A forked child (a background job) must not share its parent's open connections."""
    for engine in _engines:
        engine.dispose(close=False)


os.register_at_fork(after_in_child=_forget_pools_after_fork)


@lru_cache(maxsize=8)
def engine_for(url: str, statement_timeout_ms: int = 15_000) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
    else:
        engine = _postgres_engine(url, statement_timeout_ms)
    _engines.add(engine)
    return engine


def postgres_session_options(statement_timeout_ms: int) -> str:
    """The settings every PostgreSQL connection of the app starts with: the statement timeout,
    and no JIT. The app's reads are short and indexed; JIT compiling pays only on long
    analytic scans. A misestimated row count made the planner JIT-compile the watchlist's
    read: 89 ms of 104 at 3M sessions as #26 measured it, and 73 ms against 10-17 ms in one
    of three runs at the large scale here."""
    return f"-c statement_timeout={statement_timeout_ms} -c jit=off"


def _postgres_engine(url: str, statement_timeout_ms: int) -> Engine:
    return create_engine(
        url,
        pool_pre_ping=True,
        pool_size=5,
        max_overflow=5,
        connect_args={
            "connect_timeout": 5,
            "options": postgres_session_options(statement_timeout_ms),
        },
    )


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    # The driver would BEGIN lazily, at the first write, after the transaction's reads:
    # SQLAlchemy begins instead (below), so a write transaction's checks see what it writes on.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def _sqlite_begin(conn: Connection) -> None:
    """A write transaction takes SQLite's write lock at BEGIN (IMMEDIATE): its reads and its
    writes are one step that no other writer can come between (a booking's clash check)."""
    writes = conn.get_execution_options().get("writes", False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if writes else "BEGIN")


def get_engine() -> Engine:
    settings = get_settings()
    if settings.is_sqlite:
        settings.instance_dir.mkdir(parents=True, exist_ok=True)
    return engine_for(settings.database_url, settings.statement_timeout_ms)


@contextmanager
def connect() -> Iterator[Connection]:
    """A short-lived read connection for one callback.

    On PostgreSQL it reads in autocommit: no BEGIN before the first statement and no
    ROLLBACK when it goes back to the pool, two round trips fewer per use (#26). Under
    READ COMMITTED every statement takes its own snapshot anyway, so the reads see what
    they saw before. Writes go through `transaction()`, never through this connection, and
    a read that streams rows (a server-side cursor needs a transaction) through
    `snapshot()`."""
    with get_engine().connect() as conn:
        if conn.dialect.name == "postgresql":
            conn.execution_options(isolation_level="AUTOCOMMIT")
        yield conn


@contextmanager
def snapshot() -> Iterator[Connection]:
    """A read-only transaction that sees the database as it was when it began, through every
    statement, and may stream rows with a server-side cursor (a whole-database export)."""
    with get_engine().connect() as conn:
        if conn.dialect.name == "postgresql":
            conn.execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True)
        with conn.begin():
            yield conn


@contextmanager
def transaction() -> Iterator[Connection]:
    """A connection inside one transaction: committed on success, rolled back on error.

    Areas the writes marked (`cache.mark_changed`) get a new cache generation after commit.
    """
    with get_engine().connect() as conn, conn.execution_options(writes=True).begin():
        cache.take_changed(conn)  # left over from a transaction that rolled back
        yield conn
        changed = cache.take_changed(conn)
    if changed:
        cache.changed(*changed)


def database_problem(engine: Engine | None = None) -> str | None:
    """None when the database answers `SELECT 1`, else a short reason for /readyz."""
    try:
        with (engine or get_engine()).connect() as conn:
            conn.execute(text("SELECT 1"))
    except DBAPIError as exc:
        return f"database unreachable ({type(exc.orig).__name__})"
    except SQLAlchemyError as exc:
        return f"database unreachable ({type(exc).__name__})"
    return None


def close_idle_connections() -> None:
    """Close every engine's pooled connections (they reopen on the next use)."""
    for engine in list(_engines):
        engine.dispose()


def refresh_statistics(engine: Engine | None = None, tables: Sequence[str] = ()) -> None:
    """After a bulk load: the query planner learns the new row counts and value spreads at
    once (ANALYZE: the `tables`, or all), instead of at autovacuum's next round. Until then
    PostgreSQL guesses from the empty tables and picks full scans (a scored application's
    recounts took 8 ms where 1 ms is enough)."""
    known = set(Base.metadata.tables)
    with (engine or get_engine()).begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SET LOCAL statement_timeout = 0"))  # longer than any page read
        for table in [t for t in tables if t in known] or [""]:
            conn.execute(text(f"ANALYZE {table}".strip()))  # names from our own models only

"""Deterministic demo data: `python -m beacon seed --scale small|medium|large --seed N`.

The same scale, seed and as-of date always give the same rows. Every area is
generated as DataFrames first, then loaded table by table in foreign-key order
inside one transaction: all or nothing.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

import pandas as pd
from sqlalchemy import Connection, Engine, Table, func, select, text

from data import cache
from data.bulk import REBUILD_ROWS, bulk_insert
from data.engine import get_engine, refresh_statistics
from data.kept import recount_loaded
from data.migrate import upgrade_head
from data.models import Base, DataLoad
from data.seed import provenance
from data.seed.common import SCALES
from data.seed.credit import credit_frames
from data.seed.pe import pe_frames
from data.seed.reference import reference_frames
from data.seed.schedules import schedule_frames
from data.seed.tutoring import student_frame, tutoring_frames


class AlreadySeededError(RuntimeError):
    pass


@dataclass
class SeedReport:
    scale: str
    seed: int
    as_of: date
    dialect: str
    rows: dict[str, int] = field(default_factory=dict)
    generate_seconds: float = 0.0
    load_seconds: float = 0.0

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())


def generate(scale: str, seed: int, as_of: date) -> dict[str, pd.DataFrame]:
    if scale not in SCALES:
        raise ValueError(f"scale must be one of {', '.join(SCALES)}; got {scale!r}")
    size = SCALES[scale]
    frames = reference_frames(size)
    frames["credit_alert_rules"]["created_at"] = pd.Timestamp(as_of, tz="UTC")
    students = student_frame(size, seed, as_of)
    frames["students"] = students
    frames.update(tutoring_frames(size, seed, as_of, students))
    frames.update(pe_frames(size, seed, as_of, students))
    frames.update(schedule_frames(size, seed, as_of, frames["tutors"], students))
    frames.update(credit_frames(size, seed, as_of))
    return frames


def with_external_ids(table: Table, frame: pd.DataFrame) -> pd.DataFrame:
    """Demo rows are named as the data package names records Beacon made (`beacon-<id>`), so
    a demo database's package loads back into the same records, and an organisation's own
    ids ("1", "T-1001") never collide with them."""
    if "external_id" not in table.c or "external_id" in frame or "id" not in frame:
        return frame
    return frame.assign(external_id="beacon-" + frame["id"].astype(str))


def _data_tables() -> list[Table]:
    """The tables of records an organisation has (regions, tutors, customers, ...): those
    named by their own ids."""
    return [t for t in Base.metadata.sorted_tables if "external_id" in t.c]


def is_seeded(conn: Connection) -> bool:
    """Whether the database holds any records, the demo's or an organisation's (a database
    with only credit data loaded holds data too)."""
    return any(
        conn.execute(select(table.c.external_id).limit(1)).first() for table in _data_tables()
    )


def own_data(conn: Connection) -> str | None:
    """What shows the database holds an organisation's own data, not the demo's: a load of
    its files, or a record named by its own id (the demo's are `beacon-<id>`); None when
    there is none."""
    loads = conn.execute(
        select(func.count())
        .select_from(DataLoad)
        .where(DataLoad.outcome == "loaded", DataLoad.dry_run.is_(False))
    ).scalar_one()
    if loads:
        return f"{loads:,} load{'s' * (loads != 1)} of its files"
    for table in _data_tables():
        named = conn.execute(
            select(table.c.external_id)
            .where(table.c.external_id.is_not(None), table.c.external_id.not_like("beacon-%"))
            .limit(1)
        ).scalar()
        if named is not None:
            return f"{table.name} such as {named!r}"
    return None


KEPT_ON_RESET = {"roles"}  # reference data from the migrations


def clear(conn: Connection) -> None:
    tables = [t for t in reversed(Base.metadata.sorted_tables) if t.name not in KEPT_ON_RESET]
    if conn.dialect.name == "postgresql":
        names = ", ".join(t.name for t in tables)
        conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    else:
        for table in tables:
            conn.execute(table.delete())


def seed_database(
    engine: Engine, *, scale: str, seed: int, as_of: date, reset: bool = False
) -> SeedReport:
    report = SeedReport(scale=scale, seed=seed, as_of=as_of, dialect=engine.dialect.name)
    started = time.perf_counter()
    frames = generate(scale, seed, as_of)
    report.generate_seconds = time.perf_counter() - started
    started = time.perf_counter()
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            # A bulk load runs longer than any page query may; lift the timeout for it alone.
            conn.execute(text("SET LOCAL statement_timeout = 0"))
        if is_seeded(conn):
            mine = own_data(conn)
            if mine:  # --reset would have emptied it, accounts and audit log too
                raise AlreadySeededError(
                    f"the database holds an organisation's own data ({mine}); the demo never "
                    "replaces it, even with --reset. Point DATABASE_URL at a new, empty "
                    "database for the demo"
                )
            if not reset:
                raise AlreadySeededError(
                    "the database already holds the demo data; pass --reset to replace it "
                    "(its accounts, notes and history go with it)"
                )
            clear(conn)
        for table in Base.metadata.sorted_tables:
            if table.name in frames:
                frame = with_external_ids(table, frames[table.name])
                big = len(frame) >= REBUILD_ROWS  # into an empty table: indexes built after
                report.rows[table.name] = bulk_insert(conn, table, frame, rebuild=big)
        recount_loaded(conn=conn)
    refresh_statistics(engine)
    cache.changed(*cache.AREAS, database_url=engine.url.render_as_string(hide_password=False))
    report.load_seconds = time.perf_counter() - started
    return report


def ensure_demo_data(*, scale: str, seed: int) -> None:
    """First start in demo mode: migrate, and seed when the database is still empty."""
    upgrade_head()
    engine = get_engine()
    with engine.connect() as conn:
        if is_seeded(conn):
            return
    print(f"First start: loading {scale} demo data (seed {seed}) ...", flush=True)
    report = seed_database(engine, scale=scale, seed=seed, as_of=datetime.now(UTC).date())
    provenance.remember(engine, scale=scale, seed=seed, as_of=report.as_of)
    print(
        f"  {report.total_rows:,} rows in {report.generate_seconds + report.load_seconds:.0f} s",
        flush=True,
    )

"""Job runs and the lease that lets only one runner work at a time, on every backend.

A scheduled run claims its slot (job + fire time) with an insert that a unique constraint
lets through once, so two schedulers firing together record one run. The lease is one row
updated conditionally: it is taken when free, expired, or held by a process that is gone.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime, timedelta
from typing import Any

import pandas as pd
from sqlalchemy import Connection, and_, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from data.models import JobLease, JobRun, User
from data.queries.sql import read_frame

LEASE = "jobs"


def claim_run(
    *,
    conn: Connection,
    job: str,
    trigger: str,
    slot: str,
    requested_by: int | None,
    runner: str,
    now: datetime,
) -> int | None:
    """A new running run, or None when this slot was already claimed."""
    try:
        with conn.begin_nested():
            return int(
                conn.execute(
                    insert(JobRun)
                    .values(
                        job=job,
                        trigger=trigger,
                        slot=slot,
                        requested_by=requested_by,
                        runner=runner,
                        started_at=now,
                        status="running",
                        rows=0,
                    )
                    .returning(JobRun.id)
                ).scalar_one()
            )
    except IntegrityError:
        return None


def take_lease(
    *, conn: Connection, holder: str, now: datetime, seconds: int, dead: Collection[str] = ()
) -> bool:
    """Take (or renew) the jobs lease; `dead` names holders known to have stopped."""
    try:
        with conn.begin_nested():
            conn.execute(insert(JobLease).values(name=LEASE, holder=None, expires_at=None))
    except IntegrityError:
        pass  # the row exists already
    free = or_(
        JobLease.holder.is_(None),
        JobLease.holder == holder,
        JobLease.expires_at < now,
        JobLease.holder.in_(sorted(dead)),
    )
    taken = conn.execute(
        update(JobLease)
        .where(and_(JobLease.name == LEASE, free))
        .values(holder=holder, expires_at=now + timedelta(seconds=seconds))
    )
    return taken.rowcount == 1


def lease_holder(*, conn: Connection) -> tuple[str | None, datetime | None]:
    row = conn.execute(
        select(JobLease.holder, JobLease.expires_at).where(JobLease.name == LEASE)
    ).first()
    return (row.holder, row.expires_at) if row else (None, None)


def release_lease(*, conn: Connection, holder: str) -> None:
    conn.execute(
        update(JobLease)
        .where(JobLease.name == LEASE, JobLease.holder == holder)
        .values(holder=None, expires_at=None)
    )


def record_step(*, conn: Connection, run_id: int, step: str, rows: int) -> None:
    conn.execute(update(JobRun).where(JobRun.id == run_id).values(step=step[:120], rows=rows))


def finish_run(
    *,
    conn: Connection,
    run_id: int,
    status: str,
    rows: int,
    detail: str | None,
    now: datetime,
) -> None:
    conn.execute(
        update(JobRun)
        .where(JobRun.id == run_id)
        .values(status=status, rows=rows, detail=detail, finished_at=now)
    )


def interrupt_runs(*, conn: Connection, runners: set[str], now: datetime) -> int:
    """Runs left 'running' by runners that stopped (a crash, a cancelled job) are failed."""
    if not runners:
        return 0
    return conn.execute(
        update(JobRun)
        .where(JobRun.status == "running", JobRun.runner.in_(sorted(runners)))
        .values(status="failed", finished_at=now, detail="interrupted: the runner stopped")
    ).rowcount


def cancel_running(*, conn: Connection, by: str, now: datetime) -> int:
    """Mark the running runs cancelled and free the lease (the job itself is stopped by its
    manager); the number of runs cancelled."""
    cancelled = conn.execute(
        update(JobRun)
        .where(JobRun.status == "running")
        .values(status="cancelled", finished_at=now, detail=f"cancelled by {by}")
    ).rowcount
    conn.execute(
        update(JobLease).where(JobLease.name == LEASE).values(holder=None, expires_at=None)
    )
    return cancelled


def running_runners(*, conn: Connection) -> set[str]:
    return set(conn.execute(select(JobRun.runner).where(JobRun.status == "running")).scalars())


def runs(*, conn: Connection, limit: int = 50, job: str | None = None) -> pd.DataFrame:
    """Newest runs first.

    Columns: id, job, trigger, requested_by (display name or None), started_at, finished_at,
    status, rows, step, detail, runner.
    """
    stmt = (
        select(
            JobRun.id,
            JobRun.job,
            JobRun.trigger,
            User.display_name.label("requested_by"),
            JobRun.started_at,
            JobRun.finished_at,
            JobRun.status,
            JobRun.rows,
            JobRun.step,
            JobRun.detail,
            JobRun.runner,
        )
        .outerjoin(User, User.id == JobRun.requested_by)
        .order_by(JobRun.started_at.desc(), JobRun.id.desc())
        .limit(limit)
    )
    if job:
        stmt = stmt.where(JobRun.job == job)
    return read_frame(conn, stmt, dates=["started_at", "finished_at"])


def last_success(*, conn: Connection) -> datetime | None:
    return conn.execute(
        select(JobRun.finished_at)
        .where(JobRun.status == "succeeded")
        .order_by(JobRun.finished_at.desc())
        .limit(1)
    ).scalar_one_or_none()


def run_totals(*, conn: Connection) -> list[dict[str, Any]]:
    """Runs per job, trigger and status, with the seconds they took and when the last one
    finished (Unix time): what /metrics reports.

    Keys: job, trigger, status, runs, seconds, last_finished.
    """
    if conn.dialect.name == "sqlite":
        took = (func.julianday(JobRun.finished_at) - func.julianday(JobRun.started_at)) * 86400
        last = (func.julianday(func.max(JobRun.finished_at)) - 2440587.5) * 86400
    else:
        took = func.extract("epoch", JobRun.finished_at - JobRun.started_at)
        last = func.extract("epoch", func.max(JobRun.finished_at))
    rows = conn.execute(
        select(
            JobRun.job,
            JobRun.trigger,
            JobRun.status,
            func.count().label("runs"),
            func.coalesce(func.sum(took), 0).label("seconds"),
            last.label("last_finished"),
        ).group_by(JobRun.job, JobRun.trigger, JobRun.status)
    ).mappings()
    return [dict(row) for row in rows]

"""The history of data loads (data/imports): started, finished, and read for the page."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime

import pandas as pd
from sqlalchemy import Connection, func, insert, select, update

from data.imports import Loaded
from data.models import DataLoad
from data.runners import runner_name, stopped_runners


def start_load(
    *,
    conn: Connection,
    user_id: int | None,
    by: str,
    source: str,
    dry_run: bool,
    skip_bad_rows: bool,
    files: list[str],
    now: datetime,
) -> int:
    return int(
        conn.execute(
            insert(DataLoad)
            .values(
                started_at=now,
                user_id=user_id,
                by=by[:120],
                source=source,
                dry_run=dry_run,
                skip_bad_rows=skip_bad_rows,
                files=files,
                counts=[],
                problems=0,
                outcome="running",
                runner=runner_name(),
            )
            .returning(DataLoad.id)
        ).scalar_one()
    )


def finish_load(
    *, conn: Connection, load_id: int, outcome: str, loaded: Loaded, now: datetime
) -> None:
    conn.execute(
        update(DataLoad)
        .where(DataLoad.id == load_id)
        .values(
            finished_at=now,
            outcome=outcome,
            counts=[asdict(c) for c in loaded.counts],
            problems=loaded.problem_total,
        )
    )


def interrupt_loads(*, conn: Connection, now: datetime) -> int:
    """Loads left "running" by a process of this machine that stopped (killed, crashed) are
    failed: their transaction was rolled back, so nothing of them was written. How many."""
    running = conn.execute(
        select(DataLoad.runner).where(DataLoad.outcome == "running", DataLoad.runner.is_not(None))
    ).scalars()
    stopped = stopped_runners({r for r in running if r})
    if not stopped:
        return 0
    return conn.execute(
        update(DataLoad)
        .where(DataLoad.outcome == "running", DataLoad.runner.in_(sorted(stopped)))
        .values(
            finished_at=now,
            outcome="failed",
            detail="interrupted: the process loading it stopped before it finished, so "
            "nothing of it was written; load the files again",
        )
    ).rowcount


def fail_load(*, conn: Connection, load_id: int, detail: str, now: datetime) -> None:
    conn.execute(
        update(DataLoad)
        .where(DataLoad.id == load_id)
        .values(finished_at=now, outcome="failed", detail=detail[:2000])
    )


def load_history(*, conn: Connection, limit: int = 50) -> pd.DataFrame:
    """Newest first. Columns: id, started_at, finished_at, by, source, dry_run,
    skip_bad_rows, files (list), counts (list of dicts), problems, outcome, detail."""
    rows = conn.execute(
        select(
            DataLoad.id,
            DataLoad.started_at,
            DataLoad.finished_at,
            DataLoad.by,
            DataLoad.source,
            DataLoad.dry_run,
            DataLoad.skip_bad_rows,
            DataLoad.files,
            DataLoad.counts,
            DataLoad.problems,
            DataLoad.outcome,
            DataLoad.detail,
        )
        .order_by(DataLoad.id.desc())
        .limit(limit)
    ).all()
    columns = [
        "id", "started_at", "finished_at", "by", "source", "dry_run", "skip_bad_rows",
        "files", "counts", "problems", "outcome", "detail",
    ]  # fmt: skip
    return pd.DataFrame(rows, columns=columns)


def last_loaded_at(*, conn: Connection) -> datetime | None:
    """When the newest load that wrote something finished (a dry run writes nothing)."""
    newest = conn.execute(
        select(func.max(DataLoad.finished_at)).where(DataLoad.outcome == "loaded")
    ).scalar_one()
    return pd.Timestamp(newest).tz_convert("UTC").to_pydatetime() if newest else None

"""Loading an organisation's own data (admins only): from the command line, the Data import
page and the drop folder alike. Each load is on record in its history and the audit log,
whatever its outcome; its writes are all or nothing."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection
from sqlalchemy.exc import InterfaceError, OperationalError, SQLAlchemyError

from actions import webhooks
from actions.base import Actor, Refused
from data import audit as audit_log
from data import cache, kept, load_history
from data import imports as data_imports
from data.contract import BY_NAME
from data.contract.files import Problem, problems_frame
from data.engine import refresh_statistics, transaction
from data.imports import EntityCounts, Loaded, Progress
from settings import get_settings

log = logging.getLogger("beacon.imports")
# A load that wrote this many records refreshes the planner statistics (a push of a few
# records over the API does not).
BULK = 10_000


@dataclass(frozen=True)
class LoadRequest:
    files: list[tuple[Path, str]]  # where each file is, and the name its owner gave it
    dry_run: bool = False
    skip_bad_rows: bool = False
    source: str = "command"  # command, page, drop_folder
    encoding: str | None = None
    delimiter: str | None = None


@dataclass(frozen=True)
class LoadResult:
    load_id: int
    outcome: str  # loaded; checked (a dry run); rejected (problems); failed (the database)
    counts: list[EntityCounts]
    problems: list[Problem] = field(default_factory=list)
    problem_total: int = 0
    retry: bool = False  # failed for a passing reason (the database unreachable): try again

    @property
    def written(self) -> int:
        return sum(c.inserted + c.updated + c.deleted for c in self.counts)

    @property
    def message(self) -> str:
        problems = _counted(self.problem_total, "problem")
        if self.outcome == "loaded":
            skipped = (
                f"; {problems} set aside (bad rows or files), each in the report"
                if self.problem_total
                else ""
            )
            return f"Loaded: {_counted(self.written, 'record')} written{skipped}."
        if self.outcome == "checked":
            verdict = f"{problems} to fix first" if self.problem_total else "no problems"
            return (
                f"Dry run: {_counted(self.written, 'record')} would be written; {verdict}. "
                "Nothing was saved."
            )
        if self.outcome == "failed":
            return "The load failed while writing, and nothing of it was kept: " + (
                self.problems[0].reason if self.problems else "see the history"
            )
        return (
            f"Nothing was loaded: {problems}. Fix them, or load again skipping bad rows "
            '(--skip-bad-rows, or "Skip bad rows" on the page) to set those rows aside.'
        )


def _counted(count: int, noun: str) -> str:
    return f"{count:,} {noun}{'' if count == 1 else 's'}"


class _RollBack(Exception):
    pass


def report_file(load_id: int) -> Path:
    """A load's problems, every one kept (up to 50,000), as CSV: file, row, column, value,
    reason. The page offers it for download and the drop folder puts it beside the file."""
    return get_settings().instance_dir / "imports" / "reports" / f"load-{load_id}.csv"


def load_data(
    *, actor: Actor | None, request: LoadRequest, now: datetime, progress: Progress | None = None
) -> LoadResult | Refused:
    """`actor` None is the operator (the command line, the drop folder); a person must be an
    admin. A manager's region scope plays no part: the import is an admin's act."""
    if actor is not None and not actor.may(("admin",)):
        return Refused("Only admins load data.", denied=True, detail={"what": "data load"})
    if not request.files:
        return Refused("Choose at least one file to load.")
    result = _load(actor, request, now, progress)
    report = report_file(result.load_id)
    if result.problems:
        report.parent.mkdir(parents=True, exist_ok=True)
        problems_frame(result.problems).to_csv(report, index=False)
    else:  # a report left by an earlier database's load of the same number is not this one's
        report.unlink(missing_ok=True)
    return result


def _load(
    actor: Actor | None, request: LoadRequest, now: datetime, progress: Progress | None
) -> LoadResult:
    settings = get_settings()
    started = time.perf_counter()

    def finished() -> datetime:  # `now` and the time the load took (it said 0 s)
        return now + timedelta(seconds=time.perf_counter() - started)

    by = actor.display_name if actor else request.source.replace("_", " ")
    names = [name for _path, name in request.files]
    with transaction() as conn:
        load_history.interrupt_loads(conn=conn, now=now)
        load_id = load_history.start_load(
            conn=conn,
            user_id=actor.user_id if actor else None,
            by=by,
            source=request.source,
            dry_run=request.dry_run,
            skip_bad_rows=request.skip_bad_rows,
            files=names,
            now=now,
        )
    files, unloadable = data_imports.plan(
        request.files, max_bytes=int(settings.import_max_mb * 1_000_000)
    )
    loaded = Loaded()
    audit = {"by": by, "files": names, "source": request.source}
    try:
        with transaction() as conn:
            loaded = data_imports.load(
                conn,
                files,
                zone=ZoneInfo(settings.timezone),
                now=now,
                progress=progress,
                encoding=request.encoding,
                delimiter=request.delimiter,
            )
            loaded.add(unloadable)
            if request.dry_run or (loaded.problem_total and not request.skip_bad_rows):
                raise _RollBack
            _recount(conn, loaded)
            _audit(conn, actor, "data.loaded", load_id, now, rows=_written(loaded), **audit)
            load_history.finish_load(
                conn=conn, load_id=load_id, outcome="loaded", loaded=loaded, now=finished()
            )
            _tell_webhooks(conn, load_id, "loaded", request, now, loaded=loaded)
        outcome = "loaded"
    except _RollBack:
        outcome = "checked" if request.dry_run else "rejected"
    except (OperationalError, InterfaceError) as error:  # the connection, not the data
        return _failed(load_id, actor, _database_said(error), now, audit, request, retry=True)
    except SQLAlchemyError as error:  # a constraint: the data, which a retry will not change
        return _failed(load_id, actor, _database_said(error), now, audit, request)
    except Exception as error:  # noqa: BLE001 - on record, in the log, never half-written
        log.exception("data load %s failed", load_id)
        reason = f"an unexpected error ({type(error).__name__}); the server log has the details"
        return _failed(load_id, actor, reason, now, audit, request)
    if outcome == "loaded":  # committed: what follows may fail without undoing it
        cache.changed(*(loaded.areas or set(cache.AREAS)))
        _tell_the_planner(loaded)
        return _result(load_id, "loaded", loaded)
    with transaction() as conn:
        _audit(conn, actor, f"data.{outcome}", load_id, now, problems=loaded.problem_total, **audit)
        load_history.finish_load(
            conn=conn, load_id=load_id, outcome=outcome, loaded=loaded, now=finished()
        )
        if not request.dry_run:
            _tell_webhooks(conn, load_id, outcome, request, now, loaded=loaded)
    return _result(load_id, outcome, loaded)


def _tell_webhooks(
    conn: Connection,
    load_id: int,
    outcome: str,
    request: LoadRequest,
    now: datetime,
    *,
    loaded: Loaded | None = None,
    reason: str | None = None,
) -> None:
    """`import.finished`, for every load that was meant to write (not a dry run)."""
    webhooks.emit(
        conn,
        event="import.finished",
        region_id=None,
        now=now,
        data={
            "load_id": load_id,
            "outcome": outcome,
            "source": request.source,
            "files": [name for _path, name in request.files],
            "written": _written(loaded) if loaded else 0,
            "problems": loaded.problem_total if loaded else 1,
            "reason": reason,
        },
    )


def _result(load_id: int, outcome: str, loaded: Loaded) -> LoadResult:
    return LoadResult(load_id, outcome, loaded.counts, loaded.problems, loaded.problem_total)


def _tell_the_planner(loaded: Loaded) -> None:
    """After a bulk load, the tables it wrote are analysed (best effort: the load stands)."""
    if _written(loaded) < BULK:
        return
    tables = [
        BY_NAME[c.entity].table
        for c in loaded.counts
        if c.entity in BY_NAME and c.inserted + c.updated + c.deleted
    ]
    try:
        refresh_statistics(tables=tables)
    except SQLAlchemyError:
        log.warning("could not analyse %s after a load; autovacuum will", tables, exc_info=True)


def _written(loaded: Loaded) -> int:
    return sum(c.inserted + c.updated + c.deleted for c in loaded.counts)


def _audit(
    conn: Connection, actor: Actor | None, action: str, load_id: int, now: datetime, **detail: Any
) -> None:
    audit_log.record(
        conn=conn,
        action=action,
        now=now,
        user_id=actor.user_id if actor else None,
        entity_type="data_load",
        entity_id=load_id,
        ip=actor.ip if actor else None,
        detail=detail
        if actor is None or actor.token_id is None
        else {**detail, "token": actor.token_id},
    )


def _recount(conn: Connection, loaded: Loaded) -> None:
    """The kept daily counts of the days the load touched and the kept tables counted from
    a table it wrote; all of them when it changed a record that every day's counts depend
    on (a tutor's region)."""
    if loaded.reshaped:
        kept.recount_loaded(conn=conn)
    else:
        kept.recount_loaded(
            conn=conn, first=loaded.first_day, last=loaded.last_day, touched=loaded.written
        )


def _database_said(error: SQLAlchemyError) -> str:
    first_line = str(getattr(error, "orig", None) or error).strip().splitlines()
    return f"the database said: {first_line[0] if first_line else type(error).__name__}"[:500]


def _failed(
    load_id: int,
    actor: Actor | None,
    reason: str,
    now: datetime,
    audit: dict[str, Any],
    request: LoadRequest,
    *,
    retry: bool = False,
) -> LoadResult:
    """The load failed half-way: nothing of it was kept (one transaction). Its history says
    why, if the database answers again."""
    problem = Problem("", None, None, None, reason)
    try:
        with transaction() as conn:
            _audit(conn, actor, "data.failed", load_id, now, reason=reason, **audit)
            load_history.fail_load(conn=conn, load_id=load_id, detail=reason, now=now)
            if not request.dry_run:
                _tell_webhooks(conn, load_id, "failed", request, now, reason=reason)
    except SQLAlchemyError:
        pass  # the database is gone: the load's row stays "running" until it is back
    return LoadResult(load_id, "failed", [], [problem], 1, retry=retry)

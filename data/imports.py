"""Loading an organisation's files into Beacon, inside the caller's transaction.

Each file goes, chunk by chunk, through the contract's checks into a temporary staging
table (COPY on PostgreSQL); duplicate keys and references to records that exist neither in
the load nor in Beacon are found there; then one `INSERT ... SELECT ... ON CONFLICT DO
UPDATE` writes the rows, updating only those whose values changed. Rows marked deleted are
removed last, children first. The caller commits, or rolls back (a dry run, or problems
without "skip bad rows"): a load is all or nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd
from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Connection,
    Date,
    Float,
    Index,
    MetaData,
    Table,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.schema import AddConstraint, DropConstraint
from sqlalchemy.types import TypeEngine

from data.bulk import bulk_insert
from data.contract import BY_NAME, ENTITIES, Entity
from data.contract.files import FileRejected, Problem, count_rows, file_format, read_chunks
from data.contract.validate import check, header_problems
from data.models import Base
from data.models.base import UTCDateTime
from data.package import beacon_id

Progress = Callable[[int, int, str], None]  # rows done, rows in all, what is being done
KEPT_PROBLEMS = 50_000
BULK_ROWS = 100_000  # from here a load rebuilds a table's indexes rather than keep them
# Kept daily counts read these moments; a load that moves them recounts those days.
COUNTED_MOMENTS = {
    "tutoring_sessions": "scheduled_start",
    "credit_applications": "applied_at",
    "journey_events": "occurred_at",
}
# A change to these (a tutor's region ...) moves counts of every day: recount them all.
RESHAPING = {"regions", "tutors", "credit_customers"}
AREAS_OF = {
    "tutors": ("tutors", "schedules"),
    "students": ("tutors", "pe", "schedules"),
    "tutoring_sessions": ("tutors",),
    "regions": ("tutors", "pe", "schedules", "credit"),
    "rooms": ("schedules",),
    "schedules": ("schedules",),
    "schedule_attendees": ("schedules",),
}
SQL_TYPES: dict[str, TypeEngine[Any]] = {
    "text": Text(),
    "int": BigInteger(),
    "float": Float(),
    "date": Date(),
    "datetime": UTCDateTime(),
    "bool": Boolean(),
}


@dataclass
class EntityCounts:
    entity: str
    file: str
    rows: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0
    rejected: int = 0


@dataclass
class LoadFile:
    entity: Entity
    path: Path
    name: str  # as the user named it (an upload is stored under another name)


@dataclass
class Loaded:
    counts: list[EntityCounts] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    problem_total: int = 0
    first_day: date | None = None
    last_day: date | None = None
    reshaped: bool = False

    def add(self, problems: Iterable[Problem]) -> int:
        added = 0
        for problem in problems:
            added += 1
            if len(self.problems) < KEPT_PROBLEMS:
                self.problems.append(problem)
        self.problem_total += added
        return added

    def set_aside(self, problems: list[Problem]) -> int:
        """Add a check's problems; the rows they set aside (a row may have several)."""
        self.add(problems)
        return len({p.row for p in problems})

    def touch(self, first: Any, last: Any) -> None:
        if first is None or pd.isna(first):
            return
        first, last = _day(first), _day(last)
        self.first_day = min(self.first_day or first, first)
        self.last_day = max(self.last_day or last, last)

    @property
    def written(self) -> frozenset[str]:
        """The tables the load inserted, updated or deleted rows of."""
        return frozenset(c.entity for c in self.counts if c.inserted + c.updated + c.deleted)

    @property
    def areas(self) -> set[str]:
        changed = self.written
        areas: set[str] = set()
        for name in changed:
            areas.update(AREAS_OF.get(name, ("credit",) if "credit" in name else ("pe",)))
        if changed & {"loans", "repayments", "journey_events"}:
            areas.add("credit")
        return areas


def _day(value: Any) -> date:
    if isinstance(value, str):
        return date.fromisoformat(value[:10])
    if isinstance(value, datetime):
        return value.date()
    return value


def plan(named: list[tuple[Path, str]], *, max_bytes: int) -> tuple[list[LoadFile], list[Problem]]:
    """The files in writing order, and the problems of files that cannot be loaded at all:
    an unknown entity or format, a file over the size limit, two files for one entity."""
    files: list[LoadFile] = []
    problems: list[Problem] = []
    for path, name in named:
        stem = Path(name).stem.strip().lower()
        entity = BY_NAME.get(stem)
        if file_format(Path(name)) is None:
            reason = "is not CSV, Parquet or XLSX (.csv, .tsv, .txt, .parquet, .xlsx)"
        elif entity is None:
            reason = (
                f"names no entity of the data contract: name the file after one of "
                f"{', '.join(BY_NAME)} (for example tutors.csv)"
            )
        elif path.stat().st_size > max_bytes:
            size, limit = path.stat().st_size / 1e6, max_bytes / 1e6
            reason = f"is {size:,.1f} MB, over the limit of {limit:,.1f} MB (BEACON_IMPORT_MAX_MB)"
        elif any(f.entity is entity for f in files):
            reason = f"is a second file for {entity.name}; put its rows in one file"
        else:
            files.append(LoadFile(entity, path, name))
            continue
        problems.append(Problem(name, None, None, None, reason))
    order = {e.name: i for i, e in enumerate(ENTITIES)}
    return sorted(files, key=lambda f: order[f.entity.name]), problems


def load(
    conn: Connection,
    files: list[LoadFile],
    *,
    zone: ZoneInfo,
    now: datetime,
    progress: Progress | None = None,
    encoding: str | None = None,
    delimiter: str | None = None,
) -> Loaded:
    """Write the files' good rows and report every bad one. The caller commits or rolls
    back: it must roll back when `problem_total` is not 0, unless it skips bad rows."""
    loaded = Loaded()
    if conn.dialect.name == "postgresql":
        conn.execute(text("SET LOCAL statement_timeout = 0"))
    _name_own_records(conn)
    total = sum(count_rows(f.path) for f in files) or 1
    done = 0
    staged: list[tuple[LoadFile, Table]] = []
    for item in files:
        if progress:
            progress(done, total, f"Reading {item.name}")
        counts = EntityCounts(item.entity.name, item.name)
        loaded.counts.append(counts)
        stage = _stage_table(conn, item.entity)
        try:
            for rows in _stage_file(conn, item, stage, counts, loaded, zone, encoding, delimiter):
                done += rows
                if progress:
                    progress(done, total, f"Checking {item.name}")
        except FileRejected as rejected:
            loaded.add([Problem(item.name, None, None, None, rejected.reason)])
            continue
        counts.rejected += loaded.set_aside(_key_problems(conn, item, stage))
        counts.rejected += loaded.set_aside(_reference_problems(conn, item, stage))
        counts.rejected += loaded.set_aside(_unique_problems(conn, item, stage))
        if item.entity.name == "schedules":
            counts.rejected += loaded.set_aside(_misplaced_sessions(conn, item, stage))
            counts.rejected += loaded.set_aside(_double_bookings(conn, item, stage))
        if item.entity.name == "loans":
            counts.rejected += loaded.set_aside(_contradicting_loans(conn, item, stage, zone))
        if progress:
            progress(done, total, f"Writing {item.name}")
        _note_days(conn, item.entity, stage, loaded)
        with _bulk_writes(conn, _target(item.entity), stage):
            _upsert(conn, item.entity, stage, counts, now)
        staged.append((item, stage))
    for item, stage in reversed(staged):
        counts = next(c for c in loaded.counts if c.entity == item.entity.name)
        counts.rejected += loaded.set_aside(_still_referenced(conn, item, stage))
        counts.deleted = _delete(conn, item.entity, stage)
    for _item, stage in staged:
        stage.drop(conn)
    loaded.reshaped = any(c.entity in RESHAPING and (c.updated or c.deleted) for c in loaded.counts)
    if progress:
        progress(total, total, "Checked and written")
    return loaded


def _name_own_records(conn: Connection) -> None:
    """Records Beacon made itself get the name the data package gives them (`beacon-<id>`),
    so a package loaded back matches them instead of adding them again."""
    for entity in ENTITIES:
        if "external_id" in entity.columns:
            conn.execute(
                text(
                    f"UPDATE {entity.table} SET external_id = {beacon_id(entity.table)} "
                    "WHERE external_id IS NULL"
                )
            )


def _stage_table(conn: Connection, entity: Entity) -> Table:
    columns: list[Column[Any]] = [Column("_row", BigInteger), Column("_deleted", Boolean)]
    columns += [
        Column(name, SQL_TYPES[entity.kind(name)]) for name in entity.columns if name != "deleted"
    ]
    stage = Table(f"stage_{entity.name}", MetaData(), *columns, prefixes=["TEMPORARY"])
    stage.drop(conn, checkfirst=True)
    stage.create(conn)
    return stage


def _stage_file(
    conn: Connection,
    item: LoadFile,
    stage: Table,
    counts: EntityCounts,
    loaded: Loaded,
    zone: ZoneInfo,
    encoding: str | None,
    delimiter: str | None,
) -> Iterable[int]:
    """Check the file chunk by chunk and stage its good rows; yields rows read."""
    entity = item.entity
    first = True
    for chunk in read_chunks(item.path, encoding=encoding, delimiter=delimiter):
        if first:
            header = [str(c) for c in chunk.rows.columns]
            wrong = header_problems(entity, header, item.name)
            if wrong:
                raise FileRejected(
                    "; ".join(
                        f"column {p.column}: {p.reason}" if p.column else p.reason for p in wrong
                    )
                )
            first = False
        counts.rows += len(chunk.rows)
        checked = check(entity, chunk.rows, file=item.name, zone=zone)
        bad = {p.row for p in chunk.problems}
        # Named as its owner named the file (an upload is kept as 000.xlsx).
        counts.rejected += loaded.add(replace(p, file=item.name) for p in chunk.problems)
        problems = [p for p in checked.problems if p.row not in bad]
        counts.rejected += len({p.row for p in problems})
        loaded.add(problems)
        rows = checked.rows.loc[~checked.rows.index.isin(bad)]
        _stage_rows(conn, entity, stage, rows, deleted=False)
        _stage_rows(conn, entity, stage, checked.deleted, deleted=True)
        yield len(chunk.rows)
    if counts.rows == 0:
        raise FileRejected("has a header but no rows: there is nothing to load")


def _stage_rows(
    conn: Connection, entity: Entity, stage: Table, rows: pd.DataFrame, *, deleted: bool
) -> None:
    if rows.empty:
        return
    frame = rows.copy()
    for name in frame.columns:
        if entity.kind(name) == "date":
            frame[name] = frame[name].dt.strftime("%Y-%m-%d").astype(object)
    frame.insert(0, "_deleted", deleted)
    frame.insert(0, "_row", frame.index.to_numpy())
    bulk_insert(conn, stage, frame.reset_index(drop=True))


def _key_problems(conn: Connection, item: LoadFile, stage: Table) -> list[Problem]:
    """Rows that share a key: none of them is loaded, since which is right is unknown."""
    keys = ", ".join(item.entity.key)
    same = " AND ".join(f"s.{k} = d.{k}" for k in item.entity.key)
    rows = conn.execute(
        text(
            f"SELECT s._row, {', '.join('s.' + k for k in item.entity.key)}, d.first_row "
            f"FROM {stage.name} s JOIN (SELECT {keys}, min(_row) AS first_row, "
            f"max(_row) AS last_row FROM {stage.name} GROUP BY {keys} HAVING count(*) > 1) d "
            f"ON {same} ORDER BY s._row"
        )
    ).all()
    problems = []
    for row in rows:
        other = row.first_row if row._row != row.first_row else None
        value = " / ".join(str(v) for v in row[1 : 1 + len(item.entity.key)])
        reason = (
            f"has the same {' and '.join(item.entity.key)} as row {other}"
            if other
            else "its key appears again further down; no row with this key is loaded"
        )
        problems.append(Problem(item.name, int(row._row), item.entity.key[0], value, reason))
    _drop_rows(conn, stage, [p.row for p in problems])
    return problems


def _reference_problems(conn: Connection, item: LoadFile, stage: Table) -> list[Problem]:
    problems = []
    for name in item.entity.columns:
        target = item.entity.refers_to(name)
        if target is None:
            continue
        if target == "users":
            match = f"lower(t.email) = lower(s.{name})"
            table = "users"
            where = "Beacon user with this e-mail"
        else:
            match = f"t.external_id = s.{name}"
            table = BY_NAME[target].table
            where = f"{target} in this load or in Beacon"
        rows = conn.execute(
            text(
                f"SELECT s._row, s.{name} AS value FROM {stage.name} s "
                f"WHERE s.{name} IS NOT NULL AND NOT s._deleted "
                f"AND NOT EXISTS (SELECT 1 FROM {table} t WHERE {match}) ORDER BY s._row"
            )
        ).all()
        for row in rows:
            problems.append(
                Problem(item.name, int(row._row), name, row.value, f"is unknown: no {where}")
            )
    _drop_rows(conn, stage, [p.row for p in problems])
    return problems


def _unique_columns(entity: Entity) -> list[str]:
    """The file's columns, beside its key, that Beacon keeps unique (a tutor's e-mail, a
    region's or a product's code, a loan's application)."""
    table = _target(entity)
    single = {
        next(iter(c.columns)).name
        for c in [*table.constraints, *table.indexes]
        if isinstance(c, UniqueConstraint | Index)
        and len(c.columns) == 1
        and (isinstance(c, UniqueConstraint) or c.unique)
    }
    return [n for n in entity.columns if n not in entity.key and entity.table_column(n) in single]


def _unique_problems(conn: Connection, item: LoadFile, stage: Table) -> list[Problem]:
    """Rows whose unique value another row of the file has (none of them is loaded: which is
    right is unknown), or another record in Beacon keeps (one the load does not rewrite).
    They failed at the write with the database's words and no file, row or column."""
    entity = item.entity
    problems: list[Problem] = []
    if entity.key != ("external_id",):
        return problems
    for name in _unique_columns(entity):
        target = entity.refers_to(name)
        value = (
            f"s.{name}"
            if target is None
            else f"(SELECT r.id FROM {BY_NAME[target].table} r WHERE r.external_id = s.{name})"
        )
        twice = conn.execute(
            text(
                f"SELECT s._row, s.{name} AS value, d.first_row, d.second_row "
                f"FROM {stage.name} s JOIN (SELECT {name}, min(_row) AS first_row, "
                f"max(_row) AS second_row FROM {stage.name} WHERE NOT _deleted "
                f"GROUP BY {name} HAVING count(*) > 1) d ON d.{name} = s.{name} "
                "WHERE NOT s._deleted ORDER BY s._row"
            )
        ).all()
        for row in twice:
            other = row.first_row if row._row != row.first_row else row.second_row
            problems.append(
                Problem(item.name, int(row._row), name, row.value, f"row {other} has it too")
            )
        held = conn.execute(
            text(
                f"SELECT s._row, s.{name} AS value, t.external_id AS holder "
                f"FROM {stage.name} s JOIN {entity.table} t "
                f"ON t.{entity.table_column(name)} = {value} "
                "WHERE NOT s._deleted AND t.external_id <> s.external_id "
                f"AND NOT {_rewritten_before(stage, 't')} "
                "ORDER BY s._row"
            )
        ).all()
        for row in held:
            reason = f"belongs to {entity.name.replace('_', ' ')} {row.holder} in Beacon already"
            problems.append(Problem(item.name, int(row._row), name, row.value, reason))
    _drop_rows(conn, stage, [p.row for p in problems])
    return problems


# The schedules' no-overlap rules (a PostgreSQL exclusion constraint each; data.schedules):
# the file's column, the table's, and how a file's value finds its record.
BOOKED_BY = (
    ("host_tutor_id", "host_tutor_id", "tutor", "t.external_id = s.{c}", "tutors"),
    ("host_email", "host_user_id", "host", "lower(t.email) = lower(s.{c})", "users"),
    ("room_id", "room_id", "room", "t.external_id = s.{c}", "rooms"),
)


def _misplaced_sessions(conn: Connection, item: LoadFile, stage: Table) -> list[Problem]:
    """Sessions in a room of another region (a North manager saw an East room's session;
    the booking page takes the region from the room), or hosted by a tutor on a day after
    they left."""
    day = "date(s.starts_at)" if conn.dialect.name == "sqlite" else "CAST(s.starts_at AS DATE)"
    checks = (
        (
            "room_id",
            "JOIN rooms r ON r.external_id = s.room_id "
            "JOIN regions g ON g.external_id = s.region_id "
            "JOIN regions rg ON rg.id = r.region_id WHERE r.region_id <> g.id",
            "rg.name",
            "is a room in {}, not in the session's region",
        ),
        (
            "host_tutor_id",
            f"JOIN tutors t ON t.external_id = s.host_tutor_id WHERE t.left_on < {day} "
            "AND (s.status IS NULL OR s.status <> 'cancelled')",
            "t.left_on",
            "left on {}, before the session",
        ),
    )
    return _joined_problems(conn, item, stage, checks)


def _contradicting_loans(
    conn: Connection, item: LoadFile, stage: Table, zone: ZoneInfo
) -> list[Problem]:
    """Loans that their application contradicts: an application not approved, another
    customer's, or made after the money was paid out (each had loaded)."""
    application = "JOIN credit_applications a ON a.external_id = s.application_id "
    checks = (
        (
            "application_id",
            f"{application}WHERE a.status <> 'approved'",
            "a.status",
            "is an application {}, not approved: a loan is paid out on an approved one",
        ),
        (
            "customer_id",
            f"{application}JOIN credit_customers c ON c.id = a.customer_id "
            "WHERE c.external_id <> s.customer_id",
            "c.external_id",
            "is not the application's customer ({})",
        ),
    )
    problems = _joined_problems(conn, item, stage, checks)
    # The day paid out is the business's day (BEACON_TIMEZONE), and so is the application's:
    # compared in SQL, it was the UTC one (a loan paid out the evening it was applied for,
    # in New York, was "before the application").
    paid = conn.execute(
        text(
            f"SELECT s._row, s.disbursed_on, a.applied_at FROM {stage.name} s "
            f"{application}WHERE NOT s._deleted AND s.disbursed_on IS NOT NULL ORDER BY s._row"
        )
    ).all()
    early = []
    for row, disbursed, applied_at in paid:
        day = _day(disbursed)
        applied = pd.Timestamp(applied_at)
        applied = applied.tz_localize("UTC") if applied.tzinfo is None else applied
        local = applied.tz_convert(zone).date()
        if day < local:
            early.append(
                Problem(
                    item.name,
                    int(row),
                    "disbursed_on",
                    day.isoformat(),
                    f"is before the application, made on {local.isoformat()}",
                )
            )
    _drop_rows(conn, stage, [p.row for p in early])
    return problems + early


def _joined_problems(
    conn: Connection, item: LoadFile, stage: Table, checks: Iterable[tuple[str, str, str, str]]
) -> list[Problem]:
    """A problem for each staged row a check's join finds (column, join and condition, what
    to say of the row found, the reason with a {} for it); those rows are set aside."""
    problems = []
    for column, joined, said, reason in checks:
        rows = conn.execute(
            text(
                f"SELECT s._row, s.{column} AS value, {said} AS said FROM {stage.name} s "
                f"{joined} AND NOT s._deleted ORDER BY s._row"
            )
        ).all()
        problems += [
            Problem(item.name, int(r._row), column, _as_text(r.value), reason.format(r.said))
            for r in rows
        ]
    _drop_rows(conn, stage, [p.row for p in problems])
    return problems


def _as_text(value: Any) -> str | None:
    return None if value is None else str(value)


def _double_bookings(conn: Connection, item: LoadFile, stage: Table) -> list[Problem]:
    """Sessions that overlap another of the same host or room, in the file or in Beacon
    (cancelled ones aside), as the booking page refuses them. They loaded on SQLite and
    failed on PostgreSQL with the database's words. In the file, a session clashes when an
    earlier-starting one of its host or room ends after it starts, or a later-starting one
    starts before it ends: two window passes, not every pair (72 s at 100,000 rows)."""
    problems: list[Problem] = []
    held = "s.status IS NULL OR s.status <> 'cancelled'"
    for column, booked, noun, match, table in BOOKED_BY:
        mine = f"(SELECT t.id FROM {table} t WHERE {match.format(c=column)})"
        who = f"lower(s.{column})" if column == "host_email" else f"s.{column}"
        order = f"PARTITION BY {who} ORDER BY s.starts_at, s._row ROWS BETWEEN"
        in_file = (
            "SELECT _row, value, NULL AS other FROM (SELECT s._row, s.{c} AS value, "
            "s.starts_at, s.ends_at, "
            f"max(s.ends_at) OVER ({order} UNBOUNDED PRECEDING AND 1 PRECEDING) AS before, "
            f"min(s.starts_at) OVER ({order} 1 FOLLOWING AND UNBOUNDED FOLLOWING) AS after "
            f"FROM {stage.name} s WHERE NOT s._deleted AND s.{column} IS NOT NULL AND ({held})"
            ") w WHERE w.before > w.starts_at OR w.after < w.ends_at ORDER BY _row"
        ).replace("{c}", column)
        in_beacon = (
            f"SELECT s._row, s.{column} AS value, min(b.external_id) AS other "
            f"FROM {stage.name} s JOIN schedules b ON b.{booked} = {mine} "
            "AND b.status <> 'cancelled' AND b.starts_at < s.ends_at "
            "AND s.starts_at < b.ends_at AND b.external_id <> s.external_id "
            f"AND NOT {_rewritten_before(stage, 'b')} "
            f"WHERE NOT s._deleted AND ({held}) GROUP BY s._row, s.{column} ORDER BY s._row"
        )
        for query, reason in (
            (in_file, "overlaps another session of the file: the same " + noun + " at once"),
            (in_beacon, "overlaps session {} in Beacon: the " + noun + " is booked then"),
        ):
            problems += [
                Problem(item.name, int(r._row), column, r.value, reason.format(r.other))
                for r in conn.execute(text(query)).all()
            ]
    _drop_rows(conn, stage, [p.row for p in problems])
    return problems


def _rewritten_before(stage: Table, record: str) -> str:
    """SQL: Beacon's record `record` is rewritten by a row of the file before the row `s`.
    Only then may `s` take what the record held: rows are written in file order, each
    checked by the database as it is written, and deletions come after every write (a file
    deleting T1 and giving its e-mail to a new tutor failed in the database's words)."""
    return (
        f"EXISTS (SELECT 1 FROM {stage.name} m "
        f"WHERE m.external_id = {record}.external_id AND NOT m._deleted AND m._row < s._row)"
    )


def _drop_rows(conn: Connection, stage: Table, rows: list[int | None]) -> None:
    wanted = sorted({r for r in rows if r is not None})
    for start in range(0, len(wanted), 10_000):
        conn.execute(stage.delete().where(stage.c._row.in_(wanted[start : start + 10_000])))


def _resolved(entity: Entity, stage: Table) -> tuple[list[str], list[str], str]:
    """Table columns, their values from the stage (references resolved to ids), and the
    FROM clause that resolves them."""
    columns, values, joins = [], [], [f"{stage.name} s"]
    for position, name in enumerate(n for n in entity.columns if n != "deleted"):
        target = entity.refers_to(name)
        columns.append(entity.table_column(name))
        if target is None:
            values.append(f"s.{name}")
            continue
        alias = f"r{position}"
        if target == "users":
            joins.append(f"LEFT JOIN users {alias} ON lower({alias}.email) = lower(s.{name})")
        else:
            table = BY_NAME[target].table
            joins.append(f"LEFT JOIN {table} {alias} ON {alias}.external_id = s.{name}")
        values.append(f"{alias}.id")
    return columns, values, " ".join(joins)


def _target(entity: Entity) -> Table:
    return Base.metadata.tables[entity.table]


def _key_columns(entity: Entity) -> list[str]:
    return [entity.table_column(k) for k in entity.key]


@contextmanager
def _bulk_writes(conn: Connection, table: Table, stage: Table) -> Iterator[None]:
    """A large load on PostgreSQL writes without the table's plain indexes and foreign keys,
    then builds them again (as pg_restore does): 1 M sessions in 7 s instead of 25 s. The
    references were checked against the stage already, and re-adding a foreign key checks
    every row again. Inside the load's transaction: a failure brings them all back."""
    big = conn.execute(text(f"SELECT count(*) FROM {stage.name}")).scalar_one()
    if conn.dialect.name != "postgresql" or big < BULK_ROWS:
        yield
        return
    present = conn.execute(text(f"SELECT count(*) FROM {table.name}")).scalar_one()
    if big < present / 4:  # a small share of a big table: rebuilding costs more than it saves
        yield
        return
    indexes = [i for i in table.indexes if not i.unique]
    keys = list(table.foreign_key_constraints)
    for key in keys:
        conn.execute(DropConstraint(key))
    for index in indexes:
        index.drop(conn)
    yield
    conn.execute(text("SET LOCAL maintenance_work_mem = '256MB'"))
    for index in indexes:
        index.create(conn)
    for key in keys:
        conn.execute(AddConstraint(key))


def _upsert(
    conn: Connection, entity: Entity, stage: Table, counts: EntityCounts, now: datetime
) -> None:
    table = _target(entity)
    columns, values, source = _resolved(entity, stage)
    keys = _key_columns(entity)
    selected = ", ".join(f"{v} AS {c}" for c, v in zip(columns, values, strict=True))
    live = f"SELECT {selected} FROM {source} WHERE NOT s._deleted"
    match = " AND ".join(f"t.{k} = r.{k}" for k in keys)
    staged = conn.execute(text(f"SELECT count(*) FROM ({live}) r")).scalar_one()
    existing = conn.execute(
        text(f"SELECT count(*) FROM ({live}) r JOIN {table.name} t ON {match}")
    ).scalar_one()
    stamped = [
        c.name
        for c in table.columns
        if c.name not in columns and c.default is not None and c.default.is_callable
    ]
    insert_columns = columns + stamped
    insert_values = values + [":now"] * len(stamped)
    changing = [c for c in columns if c not in keys]
    update = ", ".join(f"{c} = excluded.{c}" for c in changing)
    distinct = "IS NOT" if conn.dialect.name == "sqlite" else "IS DISTINCT FROM"
    differs = (
        f"({', '.join(f'{table.name}.{c}' for c in changing)}) {distinct} "
        f"({', '.join(f'excluded.{c}' for c in changing)})"
    )
    if len(changing) == 1:
        differs = f"{table.name}.{changing[0]} {distinct} excluded.{changing[0]}"
    result = conn.execute(
        text(
            f"INSERT INTO {table.name} ({', '.join(insert_columns)}) "
            f"SELECT {', '.join(insert_values)} FROM {source} WHERE NOT s._deleted "
            "ORDER BY s._row "  # file order: what the checks above assumed
            f"ON CONFLICT ({', '.join(keys)}) DO UPDATE SET {update} WHERE {differs}"
        ),
        {"now": now},
    )
    written = max(result.rowcount, 0)
    counts.inserted = staged - existing
    counts.updated = written - counts.inserted
    counts.unchanged = existing - counts.updated
    if "id" in table.c and conn.dialect.name == "postgresql":
        conn.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                f"coalesce((SELECT max(id) FROM {table.name}), 1))"
            )
        )


def _note_days(conn: Connection, entity: Entity, stage: Table, loaded: Loaded) -> None:
    """The UTC days whose kept counts the load changes: the rows' new days and, for rows it
    corrects or deletes, their old ones."""
    moment = COUNTED_MOMENTS.get(entity.name)
    if moment is None:
        return
    new = conn.execute(text(f"SELECT min({moment}), max({moment}) FROM {stage.name}")).one()
    old = conn.execute(
        text(
            f"SELECT min(t.{moment}), max(t.{moment}) FROM {stage.name} s "
            f"JOIN {entity.table} t ON t.external_id = s.external_id"
        )
    ).one()
    for first, last in (new, old):
        loaded.touch(first, last)


def _still_referenced(conn: Connection, item: LoadFile, stage: Table) -> list[Problem]:
    """Deletions of records others still refer to (a tutor with sessions, a region with
    schools), after this load's own deletions of those: the database had refused the whole
    load in its own words, with no file or row."""
    table = _target(item.entity)
    if item.entity.key != ("external_id",):  # enrolments and attendees: none refer to them
        return []
    problems = []
    for other in Base.metadata.sorted_tables:
        for fk in other.foreign_keys:
            if fk.column.table is not table or (fk.ondelete or "").upper() in KEEPS_GOING:
                continue
            rows = conn.execute(
                text(
                    f"SELECT s._row, s.external_id, count(*) AS n FROM {stage.name} s "
                    f"JOIN {table.name} t ON t.external_id = s.external_id "
                    f"JOIN {other.name} o ON o.{fk.parent.name} = t.{fk.column.name} "
                    "WHERE s._deleted GROUP BY s._row, s.external_id ORDER BY s._row"
                )
            ).all()
            said = other.name.replace("_", " ")
            hint = (
                "delete or move those first (in this load or an earlier one)"
                if other.name in CONTRACT_TABLES
                else "Beacon keeps those of it, so it stays"  # its alerts, standings, feed
            )
            problems += [
                Problem(
                    item.name,
                    int(r._row),
                    "deleted",
                    r.external_id,
                    f"{r.external_id} still has {r.n:,} {said}: {hint}",
                )
                for r in rows
            ]
    _drop_rows(conn, stage, [p.row for p in problems])
    return problems


KEEPS_GOING = ("CASCADE", "SET NULL")  # a deletion these references follow, not refuse
CONTRACT_TABLES = frozenset(e.table for e in BY_NAME.values())


def _delete(conn: Connection, entity: Entity, stage: Table) -> int:
    table = _target(entity)
    columns, values, source = _resolved(entity, stage)
    keys = _key_columns(entity)
    picked = ", ".join(values[columns.index(k)] for k in keys)
    doomed = f"SELECT {picked} FROM {source} WHERE s._deleted"
    where = f"{keys[0]} IN ({doomed})" if len(keys) == 1 else f"({', '.join(keys)}) IN ({doomed})"
    return max(conn.execute(text(f"DELETE FROM {table.name} WHERE {where}")).rowcount, 0)

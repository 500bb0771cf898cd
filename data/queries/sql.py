"""Small portable SQL pieces shared by the query modules."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

import pandas as pd
from sqlalchemy import (
    Connection,
    Date,
    Integer,
    Select,
    SQLColumnExpression,
    cast,
    delete,
    func,
    insert,
    literal,
    select,
    text,
)
from sqlalchemy.sql.elements import ColumnElement


def day_of(column: SQLColumnExpression[datetime], conn: Connection) -> ColumnElement[date]:
    """The UTC calendar day of a timestamp column, on SQLite and PostgreSQL alike."""
    if conn.dialect.name == "sqlite":
        return func.date(column)
    return cast(func.timezone("UTC", column), Date)


def month_of(day: SQLColumnExpression[date], conn: Connection) -> ColumnElement[date]:
    """The first day of a date column's month, on SQLite and PostgreSQL alike."""
    if conn.dialect.name == "sqlite":
        return func.date(day, "start of month")
    return cast(func.date_trunc("month", day), Date)


def minutes_between(
    start: SQLColumnExpression[datetime], end: SQLColumnExpression[datetime], conn: Connection
) -> ColumnElement[float]:
    """The minutes from one timestamp column to another, on SQLite and PostgreSQL alike."""
    if conn.dialect.name == "sqlite":
        # Whole seconds, as PostgreSQL's exact interval gives (julianday's floats do not).
        return (func.unixepoch(end) - func.unixepoch(start)) / 60.0  # type: ignore[return-value]
    # date_part gives a double, as SQLite's does: EXTRACT gives a numeric (PostgreSQL 14+),
    # whose sums took utilisation's busiest hosts 30% longer at xlarge (#26). Whole seconds
    # are exact in a double.
    return func.date_part("epoch", end - start) / 60.0  # type: ignore[return-value]


def days_from(start: SQLColumnExpression[date], day: date, conn: Connection) -> ColumnElement[int]:
    """The whole days from a date column to `day`, on SQLite and PostgreSQL alike."""
    if conn.dialect.name == "sqlite":
        return cast(func.julianday(day.isoformat()) - func.julianday(start), Integer)
    return literal(day, Date) - start  # type: ignore[return-value]


def in_regions(
    statement: Select, column: SQLColumnExpression[int], region_ids: Sequence[int] | None
) -> Select:
    """Limit a statement to a region scope; None means every region."""
    if region_ids is None:
        return statement
    return statement.where(column.in_(list(region_ids)))


def replace_rows(conn: Connection, table: Any, counted: Select, *stale: Any) -> None:
    """Replace a kept table's rows (all, or those `stale` picks) with `counted`'s rows, whose
    columns are named as the table's.

    On PostgreSQL two transactions doing this at once (two loads) would each delete only
    the rows committed before it and both insert: counts twice, or a broken key. The table
    is locked against other writers (readers go on) until the transaction ends, so the
    second waits and then replaces what the first wrote. SQLite has one writer at a time.
    """
    lock_for_replace(conn, table)
    conn.execute(delete(table).where(*stale))
    conn.execute(insert(table).from_select([c.name for c in counted.selected_columns], counted))


def lock_for_replace(conn: Connection, table: Any) -> None:
    """Lock a kept table against other writers (readers go on) until the transaction ends
    (`replace_rows`; taken again in the same transaction, it is already held). SQLite has
    one writer at a time."""
    if conn.dialect.name == "postgresql":
        name = conn.dialect.identifier_preparer.format_table(table.__table__)
        conn.execute(text(f"LOCK TABLE {name} IN SHARE ROW EXCLUSIVE MODE"))


def kept_for(
    conn: Connection,
    day: SQLColumnExpression[Any],
    model: SQLColumnExpression[Any],
    *,
    on: date,
    model_id: int | None,
) -> bool:
    """Whether a table kept whole for one day under one model (its `day` and `model` columns
    alike in every row) holds that day and model."""
    kept = conn.execute(select(day, model).limit(1)).first()
    return kept is not None and kept[0] == on and kept[1] == model_id


def read_frame(conn: Connection, statement: Select, dates: Sequence[str] = ()) -> pd.DataFrame:
    """Run a select and return its rows as a DataFrame, with `dates` parsed as datetime64."""
    result = conn.execute(statement)
    # Plain tuples: pandas probes each Row for attributes, which costs SQLAlchemy a raised
    # and caught KeyError per row.
    frame = pd.DataFrame([tuple(row) for row in result.fetchall()], columns=list(result.keys()))
    for name in dates:
        frame[name] = pd.to_datetime(frame[name])
    return frame

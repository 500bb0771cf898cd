"""Fast bulk loading of frames (the seed's and the data import's): COPY on PostgreSQL, one
executemany on SQLite.

The seed's big loads on PostgreSQL (REBUILD_ROWS rows or more, into empty tables) drop the
table's secondary indexes and foreign keys first and make them again after the rows are
in, in the same transaction: building an index from all its rows at once, and checking a
foreign key with one join, beat maintaining them row by row (the xlarge seed's 3.2M
sessions took 75 s to load, now 24 s)."""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext

import numpy as np
import pandas as pd
from sqlalchemy import Connection, Table, text


def _as_text_timestamps(frame: pd.DataFrame) -> pd.DataFrame:
    """Datetimes as naive-UTC text in the layout SQLAlchemy itself writes to SQLite."""
    out = frame.copy()
    for name in out.columns:
        column = out[name]
        if isinstance(column.dtype, pd.DatetimeTZDtype):
            column = column.dt.tz_convert("UTC").dt.tz_localize(None)
        if pd.api.types.is_datetime64_any_dtype(column.dtype):
            values = np.datetime_as_string(column.to_numpy("datetime64[us]"), unit="us")
            text_values = pd.Series(np.char.replace(values, "T", " "), index=out.index)
            out[name] = text_values.where(column.notna(), None)
    return out


def _with_scalar_defaults(table: Table, frame: pd.DataFrame) -> pd.DataFrame:
    """Raw loads bypass the ORM, so give missing columns their plain (non-callable) defaults."""
    missing = {
        column.name: column.default.arg  # type: ignore[attr-defined]
        for column in table.columns
        if column.name not in frame.columns
        and column.default is not None
        and column.default.is_scalar
    }
    return frame.assign(**missing) if missing else frame


REBUILD_ROWS = 100_000


def bulk_insert(
    conn: Connection, table: Table, frame: pd.DataFrame, *, rebuild: bool = False
) -> int:
    """Insert every row of `frame` (columns named as in `table`) and return the row count.
    `rebuild`: drop and remake the table's indexes and foreign keys around the load
    (PostgreSQL only; for a big load into an empty table, as the seed's: into a full one,
    remaking its indexes costs more than the rows)."""
    if frame.empty:
        return 0
    prepared = _as_text_timestamps(_with_scalar_defaults(table, frame))
    columns = list(prepared.columns)
    if conn.dialect.name == "postgresql":
        with _built_after(conn, table.name) if rebuild else nullcontext():
            _copy_postgres(conn, table.name, columns, prepared)
    else:
        _executemany_sqlite(conn, table.name, columns, prepared)
    return len(frame)


@contextmanager
def _built_after(conn: Connection, name: str) -> Iterator[None]:
    """The table's foreign keys and its indexes that no constraint uses (the primary key
    stays), dropped for the load and made again from their own definitions after it."""
    table = {"table": name}
    indexes = conn.execute(
        text(
            "SELECT c.relname, pg_get_indexdef(i.indexrelid) FROM pg_index i"
            " JOIN pg_class c ON c.oid = i.indexrelid"
            " WHERE i.indrelid = CAST(:table AS regclass)"
            " AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)"
        ),
        table,
    ).all()
    keys = conn.execute(
        text(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint"
            " WHERE conrelid = CAST(:table AS regclass) AND contype = 'f'"
        ),
        table,
    ).all()
    for key, _ in keys:
        conn.execute(text(f'ALTER TABLE {name} DROP CONSTRAINT "{key}"'))
    for index, _ in indexes:
        conn.execute(text(f'DROP INDEX "{index}"'))
    yield
    conn.execute(text("SET LOCAL maintenance_work_mem = '256MB'"))
    for _, definition in indexes:
        conn.execute(text(definition))
    for key, definition in keys:
        conn.execute(text(f'ALTER TABLE {name} ADD CONSTRAINT "{key}" {definition}'))


def _copy_postgres(conn: Connection, name: str, columns: list[str], frame: pd.DataFrame) -> None:
    conn.execute(text("SET LOCAL TIME ZONE 'UTC'"))
    cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
    column_list = ", ".join(columns)
    with cursor.copy(
        f"COPY {name} ({column_list}) FROM STDIN WITH (FORMAT csv, NULL '\\N')"
    ) as copy:
        for start in range(0, len(frame), 200_000):
            buffer = io.StringIO()
            frame.iloc[start : start + 200_000].to_csv(
                buffer, header=False, index=False, na_rep="\\N"
            )
            copy.write(buffer.getvalue())
    if "id" in columns:
        sequence = f"pg_get_serial_sequence('{name}', 'id')"
        conn.execute(text(f"SELECT setval({sequence}, (SELECT max(id) FROM {name}))"))


def _executemany_sqlite(
    conn: Connection, name: str, columns: list[str], frame: pd.DataFrame
) -> None:
    placeholders = ", ".join("?" for _ in columns)
    statement = f"INSERT INTO {name} ({', '.join(columns)}) VALUES ({placeholders})"
    cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
    objects = frame.astype(object).where(frame.notna(), None)
    rows = [
        tuple(v.item() if isinstance(v, np.generic) else v for v in row)
        for row in objects.itertuples(index=False, name=None)
    ]
    cursor.executemany(statement, rows)

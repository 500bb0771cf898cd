"""Fast bulk loading of generated frames: COPY on PostgreSQL, one executemany on SQLite."""

from __future__ import annotations

import io

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


def bulk_insert(conn: Connection, table: Table, frame: pd.DataFrame) -> int:
    """Insert every row of `frame` (columns named as in `table`) and return the row count."""
    if frame.empty:
        return 0
    prepared = _as_text_timestamps(_with_scalar_defaults(table, frame))
    columns = list(prepared.columns)
    if conn.dialect.name == "postgresql":
        _copy_postgres(conn, table.name, columns, prepared)
    else:
        _executemany_sqlite(conn, table.name, columns, prepared)
    return len(frame)


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

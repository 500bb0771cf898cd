"""The database as a data package: one file per entity of the data contract, in the format
`python -m beacon load` reads, with references written as external ids. A record Beacon
made itself (a booking, an application scored on the page) has no id from another system:
it is written as `beacon-<id>`, and a load adopts that name for it."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from sqlalchemy import Connection, text

from data.contract import BY_NAME, ENTITIES, Entity

CHUNK_ROWS = 200_000


def beacon_id(alias: str) -> str:
    return f"coalesce({alias}.external_id, 'beacon-' || CAST({alias}.id AS VARCHAR(20)))"


def _select(entity: Entity) -> str:
    parts, joins = [], [f"{entity.table} t"]
    for position, name in enumerate(n for n in entity.columns if n != "deleted"):
        target = entity.refers_to(name)
        column = entity.table_column(name)
        if name == "external_id":
            parts.append(f"{beacon_id('t')} AS external_id")
        elif target == "users":
            joins.append(f"LEFT JOIN users r{position} ON r{position}.id = t.{column}")
            parts.append(f"r{position}.email AS {name}")
        elif target is not None:
            joins.append(
                f"LEFT JOIN {BY_NAME[target].table} r{position} ON r{position}.id = t.{column}"
            )
            parts.append(f"{beacon_id(f'r{position}')} AS {name}")
        else:
            parts.append(f"t.{column} AS {name}")
    order = (
        "t.id"
        if "external_id" in entity.columns
        else ", ".join(f"t.{entity.table_column(k)}" for k in entity.key)
    )
    return f"SELECT {', '.join(parts)} FROM {' '.join(joins)} ORDER BY {order}"


def _as_text(entity: Entity, frame: pd.DataFrame) -> pd.DataFrame:
    for name in frame.columns:
        kind = entity.kind(name)
        column = frame[name]
        if kind == "datetime":
            stamps = pd.to_datetime(column, utc=True, format="mixed")
            frame[name] = stamps.dt.strftime("%Y-%m-%dT%H:%M:%S.%f+00:00").where(stamps.notna())
        elif kind == "date":
            days = pd.to_datetime(column, format="mixed")
            frame[name] = days.dt.strftime("%Y-%m-%d").where(days.notna())
        elif kind == "bool":
            frame[name] = column.map(lambda v: None if pd.isna(v) else ("true" if v else "false"))
        elif kind == "int":
            frame[name] = column.astype("Int64")
        elif kind == "float":
            frame[name] = column.map(lambda v: None if pd.isna(v) else repr(float(v)))
    return frame


def write_package(*, conn: Connection, folder: Path, file_format: str = "csv") -> dict[str, int]:
    """Write every entity to `folder` (created if missing); returns rows per file."""
    if file_format not in ("csv", "parquet"):
        raise ValueError("the format is csv or parquet")
    folder.mkdir(parents=True, exist_ok=True)
    written: dict[str, int] = {}
    for entity in ENTITIES:
        path = folder / f"{entity.name}.{file_format}"
        result = conn.execution_options(stream_results=True, yield_per=CHUNK_ROWS).execute(
            text(_select(entity))
        )
        rows, first = 0, True
        columns = list(result.keys())
        frames = []
        for part in result.partitions(CHUNK_ROWS):
            frame = _as_text(entity, pd.DataFrame(part, columns=columns))
            rows += len(frame)
            if file_format == "csv":
                frame.to_csv(path, mode="w" if first else "a", header=first, index=False)
            else:
                frames.append(frame.astype("string"))
            first = False
        if first and file_format == "csv":
            pd.DataFrame(columns=columns).to_csv(path, index=False)
        if file_format == "parquet":
            whole = pd.concat(frames) if frames else pd.DataFrame(columns=columns, dtype="string")
            whole.to_parquet(path, index=False)
        written[entity.name] = rows
    return written

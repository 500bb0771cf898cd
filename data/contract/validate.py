"""From raw text rows to typed rows that keep the contract, and a plain-language problem for
every cell or row that does not."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd
import pandera.pandas as pa

from data.contract.columns import Entity
from data.contract.files import Problem

TRUE = {"true", "t", "yes", "y", "1", "x"}
FALSE = {"false", "f", "no", "n", "0", ""}
HAS_OFFSET = r"(?:[zZ]|[+-]\d\d(?::?\d\d)?)$"
NOT_A = {
    "int": "is not a whole number",
    "float": "is not a number",
    "bool": "is not true or false",
    "date": "is not a date (write it as YYYY-MM-DD)",
    "datetime": "is not a date and time (write it as YYYY-MM-DDTHH:MM, with an offset "
    "such as +01:00 if it is not in Beacon's time zone)",
}


THOUSANDS = re.compile(r"-?\d{1,3}(,\d{3})+")  # 42,000: a thousands separator, or decimals?
DECIMAL_COMMA = re.compile(r"-?\d+,\d+")


def _unreadable(kind: str, value: str, zone: ZoneInfo) -> str:
    """Why a cell cannot be read as `kind`, with the fix where the cause is a common one."""
    text = value.strip()
    if kind in ("int", "float") and THOUSANDS.fullmatch(text):
        return (
            f"{NOT_A[kind]}: write it with no thousands separator ({text.replace(',', '')}), "
            "and decimals with a point"
        )
    if kind == "float" and DECIMAL_COMMA.fullmatch(text):
        return f"{NOT_A[kind]}: write decimals with a point ({text.replace(',', '.')})"
    if kind == "datetime" and not re.search(HAS_OFFSET, text):
        naive = pd.to_datetime(text, format="ISO8601", errors="coerce")
        if not pd.isna(naive):  # a time the clocks skip, or pass twice, in the zone
            return (
                f"is in the hour the clocks change in {zone.key}: it is missing or happens "
                "twice; write it with its offset (such as +01:00)"
            )
    return NOT_A[kind]


@dataclass(frozen=True)
class Checked:
    rows: pd.DataFrame  # typed, every contract column present, indexed by row number
    deleted: pd.DataFrame  # the key columns of rows marked deleted
    problems: list[Problem]


def header_problems(entity: Entity, columns: list[str], file: str) -> list[Problem]:
    """A missing required column or an unknown one rejects the whole file."""
    # A file of deletions needs only the key: its rows carry deleted = true.
    needed = entity.key if "deleted" in columns else entity.required
    problems = [
        Problem(file, 1, name, None, "this required column is missing")
        for name in needed
        if name not in columns
    ]
    known = set(entity.columns)
    for name in columns:
        if name not in known:
            problems.append(
                Problem(
                    file,
                    1,
                    name,
                    None,
                    f"is not a column of {entity.name}; expected: {', '.join(entity.columns)}",
                )
            )
    if len(set(columns)) < len(columns):
        twice = sorted({c for c in columns if columns.count(c) > 1})
        problems.append(Problem(file, 1, ", ".join(twice), None, "appears twice in the header"))
    return problems


def _as_kind(raw: pd.Series, kind: str, zone: ZoneInfo) -> pd.Series:
    text = raw.astype("string").str.strip()
    if kind == "text":
        return text.where(text != "", None).astype(object)
    if kind in ("int", "float"):
        number = pd.to_numeric(text, errors="coerce")
        if kind == "int":
            # Beyond 2**53 a float is no longer exact, and beyond 2**63 it wrapped round to
            # a negative number: 1e20 minutes was refused as "-9223372036854775808".
            whole = number.notna() & (number % 1 == 0) & (number.abs() < 1e15)
            return number.where(whole).astype("Float64").astype("Int64")
        return number.astype("Float64")
    if kind == "bool":
        lower = text.str.lower()
        return (
            pd.Series(pd.NA, index=raw.index, dtype="boolean")
            .mask(lower.isin(TRUE), True)
            .mask(lower.isin(FALSE - {""}), False)
        )
    if kind == "date":
        parsed = pd.to_datetime(text.str.slice(0, 10), format="%Y-%m-%d", errors="coerce")
        looks_timed = text.str.len() > 10
        # A date with a midnight time (as spreadsheets write it) is a date.
        midnight = text.str.slice(10).str.fullmatch(r"[T ]00:00(:00(\.0+)?)?")
        return parsed.where(~looks_timed.fillna(False) | midnight.fillna(False))
    aware = text.str.contains(HAS_OFFSET, regex=True).fillna(False)
    with_offset = pd.to_datetime(text.where(aware), format="ISO8601", utc=True, errors="coerce")
    naive = pd.to_datetime(text.where(~aware), format="ISO8601", errors="coerce")
    local = naive.dt.tz_localize(zone, ambiguous="NaT", nonexistent="NaT").dt.tz_convert("UTC")
    return with_offset.where(aware, local)


def check(entity: Entity, raw: pd.DataFrame, *, file: str, zone: ZoneInfo) -> Checked:
    """Typed rows that keep the contract, the deleted keys, and a problem for each bad cell.
    A row with any problem is left out of `rows`."""
    problems: list[Problem] = []
    typed = pd.DataFrame(index=raw.index)
    for name in entity.columns:
        source = raw[name] if name in raw else pd.Series(None, index=raw.index, dtype=object)
        kind = entity.kind(name)
        values = _as_kind(source, kind, zone)
        unreadable = values.isna() & source.notna() & (source.astype("string").str.strip() != "")
        for row, value in source[unreadable].items():
            problems.append(
                Problem(file, int(str(row)), name, str(value), _unreadable(kind, str(value), zone))
            )
        default = entity.columns[name].metadata.get("default")
        if default is not None and name != "deleted":
            values = values.fillna(default)
        typed[name] = values
    deleted = typed["deleted"].fillna(False).astype(bool)
    typed = typed.drop(columns="deleted")
    removed = typed.loc[deleted, list(entity.key)]
    for name in entity.key:
        for row in removed.index[removed[name].isna()]:
            problems.append(Problem(file, int(row), name, None, "a deleted row needs its key"))
    kept = typed.loc[~deleted]
    unreadable_cells = {(p.row, p.column) for p in problems}
    problems.extend(
        p
        for p in _contract_problems(entity, kept, file)
        if (p.row, p.column) not in unreadable_cells  # said once: "is not a number"
    )
    bad = {p.row for p in problems}
    return Checked(
        rows=kept.loc[~kept.index.isin(bad)],
        deleted=removed.loc[~removed.index.isin(bad)].dropna(),
        problems=problems,
    )


def _contract_problems(entity: Entity, rows: pd.DataFrame, file: str) -> list[Problem]:
    if rows.empty:
        return []
    schema = entity.schema.remove_columns(["deleted"])
    try:
        schema.validate(rows, lazy=True)
    except pa.errors.SchemaErrors as errors:
        return _described(errors.failure_cases, rows, file)
    return []


def _described(cases: pd.DataFrame, rows: pd.DataFrame, file: str) -> list[Problem]:
    problems = []
    seen: set[tuple[int, str]] = set()
    for case in cases.to_dict("records"):
        if pd.isna(case["index"]):
            continue
        row = int(case["index"])
        reason = str(case["check"])
        if reason == "not_nullable":
            reason = "is empty, but this column is required"
        elif reason.startswith("dtype("):
            continue  # only after an unreadable cell, which is reported as such
        column = None if pd.isna(case["column"]) else str(case["column"])
        named = reason.split(" ", 1)[0]
        if case["schema_context"] == "DataFrameSchema" and named in rows:
            column = named  # a rule across columns ("left_on is before hired_on"): its first
        if (row, reason) in seen and case["schema_context"] == "DataFrameSchema":
            continue  # a rule across columns is one problem of the row
        seen.add((row, reason))
        value = None
        if column in rows and row in rows.index:
            cell: Any = rows.at[row, column]
            value = None if pd.isna(cell) else _as_written(cell)
        problems.append(Problem(file, row, column, value, reason))
    return problems


def _as_written(cell: Any) -> str:
    """A cell as the file's author wrote it: a date read into a timestamp is its day again
    ("2027-03-01", not "2027-03-01 00:00:00")."""
    if isinstance(cell, pd.Timestamp) and cell.tzinfo is None and cell == cell.normalize():
        return cell.date().isoformat()
    return str(cell)

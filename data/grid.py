"""Sorting and per-column filters of a data grid, as SQL on named column expressions.

The grid's models come in validated and typed (`widgets.grid` parses them); here each
becomes bound-parameter SQL. A column absent from `columns` is ignored, never interpolated."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any, Literal

import pandas as pd
from sqlalchemy import Date, and_, false, func, or_
from sqlalchemy.sql.elements import ColumnElement

Kind = Literal["text", "number", "date"]
TEXT_OPS = ("contains", "notContains", "equals", "notEqual", "startsWith", "endsWith")
NUMBER_OPS = (
    "equals",
    "notEqual",
    "lessThan",
    "lessThanOrEqual",
    "greaterThan",
    "greaterThanOrEqual",
    "inRange",
)
DATE_OPS = ("equals", "notEqual", "lessThan", "greaterThan", "inRange")
BLANK_OPS = ("blank", "notBlank")
OPS: dict[str, tuple[str, ...]] = {
    "text": TEXT_OPS + BLANK_OPS,
    "number": NUMBER_OPS + BLANK_OPS,
    "date": DATE_OPS + BLANK_OPS,
}


@dataclass(frozen=True)
class Condition:
    """One test on a column: `value` (and `to`, for inRange) are a str, a float or a date."""

    op: str
    value: Any = None
    to: Any = None


@dataclass(frozen=True)
class ColumnFilter:
    """A column's filter: one condition, or two joined by AND / OR."""

    column: str
    kind: Kind
    conditions: tuple[Condition, ...]
    join: Literal["AND", "OR"] = "AND"


@dataclass(frozen=True)
class SortKey:
    column: str
    descending: bool = False


def grid_where(
    filters: Sequence[ColumnFilter],
    columns: Mapping[str, Any],
    *,
    zone: tzinfo = UTC,
) -> list[ColumnElement[bool]]:
    """The WHERE clauses for the filters on known columns; a date filter's days are days in
    `zone` (the zone the table shows its dates in)."""
    clauses = []
    for f in filters:
        column = columns.get(f.column)
        if column is None or not f.conditions:
            continue
        tests = [_test(column, f.kind, c, zone) for c in f.conditions]
        clauses.append(or_(*tests) if f.join == "OR" else and_(*tests))
    return clauses


def grid_order(sort: Sequence[SortKey], columns: Mapping[str, Any]) -> list[ColumnElement[Any]]:
    """ORDER BY terms for the sort keys on known columns; blanks always last."""
    terms: list[ColumnElement[Any]] = []
    for key in sort:
        column = columns.get(key.column)
        if column is not None:
            term = column.desc() if key.descending else column.asc()
            terms.append(term.nulls_last())
    return terms


def _test(
    column: ColumnElement[Any], kind: Kind, c: Condition, zone: tzinfo
) -> ColumnElement[bool]:
    if c.op == "blank":
        return or_(column.is_(None), column == "") if kind == "text" else column.is_(None)
    if c.op == "notBlank":
        return and_(column.is_not(None), column != "") if kind == "text" else column.is_not(None)
    if kind == "text":
        return _text_test(column, c.op, str(c.value))
    if kind == "date":
        return _date_test(column, c, zone)
    return _compare(column, c.op, c.value, c.to)


def _text_test(column: ColumnElement[Any], op: str, value: str) -> ColumnElement[bool]:
    # SQLAlchemy escapes the wildcards (autoescape); equality compares lowered text.
    return {
        "contains": lambda: column.icontains(value, autoescape=True),
        "notContains": lambda: ~column.icontains(value, autoescape=True),
        "startsWith": lambda: column.istartswith(value, autoescape=True),
        "endsWith": lambda: column.iendswith(value, autoescape=True),
        "equals": lambda: func.lower(column) == value.lower(),
        "notEqual": lambda: func.lower(column) != value.lower(),
    }.get(op, false)()


def _compare(column: ColumnElement[Any], op: str, value: Any, to: Any) -> ColumnElement[bool]:
    tests = {
        "equals": lambda: column == value,
        "notEqual": lambda: column != value,
        "lessThan": lambda: column < value,
        "lessThanOrEqual": lambda: column <= value,
        "greaterThan": lambda: column > value,
        "greaterThanOrEqual": lambda: column >= value,
        "inRange": lambda: and_(column >= value, column <= to),
    }
    return tests[op]() if op in tests else false()


def _date_test(column: ColumnElement[Any], c: Condition, zone: tzinfo) -> ColumnElement[bool]:
    """A date matches a day: "equals 2026-03-01" is [that midnight, the next one)."""
    start, end = _bounds(column, c.value, zone)
    if c.op == "equals":
        return and_(column >= start, column < end)
    if c.op == "notEqual":
        return or_(column < start, column >= end)
    if c.op == "lessThan":
        return column < start
    if c.op == "greaterThan":
        return column >= end
    if c.op == "inRange" and c.to is not None:
        return and_(column >= start, column < _bounds(column, c.to, zone)[1])
    return false()


def _bounds(column: ColumnElement[Any], day: date, zone: tzinfo) -> tuple[Any, Any]:
    if isinstance(column.type, Date):  # a calendar day: no time of day, no zone
        return day, day + timedelta(days=1)
    return _day(day, zone)


def _day(value: date, zone: tzinfo) -> tuple[datetime, datetime]:
    start = datetime.combine(value, time(), tzinfo=zone)
    return start, datetime.combine(value + timedelta(days=1), time(), tzinfo=zone)


def filter_frame(frame: pd.DataFrame, filters: Sequence[ColumnFilter]) -> pd.DataFrame:
    """The rows of a frame computed in Python (not in SQL) that pass the filters, with the
    SQL's rules: text case-insensitive, a date is a whole day, blanks match only blank."""
    if not any(f.column in frame and f.conditions for f in filters):
        return frame  # nothing to narrow: no mask and no copy
    keep = pd.Series(True, index=frame.index)
    for f in filters:
        if f.column not in frame or not f.conditions:
            continue
        tests = [_frame_test(frame[f.column], f.kind, c) for c in f.conditions]
        joined = tests[0]
        for test in tests[1:]:
            joined = (joined | test) if f.join == "OR" else (joined & test)
        keep &= joined.fillna(False).astype(bool)
    return frame[keep]


def sort_frame(
    frame: pd.DataFrame, sort: Sequence[SortKey], *, tie: str | None = None
) -> pd.DataFrame:
    """The frame in the sort keys' order (blanks last), then by `tie`."""
    keys = [k for k in sort if k.column in frame]
    if not keys:
        return frame
    columns = [k.column for k in keys] + ([tie] if tie and tie in frame else [])
    ascending = [not k.descending for k in keys] + ([True] if len(columns) > len(keys) else [])
    return frame.sort_values(columns, ascending=ascending, na_position="last", kind="stable")


def _frame_test(values: pd.Series, kind: Kind, c: Condition) -> pd.Series:
    blank = values.isna() | (values.astype(str) == "") if kind == "text" else values.isna()
    if c.op in ("blank", "notBlank"):
        return blank if c.op == "blank" else ~blank
    if kind == "text":
        text, wanted = values.astype(str).str.lower(), str(c.value).lower()
        found = {
            "contains": lambda: text.str.contains(wanted, regex=False),
            "notContains": lambda: ~text.str.contains(wanted, regex=False),
            "startsWith": lambda: text.str.startswith(wanted),
            "endsWith": lambda: text.str.endswith(wanted),
            "equals": lambda: text == wanted,
            "notEqual": lambda: text != wanted,
        }[c.op]()
        return found & values.notna()  # as in SQL: a test on NULL is never true ('' is text)
    if kind == "date":
        days = pd.to_datetime(values).dt.date
        return _compare_days(days, c)
    numbers = pd.to_numeric(values, errors="coerce")
    return {
        "equals": lambda: numbers == c.value,
        "notEqual": lambda: (numbers != c.value) & numbers.notna(),
        "lessThan": lambda: numbers < c.value,
        "lessThanOrEqual": lambda: numbers <= c.value,
        "greaterThan": lambda: numbers > c.value,
        "greaterThanOrEqual": lambda: numbers >= c.value,
        "inRange": lambda: (numbers >= c.value) & (numbers <= c.to),
    }[c.op]()


def _compare_days(days: pd.Series, c: Condition) -> pd.Series:
    return {
        "equals": lambda: days == c.value,
        "notEqual": lambda: (days != c.value) & days.notna(),
        "lessThan": lambda: days < c.value,
        "greaterThan": lambda: days > c.value,
        "inRange": lambda: (days >= c.value) & (days <= c.to),
    }[c.op]()

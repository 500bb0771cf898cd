"""The building blocks of the data contract: one pandera column per field, carrying what the
documentation and the templates need (meaning, example, the entity it refers to).

Why pandera: it checks whole columns at once (a million rows in well under a second, where
a pydantic model per row takes minutes), lazy validation reports every failing cell with
its row and value, and its schemas carry descriptions and check statistics, from which the
documentation and the templates are generated.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pandas as pd
import pandera.pandas as pa

KINDS = {
    "text": "text",
    "int": "whole number",
    "float": "number",
    "date": "date (YYYY-MM-DD)",
    "datetime": "date and time (ISO 8601; without an offset it is read in BEACON_TIMEZONE)",
    "bool": "true or false",
}
DTYPES = {
    "text": "str",
    "int": "Int64",
    "float": "Float64",
    "date": "datetime64[ns]",
    "datetime": "datetime64[ns, UTC]",
    "bool": "boolean",
}
# "Not in the future" allows for the time zone furthest ahead of UTC, so a date that is
# today where the row was recorded is never refused.
AHEAD_OF_UTC = timedelta(hours=14)


def latest_allowed() -> pd.Timestamp:
    return pd.Timestamp(datetime.now(UTC) + AHEAD_OF_UTC)


def _not_in_future(kind: str) -> pa.Check:
    if kind == "date":
        return pa.Check(
            lambda s: s <= latest_allowed().tz_localize(None).normalize(),
            element_wise=False,
            error="is in the future; it must already have happened",
            name="not_in_future",
        )
    return pa.Check(
        lambda s: s <= pd.Timestamp(datetime.now(UTC)),
        error="is in the future; it must already have happened",
        name="not_in_future",
    )


def field_column(
    kind: str,
    meaning: str,
    *,
    example: Any,
    required: bool = True,
    allowed: tuple[str, ...] | None = None,
    low: float | None = None,
    high: float | None = None,
    past: bool = False,
    max_length: int | None = None,
    refers_to: str | None = None,
    default: Any = None,
) -> pa.Column:
    """One field of an entity. `refers_to` names the entity whose `external_id` it holds."""
    checks: list[pa.Check] = []
    if allowed is not None:
        checks.append(pa.Check.isin(allowed, error=f"must be one of: {', '.join(allowed)}"))
    if low is not None and high is not None:
        checks.append(pa.Check.in_range(low, high, error=f"must be between {low:g} and {high:g}"))
    elif low is not None:
        checks.append(pa.Check.ge(low, error=f"must be at least {low:g}"))
    elif high is not None:
        checks.append(pa.Check.le(high, error=f"must be at most {high:g}"))
    if max_length is not None:
        checks.append(
            pa.Check.str_length(
                max_value=max_length, error=f"is longer than {max_length} characters"
            )
        )
    if past:
        checks.append(_not_in_future(kind))
    return pa.Column(
        DTYPES[kind],
        checks=checks,
        nullable=not required,
        required=required,
        description=meaning,
        metadata={
            "kind": kind,
            "example": example,
            "refers_to": refers_to,
            "default": default,
            "past": past,
        },
    )


def external_id(what: str, example: str) -> pa.Column:
    return field_column(
        "text",
        f"The {what}'s id in your own system. Loads match on it: a row whose id is already "
        "in Beacon updates that record.",
        example=example,
        max_length=64,
    )


def reference(entity: str, what: str, example: str, *, required: bool = True) -> pa.Column:
    return field_column(
        "text",
        f"The {what}'s external_id, as in the {entity} file or already in Beacon.",
        example=example,
        required=required,
        max_length=64,
        refers_to=entity,
    )


def user_email(meaning: str, example: str) -> pa.Column:
    return field_column(
        "text", meaning, example=example, required=False, max_length=254, refers_to="users"
    )


DELETED = field_column(
    "bool",
    "true removes the record with this external_id from Beacon (its other columns may be "
    "empty); empty or false loads the row.",
    example=False,
    required=False,
    default=False,
)


USER_COLUMNS = {
    "teacher_email": "teacher_id",
    "author_email": "author_id",
    "host_email": "host_user_id",
}


@dataclass(frozen=True)
class Entity:
    """One kind of record an organisation brings: its file is named `<name>.csv` (or .xlsx,
    .parquet) and holds one row per record."""

    name: str
    table: str
    meaning: str
    schema: pa.DataFrameSchema
    # The columns a row is matched on: external_id, or the pair a link row joins.
    key: tuple[str, ...] = ("external_id",)

    @property
    def columns(self) -> dict[str, pa.Column]:
        return self.schema.columns

    def kind(self, column: str) -> str:
        return str(self.columns[column].metadata["kind"])

    def refers_to(self, column: str) -> str | None:
        return self.columns[column].metadata.get("refers_to")

    @staticmethod
    def table_column(name: str) -> str:
        """The table column a file column lands in (a user's e-mail becomes their id)."""
        return USER_COLUMNS.get(name, name)

    @property
    def required(self) -> list[str]:
        return [n for n, c in self.columns.items() if c.required]

    @property
    def dates(self) -> list[str]:
        return [n for n in self.columns if self.kind(n) in ("date", "datetime")]


def entity(
    name: str,
    meaning: str,
    columns: dict[str, pa.Column],
    *,
    table: str | None = None,
    key: tuple[str, ...] = ("external_id",),
    checks: list[pa.Check] | None = None,
) -> Entity:
    schema = pa.DataFrameSchema(
        {**columns, "deleted": DELETED}, checks=checks or [], name=name, strict=False
    )
    return Entity(name=name, table=table or name, meaning=meaning, schema=schema, key=key)


def row_rule(rule: Any, error: str) -> pa.Check:
    """A check across the columns of a row (True where the row is fine); rows where a column
    it reads is empty pass, since emptiness is the column's own check."""
    return pa.Check(rule, error=error)

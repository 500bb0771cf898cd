"""What every list endpoint shares: page and per_page in, items and total out, and frames
turned into JSON-ready records (ISO times in UTC, no NaN)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pandas as pd
from flask import Response, jsonify
from pydantic import BaseModel, ConfigDict, Field

MAX_PER_PAGE = 500


class PageQuery(BaseModel):
    # A misspelt filter (regionid=3) is refused, not ignored: it answered every region.
    model_config = ConfigDict(extra="forbid")
    page: int = Field(1, ge=1, le=1_000_000, description="1 is the first page.")
    per_page: int = Field(50, ge=1, le=MAX_PER_PAGE, description=f"1 to {MAX_PER_PAGE}.")

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page


class Paged(BaseModel):
    total: int = Field(description="How many match the filters, on every page.")
    page: int
    per_page: int


def page_answer(rows: pd.DataFrame, total: int, query: PageQuery, **extra: Any) -> Response:
    """One page of a list, as every list endpoint answers it."""
    return jsonify(
        items=records(rows), total=total, page=query.page, per_page=query.per_page, **extra
    )


WHOLE = ("id", "percentile")  # columns of whole numbers, whatever pandas made of them


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as plain JSON values: timestamps in ISO 8601 (UTC), missing values as null."""
    out = frame.copy()
    for column in out.columns:
        if pd.api.types.is_datetime64_any_dtype(out[column]):
            day = str(column).endswith("_on")  # a date (hired_on, disbursed_on), not a moment
            out[column] = [
                None if pd.isna(v) else (v.date() if day else v).isoformat() for v in out[column]
            ]
        elif str(column).endswith(WHOLE) and pd.api.types.is_float_dtype(out[column]):
            out[column] = out[column].astype("Int64")  # whole numbers with gaps read as floats
    out = out.astype(object).where(out.notna(), None)
    return [{str(k): plain(v) for k, v in row.items()} for row in out.to_dict(orient="records")]


def plain(value: Any) -> Any:
    """numpy scalars as Python numbers, dates as ISO 8601 (lists and dicts as they are)."""
    if isinstance(value, date | datetime):
        return value.isoformat()
    return value.item() if hasattr(value, "item") and not isinstance(value, list | dict) else value

"""Files users download: CSV and Excel made on the server, safe to open in a spreadsheet.

A cell that begins with = + - @, a tab or a carriage return could run as a formula when the
file is opened (CSV/formula injection); such text cells get a leading apostrophe, which
spreadsheets show as plain text. File names are made here from the view and the time,
never from what the user typed.
"""

from __future__ import annotations

import io
import re
from datetime import datetime
from typing import Any

import pandas as pd
from dash import dcc

from components.formatting import column_label

RISKY_START = ("=", "+", "-", "@", "\t", "\r")
FORMATS = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def neutralised(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy in which no text cell can be read as a formula."""
    safe = frame.copy()
    for column in safe.columns:
        if safe[column].dtype == object or pd.api.types.is_string_dtype(safe[column]):
            safe[column] = [
                "'" + value if isinstance(value, str) and value.startswith(RISKY_START) else value
                for value in safe[column]
            ]
    return safe


def file_name(view: str, moment: datetime, extension: str) -> str:
    """beacon-<view>-<UTC time>.<ext>, with the view reduced to letters, digits and dashes."""
    slug = re.sub(r"[^a-z0-9]+", "-", view.lower()).strip("-")[:40] or "export"
    return f"beacon-{slug}-{moment:%Y%m%d-%H%M%S}.{extension}"


def table_file(frame: pd.DataFrame, *, view: str, fmt: str, moment: datetime) -> dict[str, Any]:
    """What a dcc.Download needs for the whole frame as CSV or Excel (fmt "csv" or "xlsx"):
    headed for people ("Risk before", not risk_before), the values as they are (numbers stay
    numbers, for the spreadsheet)."""
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {sorted(FORMATS)}; got {fmt!r}")
    safe = neutralised(frame).rename(columns=column_label)
    name = file_name(view, moment, fmt)
    if fmt == "csv":
        return dcc.send_string(safe.to_csv(index=False), name, type=FORMATS[fmt])
    buffer = io.BytesIO()
    for column in safe.select_dtypes(include=["datetimetz"]).columns:
        safe[column] = safe[column].dt.tz_convert("UTC").dt.tz_localize(None)  # Excel has no zones
    safe.to_excel(buffer, index=False, sheet_name=view[:31] or "export")
    return dcc.send_bytes(buffer.getvalue(), name, type=FORMATS[fmt])

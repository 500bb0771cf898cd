"""Numbers and dates formatted one way across the app."""

from __future__ import annotations

from datetime import datetime

import pandas as pd


def number(value: float | None, decimals: int = 0) -> str:
    if value is None or pd.isna(value):
        return "–"
    return f"{value:,.{decimals}f}"


def percent(value: float | None) -> str:
    """A share (0.123) as a percentage with one decimal (12.3%)."""
    if value is None or pd.isna(value):
        return "–"
    return f"{value * 100:.1f}%"


def signed_percent(change: float | None) -> str:
    if change is None or pd.isna(change):
        return "no earlier data"
    arrow = "▲" if change > 0 else "▼" if change < 0 else "■"
    return f"{arrow} {abs(change) * 100:.1f}%"


def signed_count(change: float | None) -> str:
    if change is None or pd.isna(change):
        return "no earlier data"
    arrow = "▲" if change > 0 else "▼" if change < 0 else "■"
    return f"{arrow} {abs(change):,.0f}"


def iso_datetime(moment: datetime | pd.Timestamp | None) -> str:
    if moment is None or pd.isna(moment):
        return "no data yet"
    return pd.Timestamp(moment).tz_convert("UTC").strftime("%Y-%m-%d %H:%M UTC")

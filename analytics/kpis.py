"""Period-over-period KPIs and weekly series from daily roll-ups."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from analytics.frames import wide_table


@dataclass(frozen=True)
class PeriodComparison:
    """A KPI over the latest window and the window before it."""

    current: float | None
    previous: float | None

    @property
    def change(self) -> float | None:
        """Relative change against the previous window; None where it is undefined."""
        if self.current is None or not self.previous:
            return None
        return (self.current - self.previous) / abs(self.previous)


def by_status(daily: pd.DataFrame, *, value: str, status: str = "status") -> pd.DataFrame:
    """Daily rows per status -> one row per day, one column per status (missing = 0)."""
    if daily.empty:
        return pd.DataFrame(index=pd.DatetimeIndex([], name="day"))
    wide = wide_table(daily, index="day", columns=status, values=value)
    wide.columns.name = None
    return wide


def compare_periods(
    daily: pd.DataFrame,
    *,
    numerator: str,
    end: pd.Timestamp,
    days: int = 30,
    denominator: str | None = None,
) -> PeriodComparison:
    """Sum `numerator` (or its ratio to `denominator`) over (end - days, end] and the window before.

    `daily` is indexed by day. A window without any denominator gives None, not zero.
    """
    if days <= 0:
        raise ValueError(f"days must be positive; got {days}")
    end = pd.Timestamp(end).tz_localize(None).normalize() + pd.Timedelta(days=1)
    index = pd.DatetimeIndex(daily.index).tz_localize(None) if len(daily) else daily.index

    def window(stop: pd.Timestamp) -> float | None:
        mask = (index >= stop - pd.Timedelta(days=days)) & (index < stop)
        top = float(daily.loc[mask, numerator].sum()) if numerator in daily else 0.0
        if denominator is None:
            return top
        bottom = float(daily.loc[mask, denominator].sum()) if denominator in daily else 0.0
        return top / bottom if bottom else None

    return PeriodComparison(window(end), window(end - pd.Timedelta(days=days)))


def whole_weeks_to(end: pd.Timestamp) -> pd.Timestamp:
    """The Sunday on or before `end`: where weekly totals stop so that their last week is
    whole (a week ending on a Wednesday drew as a week of half the sessions)."""
    end = pd.Timestamp(end).normalize()
    return end - pd.Timedelta(days=(end.weekday() + 1) % 7)


def weekly(daily: pd.Series, *, end: pd.Timestamp, weeks: int = 12) -> pd.Series:
    """Weekly (Monday-start) totals of a daily series for the last `weeks` weeks, gaps as 0."""
    if weeks <= 0:
        raise ValueError(f"weeks must be positive; got {weeks}")
    end = pd.Timestamp(end).tz_localize(None).normalize()
    last_monday = end - pd.Timedelta(days=end.weekday())
    index = pd.date_range(last_monday - pd.Timedelta(weeks=weeks - 1), last_monday, freq="7D")
    if daily.empty:
        return pd.Series(np.zeros(weeks), index=index, name=daily.name)
    days = pd.DatetimeIndex(daily.index).tz_localize(None)
    mondays = days - pd.to_timedelta(days.day_of_week, unit="D")
    totals = daily.groupby(mondays).sum()
    totals = totals.reindex(index, fill_value=0)
    totals.name = daily.name
    return totals


def weekly_frame(wide: pd.DataFrame, *, end: pd.Timestamp, weeks: int = 12) -> pd.DataFrame:
    """Every column of a daily frame (one per status) as weekly totals, like `weekly`."""
    return pd.DataFrame(
        {column: weekly(wide[column], end=end, weeks=weeks) for column in wide.columns}
    )

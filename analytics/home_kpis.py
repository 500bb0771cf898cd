"""Each area's headline numbers (the Home page's KPI cards and the API's /kpis), computed
once from the area's daily frames: value, the same window before it, the window's dates.
`weeks` is how many weeks the chart rows cover (the frames' reader decides it)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Literal

import pandas as pd

from analytics.kpis import (
    PeriodComparison,
    by_status,
    compare_periods,
    weekly,
    weekly_frame,
    whole_weeks_to,
)

# Four whole weeks: each window holds every weekday the same number of times. Windows of 30
# days compared 20 working days with 22 whenever a month had weekends fall differently
# (sessions completed "down 10%" on a flat week-by-week trend).
WINDOW_DAYS = 28
WINDOW = "4 weeks"
Unit = Literal["count", "rate", "rating", "hours"]
Frames = dict[str, pd.DataFrame]


@dataclass(frozen=True)
class Kpi:
    key: str
    title: str
    unit: Unit
    value: float | None
    previous: float | None = None  # the window just before; None when not compared
    first_day: date | None = None  # the window, both days included
    last_day: date | None = None
    compare: bool = True
    higher_is_better: bool = True
    note: str | None = None  # said instead of the comparison (a count with its context)
    against: str = f"previous {WINDOW}"  # what the change compares with
    trend: tuple[float, ...] = field(default=())

    @property
    def change(self) -> float | None:
        """Relative to the window before (0.1 = +10%)."""
        return PeriodComparison(self.value, self.previous).change if self.compare else None

    @property
    def point_change(self) -> float | None:
        """The difference from the window before (for a rate: 0.044 = 4.4 points)."""
        if not self.compare or self.value is None or self.previous is None:
            return None
        return self.value - self.previous


def _kpi(
    key: str,
    title: str,
    unit: Unit,
    comparison: PeriodComparison,
    *,
    end: pd.Timestamp,
    days: int = WINDOW_DAYS,
    trend: pd.Series | tuple[float, ...] = (),
    higher_is_better: bool = True,
    against: str | None = None,
) -> Kpi:
    last = pd.Timestamp(end).date()
    return Kpi(
        key=key,
        title=title,
        unit=unit,
        value=comparison.current,
        previous=comparison.previous,
        first_day=last - timedelta(days=days - 1),
        last_day=last,
        higher_is_better=higher_is_better,
        trend=tuple(float(v) for v in trend),
        against=against
        or (f"previous {WINDOW}" if days == WINDOW_DAYS else f"previous {days} days"),
    )


def _rows(weekly_rows: pd.DataFrame) -> pd.DataFrame:
    """A weekly frame (index: week) as rows with a week column, for files and charts."""
    return weekly_rows.rename_axis("week").reset_index()


def tutoring(frames: Frames, end: pd.Timestamp, *, weeks: int) -> tuple[list[Kpi], pd.DataFrame]:
    daily = frames["daily"]
    wide = by_status(daily, value="sessions")
    ratings = daily.groupby("day")[["rated", "rating_sum"]].sum()
    wide["held"] = wide.drop(columns=["scheduled"], errors="ignore").sum(axis=1)
    completed = wide.get("completed", pd.Series(dtype=float))
    heads = frames["heads"].iloc[0]
    kpis = [
        _kpi(
            "sessions_completed",
            f"Sessions completed, last {WINDOW}",
            "count",
            compare_periods(wide, numerator="completed", end=end, days=WINDOW_DAYS),
            end=end,
            trend=weekly(completed, end=whole_weeks_to(end)),
        ),
        _kpi(
            "completion_rate",
            f"Completion rate, last {WINDOW}",
            "rate",
            compare_periods(
                wide, numerator="completed", denominator="held", end=end, days=WINDOW_DAYS
            ),
            end=end,
        ),
        _kpi(
            "average_rating",
            f"Average rating (1–5), last {WINDOW}",
            "rating",
            compare_periods(
                ratings, numerator="rating_sum", denominator="rated", end=end, days=WINDOW_DAYS
            ),
            end=end,
        ),
        Kpi(
            key="active_tutors",
            title="Active tutors",
            unit="count",
            value=float(heads["active"]),
            last_day=pd.Timestamp(end).date(),
            compare=False,
            note=f"{int(heads['left_recently']):,} left in the last 90 days",
        ),
    ]
    return kpis, _rows(
        weekly_frame(wide.drop(columns=["held"]), end=whole_weeks_to(end), weeks=weeks)
    )


def pe(frames: Frames, end: pd.Timestamp, *, weeks: int) -> tuple[list[Kpi], pd.DataFrame]:
    daily = frames["daily"].set_index("day")
    incidents = by_status(frames["incidents"], value="incidents", status="severity")
    incidents["all"] = incidents.sum(axis=1)
    whole = whole_weeks_to(end)
    weekly_rate = weekly(daily["present"], end=whole, weeks=weeks) / weekly(
        daily["marks"], end=whole, weeks=weeks
    ).replace(0, float("nan"))
    kpis = [
        _kpi(
            "attendance_rate",
            f"Attendance rate, last {WINDOW}",
            "rate",
            compare_periods(
                daily, numerator="present", denominator="marks", end=end, days=WINDOW_DAYS
            ),
            end=end,
            trend=tuple(weekly_rate.tail(12).fillna(0)),
        ),
        _kpi(
            "places_attended",
            f"Places attended, last {WINDOW}",
            "count",
            compare_periods(daily, numerator="present", end=end, days=WINDOW_DAYS),
            end=end,
        ),
        _kpi(
            "safety_incidents",
            f"Safety incidents, last {WINDOW}",
            "count",
            compare_periods(incidents, numerator="all", end=end, days=WINDOW_DAYS),
            end=end,
            higher_is_better=False,
        ),
    ]
    return kpis, _rows(weekly_rate.rename("attendance_rate").to_frame())


def schedules(frames: Frames, end: pd.Timestamp, *, weeks: int) -> tuple[list[Kpi], pd.DataFrame]:
    daily = frames["daily"]
    hours = by_status(daily, value="hours")
    count = by_status(daily, value="bookings")
    count["held"] = count.get("completed", 0) + count.get("cancelled", 0)
    # Sessions that took place: neither cancelled nor still to come.
    count["took_place"] = (
        count.drop(columns=["held"]).sum(axis=1)
        - count.get("cancelled", 0)
        - count.get("scheduled", 0)
    )
    ahead = end + timedelta(days=7)
    week_before = compare_periods(count, numerator="took_place", end=end, days=7).current
    # Booked sessions of the 7 days that ended without being marked are not still to come.
    unmarked = int(frames["ended_unmarked"]["sessions"].sum()) if "ended_unmarked" in frames else 0
    note = f"{int(week_before or 0):,} took place in the 7 days before"
    if unmarked:
        note += f"; {unmarked:,} ended, not marked yet"
    kpis = [
        # Not compared: the week ahead has not had its cancellations yet and the week before
        # has (an arrow read +20% where bookings were flat). Today's finished ones are not
        # ahead.
        Kpi(
            key="bookings_next_7_days",
            title="Sessions still to come, next 7 days",
            unit="count",
            value=_less(compare_periods(count, numerator="scheduled", end=ahead, days=7), unmarked),
            first_day=pd.Timestamp(end).date() + timedelta(days=1),
            last_day=pd.Timestamp(ahead).date(),
            compare=False,
            note=note,
        ),
        _kpi(
            "hours_delivered",
            f"Hours delivered, last {WINDOW}",
            "hours",
            compare_periods(hours, numerator="completed", end=end, days=WINDOW_DAYS),
            end=end,
        ),
        _kpi(
            "cancellation_rate",
            f"Cancellation rate, last {WINDOW}",
            "rate",
            compare_periods(
                count, numerator="cancelled", denominator="held", end=end, days=WINDOW_DAYS
            ),
            end=end,
            higher_is_better=False,
        ),
    ]
    # The 8 weeks before the week 4 weeks ahead ends, and those 4: 12 whole weeks (13 drew a
    # first week the reader had read one day of).
    return kpis, _rows(weekly_frame(hours, end=whole_weeks_to(end + timedelta(weeks=4)), weeks=12))


def _less(period: PeriodComparison, count: int) -> float | None:
    """The window's value less `count`; no value stays no value."""
    return None if period.current is None else period.current - count


def credit(frames: Frames, end: pd.Timestamp, *, weeks: int) -> tuple[list[Kpi], pd.DataFrame]:
    daily = frames["daily"]
    wide = by_status(daily, value="applications")
    wide["all"] = wide.sum(axis=1)
    wide["decided"] = wide.get("approved", 0) + wide.get("declined", 0)
    book = frames["book"].iloc[0]
    kpis = [
        _kpi(
            "applications",
            f"Applications, last {WINDOW}",
            "count",
            compare_periods(wide, numerator="all", end=end, days=WINDOW_DAYS),
            end=end,
            trend=weekly(wide["all"], end=whole_weeks_to(end)) if len(wide) else (),
        ),
        _kpi(
            "approval_rate",
            f"Approval rate (decided applications), last {WINDOW}",
            "rate",
            compare_periods(
                wide, numerator="approved", denominator="decided", end=end, days=WINDOW_DAYS
            ),
            end=end,
        ),
        Kpi(
            key="loans_30_days_late",
            title="Active loans 30+ days late",
            unit="rate",
            value=book["in_arrears"] / book["loans"] if book["loans"] else None,
            last_day=pd.Timestamp(end).date(),
            compare=False,
            note=f"of {int(book['loans']):,} active loans",
        ),
    ]
    return kpis, _rows(
        weekly_frame(wide.drop(columns=["all", "decided"]), end=whole_weeks_to(end), weeks=weeks)
    )


AREAS: dict[str, Callable[..., tuple[list[Kpi], pd.DataFrame]]] = {
    "tutoring": tutoring,
    "pe": pe,
    "schedules": schedules,
    "credit": credit,
}

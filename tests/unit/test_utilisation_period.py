"""Utilisation counts whole days up to yesterday: today's sessions are still to be held,
taken or cancelled, and counting them drew the week in progress as almost no cancellations
and no no-shows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pandas as pd
from sqlalchemy import insert

import app  # noqa: F401 (the pages need the app)
from auth.requests import days_back
from data.cache import changed
from data.engine import engine_for
from data.models import Schedule
from tests.conftest import acting_as


def book(url: str, *, starts_in: timedelta, status: str) -> None:
    start = days_back(0) + starts_in
    row = {"title": "Period check", "region_id": 1, "host_tutor_id": 1, "status": status}
    with engine_for(url).begin() as conn:
        conn.execute(
            insert(Schedule).values(**row, starts_at=start, ends_at=start + timedelta(hours=1))
        )
    changed("schedules")  # as every write through the app does


def totals(period: int) -> tuple[int, int]:
    from pages.schedules_utilisation import usage

    weeks = usage(period)[1]["weeks"]
    if len(weeks):  # no week drawn starts after yesterday
        assert weeks["week"].max().date() <= days_back(1).date()
    return int(weeks["sessions"].sum()), int(weeks["cancelled"].sum())


def test_today_counts_once_it_is_over_and_yesterday_counts_now(seeded_copy):
    from pages.schedules_utilisation import drill_to_room

    with acting_as("admin"):
        sessions, cancelled = totals(28)
        book(seeded_copy, starts_in=timedelta(minutes=5), status="scheduled")  # today
        assert totals(28) == (sessions, cancelled)
        book(seeded_copy, starts_in=timedelta(hours=-3), status="cancelled")  # yesterday evening
        assert totals(28) == (sessions + 1, cancelled + 1)
        book(seeded_copy, starts_in=-timedelta(days=28, hours=-1), status="cancelled")  # day 28
        book(seeded_copy, starts_in=-timedelta(days=29, hours=-1), status="cancelled")  # day 29
        assert totals(28) == (sessions + 2, cancelled + 2)
        # The room's sessions open in the calendar for the same 28 days, both ends included.
        url = drill_to_room(click={"points": [{"customdata": [4, 1]}]}, period=28)
    first, last = days_back(28).date(), days_back(1).date()
    assert url == f"/schedules?view=list&date={first}&until={last}&room=1"
    assert (last - first).days == 27


def test_every_week_of_the_period_is_a_row_and_empty_weeks_are_named(seeded_copy):
    """A period's chart spans every week it names: a week without sessions is a row of
    zeros (a gap in the lines), and the page says how many days at the period's start or
    end hold none, rather than drawing 12 weeks as 8 without a word. (The seeded data ends
    on a fixed day long before this period; the sessions booked here are its only ones.)"""
    from pages.schedules_utilisation import (
        SPEC,
        coverage,
        period_days,
        rates_figure,
        rates_rows,
        usage,
    )

    book(seeded_copy, starts_in=-timedelta(days=30), status="completed")
    book(seeded_copy, starts_in=timedelta(hours=-3), status="cancelled")  # yesterday
    with acting_as("admin"):
        weeks = usage(84)[1]["weeks"]
        rows = rates_rows(SPEC.state({"period": 84}))
    first, last = period_days(84)
    mondays = [d.date() for d in weeks["week"]]
    assert mondays[0] == first - timedelta(days=first.weekday())
    assert mondays[-1] == last - timedelta(days=last.weekday())
    assert all((b - a).days == 7 for a, b in zip(mondays, mondays[1:], strict=False))
    booked = days_back(30).date()
    held = weeks[weeks["sessions"] > 0]
    assert [d.date() for d in held["first_day"]] == [booked, last]
    assert weeks["sessions"].sum() == 2
    assert coverage(weeks, first=first, last=last) == (
        f"No sessions in the first {(booked - first).days} days of this period: the earliest "
        f"is on {booked:%a %d %b}."
    )
    assert list(rows["week"]) == list(weeks["week"])  # what the export and the chart read
    assert "first_day" not in rows
    figure = rates_figure(rows, None)
    assert figure is not None
    lo, hi = (pd.Timestamp(x) for x in figure["layout"]["xaxis"]["range"])
    assert lo < pd.Timestamp(mondays[0]) and hi > pd.Timestamp(mondays[-1])


def test_a_period_without_sessions_has_no_rows_and_no_chart(seeded_copy):
    """The export, the report and the embed of an empty period say there are no rows, rather
    than listing its weeks as zeros."""
    from pages.schedules_utilisation import SPEC, rates_figure, rates_rows

    with acting_as("admin"):
        rows = rates_rows(SPEC.state({"period": 28}))
    assert rows.empty and {"cancelled_rate", "no_show_rate"} <= set(rows)
    assert rates_figure(rows, None) is None


def test_the_coverage_note_counts_days_and_a_weekend_is_no_gap():
    """A period that starts on a Saturday, of an organisation that books on weekdays: its
    first week holds no session inside the period, but two empty days are no gap to name."""
    from datetime import date

    from data.utilisation import _weekly_rates
    from pages.schedules_utilisation import coverage

    first, last = date(2026, 1, 17), date(2026, 3, 13)  # Saturday to Friday, 8 weeks
    weekdays = [first + timedelta(days=d) for d in range(56)]
    days = [(d, 4, 1, 3, 0) for d in weekdays if d.weekday() < 5]

    def note(rows: list) -> str | None:
        since = datetime.combine(first, datetime.min.time(), UTC)
        weeks = _weekly_rates(rows, since=since, until=since + timedelta(days=56))
        return coverage(weeks, first=first, last=last)

    assert note(days) is None
    assert note([r for r in days if r[0] >= date(2026, 2, 2)]) == (
        "No sessions in the first 16 days of this period: the earliest is on Mon 02 Feb."
    )
    assert note([r for r in days if r[0] <= date(2026, 3, 4)]) == (
        "No sessions in the last 9 days of this period: the latest is on Wed 04 Mar."
    )
    assert note([r for r in days if date(2026, 2, 2) <= r[0] <= date(2026, 3, 4)]) == (
        "Sessions only from Mon 02 Feb to Wed 04 Mar in this period."
    )
    assert note([r for r in days if r[0] <= date(2026, 3, 9)]) is None  # 4 days: no gap
    assert note([]) is None  # the empty state says it

"""Utilisation counts whole days up to yesterday: today's sessions are still to be held,
taken or cancelled, and counting them drew the week in progress as almost no cancellations
and no no-shows."""

from __future__ import annotations

from datetime import timedelta

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
    zeros (a gap in the lines), and the page says which weeks at the period's start or end
    hold none, rather than drawing 12 weeks as 8 without a word. (The seeded data ends on
    a fixed day long before this period; the sessions booked here are its only ones.)"""
    from pages.schedules_utilisation import coverage, rates_figure, usage

    book(seeded_copy, starts_in=-timedelta(days=30), status="completed")
    book(seeded_copy, starts_in=timedelta(hours=-3), status="cancelled")  # yesterday
    with acting_as("admin"):
        weeks = usage(84)[1]["weeks"]
    first, last = days_back(84).date(), days_back(1).date()
    mondays = [d.date() for d in weeks["week"]]
    assert mondays[0] == first - timedelta(days=first.weekday())
    assert mondays[-1] == last - timedelta(days=last.weekday())
    assert all((b - a).days == 7 for a, b in zip(mondays, mondays[1:], strict=False))
    held = list(weeks.index[weeks["sessions"] > 0])
    booked = (days_back(30) - timedelta(days=days_back(30).weekday())).date()
    assert [mondays[i] for i in held] == [booked, mondays[-1]]
    assert weeks["sessions"].sum() == 2
    assert coverage(weeks) == (
        f"No sessions in the first {held[0]} weeks of these {len(weeks)} weeks: the earliest "
        f"is in the week of {booked:%d %b}."
    )
    figure = rates_figure(weeks.assign(cancelled_rate=0.5, no_show_rate=0.0), None)
    assert figure is not None
    lo, hi = (pd.Timestamp(x) for x in figure["layout"]["xaxis"]["range"])
    assert lo < pd.Timestamp(mondays[0]) and hi > pd.Timestamp(mondays[-1])
    assert rates_figure(weeks.assign(sessions=0), None) is None  # the empty state instead


def test_the_coverage_note_reads_each_shape_of_gap():
    from pages.schedules_utilisation import coverage

    week = pd.date_range("2026-09-14", periods=6, freq="7D")
    frame = pd.DataFrame({"week": week, "sessions": [0, 3, 4, 0, 2, 0]})
    assert coverage(frame) == (
        "Sessions only from the week of 21 Sep to the week of 12 Oct of these 6 weeks."
    )
    assert coverage(frame.assign(sessions=[1, 3, 4, 0, 2, 0])) == (
        "No sessions in the last week of these 6 weeks: the latest is in the week of 12 Oct."
    )
    assert coverage(frame.assign(sessions=[1, 3, 4, 0, 2, 5])) is None  # a gap within
    assert coverage(frame.assign(sessions=0)) is None  # the empty state says it

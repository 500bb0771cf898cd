"""Utilisation counts whole days up to yesterday: today's sessions are still to be held,
taken or cancelled, and counting them drew the week in progress as almost no cancellations
and no no-shows."""

from __future__ import annotations

from datetime import timedelta

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

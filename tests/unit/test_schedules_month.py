"""The month view's grid draws whole weeks: the first and last week's days of the months
beside it carry their own sessions (they had been left blank), while the title counts the
month alone, as the export does."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

import app  # noqa: F401 (the pages need the app)
from data.engine import connect
from data.models import Schedule
from settings import get_settings
from tests.conftest import acting_as


def starting(first: date, following: date) -> int:
    zone = ZoneInfo(get_settings().timezone)
    since, until = (datetime.combine(d, time.min, zone) for d in (first, following))
    with connect() as conn:
        return conn.execute(
            select(func.count()).where(Schedule.starts_at >= since, Schedule.starts_at < until)
        ).scalar_one()


def cells(component) -> list:
    found = []
    stack = [component]
    while stack:
        node = stack.pop()
        if "calendar-cell" in str(getattr(node, "className", "")):
            found.append(node)
        children = getattr(node, "children", None)
        stack.extend(children if isinstance(children, list) else [children] if children else [])
    return found


def test_the_month_counts_its_own_days_and_draws_its_neighbours(seeded_engine):
    from pages.schedules import draw

    with acting_as("admin"):
        body, title, export, _ = draw("month", "2026-05-10", None, None, None, None)
    may = starting(date(2026, 5, 1), date(2026, 6, 1))
    april = starting(date(2026, 4, 27), date(2026, 5, 1))  # May 2026's grid starts on Monday 27
    assert may > 0 and april > 0
    assert title == f"May 2026 · {may:,} sessions"
    assert "date=2026-05-01" in export
    drawn = cells(body)
    assert len(drawn) == 35  # 27 April to 31 May
    neighbours = [c for c in drawn if "is-other-month" in c.className]
    assert len(neighbours) == 4
    counted = [
        int(link.children.replace(",", ""))
        for cell in neighbours
        for link in cell.children
        if getattr(link, "className", "") == "calendar-count"
    ]
    assert sum(counted) == april
    for cell in neighbours:  # the month before's first sessions are drawn, as chips
        day = cell.children[0].href.rsplit("=", 1)[1]
        chips = [c for c in cell.children if "session-chip" in str(getattr(c, "className", ""))]
        assert (
            chips or starting(date.fromisoformat(day), date.fromisoformat(day) + timedelta(1)) == 0
        )

"""The month view's grid draws whole weeks: the first and last week's days of the months
beside it carry their own sessions (they had been left blank), while the title counts the
month alone, as the export does."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
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


@pytest.mark.parametrize(
    ("anchor", "grid", "following"),
    [
        ("2026-05-10", (date(2026, 4, 27), date(2026, 6, 1)), date(2026, 6, 1)),  # Fri-Sun
        ("2026-04-10", (date(2026, 3, 30), date(2026, 5, 4)), date(2026, 5, 1)),  # Wed-Thu
    ],
)
def test_the_month_counts_its_own_days_and_draws_its_neighbours(
    seeded_engine, anchor, grid, following
):
    from pages.schedules import draw

    first = date.fromisoformat(anchor).replace(day=1)
    with acting_as("admin"):
        body, title, export, _ = draw("month", anchor, None, None, None, None)
    own = starting(first, following)
    beside = starting(grid[0], first) + starting(following, grid[1])
    assert own > 0 and beside > 0
    assert title == f"{first:%B %Y} · {own:,} sessions"
    assert f"date={first}" in export
    drawn = cells(body)
    assert len(drawn) == (grid[1] - grid[0]).days
    neighbours = [c for c in drawn if "is-other-month" in c.className]
    assert len(neighbours) == (first - grid[0]).days + (grid[1] - following).days
    counted = [
        int(link.children.replace(",", ""))
        for cell in neighbours
        for link in cell.children
        if getattr(link, "className", "") == "calendar-count"
    ]
    assert sum(counted) == beside
    for cell in neighbours:  # the months beside it: their first sessions are drawn, as chips
        day = date.fromisoformat(cell.children[0].href.rsplit("=", 1)[1])
        chips = [c for c in cell.children if "session-chip" in str(getattr(c, "className", ""))]
        assert len(chips) == min(3, starting(day, day + timedelta(days=1)))

"""The home page's windows end on the newest whole day with data: never today, a day still
in progress (a 30-day window ending today compared 29 days and a morning with 30 days)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pandas as pd
from sqlalchemy import insert, select

from data.cache import changed
from data.engine import engine_for
from data.models import Attendance, PEClass
from data.queries import home
from tests.conftest import AS_OF


def test_the_windows_end_yesterday_when_data_arrives_today(seeded_copy):
    engine = engine_for(seeded_copy)
    with engine.connect() as conn:
        assert home.home_end(conn=conn) == pd.Timestamp(AS_OF, tz="UTC")  # a past day: itself
    today = datetime.now(UTC).date()
    with engine.begin() as conn:
        pe_class = conn.execute(select(PEClass.id, PEClass.school_id).limit(1)).one()
        student = conn.execute(
            select(Attendance.student_id).where(Attendance.class_id == pe_class.id).limit(1)
        ).scalar_one()
        row = {"class_id": pe_class.id, "student_id": student, "present": True}
        conn.execute(insert(Attendance).values(**row, session_date=today))
    changed("pe")
    with engine.connect() as conn:
        end = home.home_end(conn=conn)
    assert end == pd.Timestamp(today - timedelta(days=1), tz="UTC")


def test_the_pe_board_ends_on_the_newest_whole_day_unless_today_is_all_there_is():
    from datetime import date

    from actions.pe_widgets import default_dates

    today = date(2026, 12, 7)
    long_ago = (date(2025, 1, 6), date(2026, 11, 30))  # data that stopped a week ago
    assert default_dates(start=None, end=None, bounds=long_ago, today=today) == (
        date(2026, 8, 3),  # 120 days, both ends included
        date(2026, 11, 30),
    )
    with_today = (date(2025, 1, 6), today)
    assert default_dates(start=None, end=None, bounds=with_today, today=today) == (
        date(2026, 8, 9),
        date(2026, 12, 6),
    )
    only_today = (today, today)
    assert default_dates(start=None, end=None, bounds=only_today, today=today) == (today, today)
    chosen = (date(2026, 12, 1), date(2026, 12, 5))  # a board whose dates were chosen keeps them
    assert default_dates(start=chosen[0], end=chosen[1], bounds=with_today, today=today) == chosen
    # ...up to yesterday: an end ahead read this morning's lessons as "last week".
    ahead = default_dates(start=chosen[0], end=date(2026, 12, 31), bounds=with_today, today=today)
    assert ahead == (chosen[0], date(2026, 12, 6))


def test_pe_figures_stop_at_yesterday_and_weeks_cut_short_are_left_out():
    from datetime import date

    import pandas as pd

    from actions.pe_widgets import WIDGETS, data_end, to_whole_weeks

    today = date(2026, 12, 7)  # a Monday
    assert data_end(date(2026, 10, 1), date(2026, 12, 31), today) == date(2026, 12, 6)
    assert data_end(today, today, today) == today  # a period of today alone stays today's
    days = pd.DataFrame(
        {"day": pd.date_range("2026-11-23", "2026-12-02"), "expected": 10, "present": 8}
    )
    whole = to_whole_weeks(days, date(2026, 12, 2))  # a Wednesday: its week is cut short
    assert whole["day"].max() == pd.Timestamp("2026-11-29")
    alone = days[days["day"] >= "2026-11-30"]
    assert to_whole_weeks(alone, date(2026, 12, 2)).equals(alone)
    # No lesson in the last 30 days is the widget's empty state, not "0 of 832 active".
    per_grade = pd.DataFrame(
        {
            "grade": [1, 2],
            "enrolled": [400, 432],
            "active_recent": [0, 0],
            "active_before": [300, 384],
            "marked_recent": [0, 0],
        }
    )
    assert WIDGETS["active_students"].analyse([per_grade], None, None) is None
    per_grade["marked_recent"] = [12, 0]
    assert WIDGETS["active_students"].analyse([per_grade], None, None) is per_grade

"""Utilisation's kept windows (#26) give the answer the sessions give, for every window, scope
and write, on SQLite and PostgreSQL."""

from datetime import UTC, datetime, time, timedelta

import pandas as pd
from sqlalchemy import delete, event, func, select, update

import app as beacon  # noqa: F401  (pages register with the app)
from data import kept, schedules, utilisation
from data.engine import engine_for
from data.models import BookingDay, HostHours, RoomHours, Schedule
from tests.conftest import AS_OF, create_test_account, pointed_at

DAY = AS_OF  # the kept windows end at this day's start (UTC)
END = datetime.combine(DAY, time(), tzinfo=UTC)
SCOPES = (None, [1], [1, 2], [])
KEPT_TABLES = ("host_hours", "room_hours", "booking_days")


def keep(conn, day=DAY):
    for table in KEPT_TABLES:
        kept.rebuild(
            table,
            conn=conn,
            change=kept.Change(
                tables=kept.BY_TABLE[table].sources,
                as_of=datetime.combine(day, time(9), tzinfo=UTC),
            ),
        )


def read(conn, days, scope, *, end=END):
    return utilisation.utilisation.uncached(
        conn=conn, region_ids=scope, since=end - timedelta(days=days), until=end
    )


def live(conn, days, scope, *, end=END):
    """The answer from the sessions: with nothing kept, the page reads them (the kept rows
    are deleted in a savepoint and come back after)."""
    savepoint = conn.begin_nested()
    try:
        for table in (HostHours, RoomHours, BookingDay):
            conn.execute(delete(table))
        return read(conn, days, scope, end=end)
    finally:
        savepoint.rollback()


def same(a, b):
    for name in ("hosts", "rooms", "weeks"):
        pd.testing.assert_frame_equal(a[name], b[name], check_exact=True)


def used_kept(conn, days, scope):
    """Whether the read took the kept tables (counted by the statements it ran)."""
    statements: list[str] = []

    def seen(_conn, _cursor, statement, *_args):
        statements.append(statement)

    event.listen(conn, "before_cursor_execute", seen)
    try:
        read(conn, days, scope)
    finally:
        event.remove(conn, "before_cursor_execute", seen)
    sessions_read = any("FROM schedules" in s for s in statements)
    return any("host_hours" in s for s in statements), sessions_read


def test_the_pages_periods_are_the_kept_windows():
    from pages.schedules_utilisation import PERIODS

    assert tuple(PERIODS) == utilisation.WINDOWS


def test_a_window_is_kept_only_when_it_is_whole_days_ending_at_midnight():
    assert utilisation.window_of(END - timedelta(days=56), END) == (DAY, 56)
    assert utilisation.window_of(END - timedelta(days=30), END) is None
    an_hour_early = END - timedelta(hours=1)
    assert utilisation.window_of(an_hour_early - timedelta(days=56), an_hour_early) is None


def test_kept_windows_give_the_sessions_answer_for_every_window_and_scope(seeded_copy):
    engine = engine_for(seeded_copy)
    with engine.begin() as conn:
        keep(conn)
        for days in utilisation.WINDOWS:
            for scope in SCOPES:
                kept_answer = read(conn, days, scope)
                same(kept_answer, live(conn, days, scope))
                if scope is None:  # the seeded window has sessions: a real comparison
                    assert len(kept_answer["hosts"]) == utilisation.TOP
                    assert kept_answer["weeks"]["sessions"].sum() > 0
        # The kept tables answered (and no session was read for the sums)...
        assert used_kept(conn, 56, None) == (True, False)
        # ... but another window, or another day, reads the sessions.
        other = utilisation.utilisation.uncached(
            conn=conn, region_ids=None, since=END - timedelta(days=30), until=END
        )
        assert not other["hosts"].empty
        assert read(conn, 56, None, end=END + timedelta(days=1))["weeks"]["sessions"].sum() > 0


def test_each_write_to_a_session_keeps_the_windows_equal_to_the_sessions(seeded_copy):
    """Booking in the past, moving a session to another region and day, cancelling one,
    completing one with a no-show: after each, the kept windows read as the sessions do."""
    engine = engine_for(seeded_copy)
    with engine.begin() as conn:
        keep(conn)
    with pointed_at(seeded_copy):
        by = create_test_account("analyst").id
    start = END - timedelta(days=3, hours=-10)
    fields = {
        "title": "Catch-up",
        "focus": "",
        "description": "",
        "host": f"user:{by}",  # a staff member hosting nothing else
        "room_id": None,
        "region_id": 1,
        "starts_at": start,
        "ends_at": start + timedelta(hours=40),  # the busiest host of any window
    }

    def check(conn):
        for days in utilisation.WINDOWS:
            for scope in SCOPES:
                same(read(conn, days, scope), live(conn, days, scope))

    def hours(conn, days, scope=None):
        hosts = read(conn, days, scope)["hosts"]
        return hosts.loc[hosts["host_name"] == "Test analyst", "hours"].tolist()

    with engine.begin() as conn:
        assert hours(conn, 28) == []
        new_id = schedules.create(conn=conn, fields=fields, student_ids=[1, 2], by=by, now=END)
        check(conn)
        assert hours(conn, 28) == hours(conn, 28, [1]) == [40.0]
        other_region = conn.execute(
            select(Schedule.region_id).where(Schedule.region_id != 1)
        ).scalar()
        moved = fields | {
            "region_id": other_region,
            "starts_at": start - timedelta(days=40),
            "ends_at": start - timedelta(days=40, hours=-100),
        }
        schedules.update_details(
            conn=conn, schedule_id=new_id, fields=moved, student_ids=[1], by=by, now=END
        )
        check(conn)
        assert hours(conn, 28) == hours(conn, 56, [1]) == [] and hours(conn, 56) == [100.0]
        assert schedules.set_status(
            conn=conn, schedule_id=new_id, status="completed", by=by, now=END, absent=[1]
        )
        check(conn)
        other = schedules.create(conn=conn, fields=fields, student_ids=[3], by=by, now=END)
        assert hours(conn, 56) == [140.0]
        cancelled = schedules.set_status(
            conn=conn, schedule_id=other, status="cancelled", by=by, now=END
        )
        assert cancelled
        check(conn)
        assert hours(conn, 56) == [100.0]


def test_a_write_after_the_kept_day_recounts_nothing_and_a_load_recounts_all(seeded_copy):
    engine = engine_for(seeded_copy)
    with pointed_at(seeded_copy):
        by = create_test_account("analyst").id
    with engine.begin() as conn:
        keep(conn)
        before = conn.execute(select(func.sum(HostHours.minutes))).scalar_one()
        ahead = END + timedelta(days=2, hours=9)
        schedules.create(
            conn=conn,
            fields={
                "title": "Ahead",
                "host": "tutor:1",
                "region_id": 1,
                "starts_at": ahead,
                "ends_at": ahead + timedelta(hours=1),
            },
            student_ids=[],
            by=by,
            now=END,
        )
        assert conn.execute(select(func.sum(HostHours.minutes))).scalar_one() == before
        # A load writes sessions behind the app's back; the kept tables are recounted whole
        # (for today: the scheduled refresh does the same every run).
        conn.execute(update(Schedule).where(Schedule.starts_at < END).values(status="cancelled"))
        conn.execute(update(Schedule).values(attendees=0, absent=0))
        kept.recount_loaded(conn=conn, touched=frozenset({"schedules"}))
        today = datetime.now(UTC).date()
        for table in (HostHours, RoomHours, BookingDay):
            assert set(conn.execute(select(table.day).distinct()).scalars()) <= {today}
        today_end = datetime.combine(today, time(), tzinfo=UTC)
        for days in utilisation.WINDOWS:
            same(read(conn, days, None, end=today_end), live(conn, days, None, end=today_end))

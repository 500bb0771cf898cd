"""Sessions, their status moves, utilisation and calendar tokens on SQLite and PostgreSQL."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pandas as pd
import pytest
from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError

from data import schedules, utilisation
from data.engine import engine_for
from data.grid import ColumnFilter, Condition, SortKey
from data.models import Schedule
from data.seed import generate, seed_database
from tests.conftest import AS_OF, SEED, create_test_account, pointed_at

NOW = datetime(AS_OF.year, AS_OF.month, AS_OF.day, 12, tzinfo=UTC)


@pytest.fixture(scope="module")
def frames():
    return generate("small", SEED, AS_OF)


@pytest.fixture
def engine(seeded_url):
    return engine_for(seeded_url)


def fields(**changes):
    start = NOW + timedelta(days=60)
    return {
        "title": "Catch-up",
        "focus": "Fractions",
        "description": "",
        "host": "tutor:1",
        "room_id": 1,
        "region_id": 1,
        "starts_at": start,
        "ends_at": start + timedelta(hours=1),
    } | changes


def test_listing_filters_match_the_generated_rows(engine, frames):
    s = frames["schedules"]
    a = frames["schedule_attendees"]
    student = int(a["student_id"].iloc[0])
    with engine.connect() as conn:
        everything, total = schedules.listing(conn=conn, region_ids=[1, 2], limit=10)
        by_room, room_total = schedules.listing(conn=conn, region_ids=None, room_id=1, limit=None)
        cancelled, cancelled_total = schedules.listing(
            conn=conn, region_ids=None, status="cancelled", limit=5
        )
        by_student, _ = schedules.listing(
            conn=conn, region_ids=None, student_id=student, limit=None
        )
    assert total == int(s["region_id"].isin([1, 2]).sum()) and len(everything) == 10
    assert room_total == int((s["room_id"] == 1).sum()) == len(by_room)
    assert cancelled_total == int((s["status"] == "cancelled").sum())
    assert set(by_student["id"]) == set(a[a["student_id"] == student]["schedule_id"])
    assert everything["starts_at"].is_monotonic_increasing


def test_a_grid_sorts_and_filters_the_listing_in_sql_as_pandas_would(engine, frames):
    """The list grid's column filters and sort (#24) give the generated rows' answer."""
    s = frames["schedules"]
    titled = ColumnFilter("title", "text", (Condition("contains", "GROUP"),))
    june = ColumnFilter(
        "starts_at", "date", (Condition("inRange", date(2026, 6, 1), date(2026, 6, 7)),)
    )
    with engine.connect() as conn:
        found, total = schedules.listing(
            conn=conn,
            region_ids=None,
            filters=[titled, june],
            sort=[SortKey("attendees", True), SortKey("starts_at")],
            zone="UTC",
            limit=None,
        )
    starts = pd.to_datetime(s["starts_at"], utc=True)
    expected = s[
        s["title"].str.lower().str.contains("group")
        & (starts >= pd.Timestamp("2026-06-01", tz="UTC"))
        & (starts < pd.Timestamp("2026-06-08", tz="UTC"))
    ]
    assert total == len(expected) == len(found) > 0
    assert found["attendees"].is_monotonic_decreasing


def test_a_calendar_holds_each_days_first_sessions_and_counts_them_all(engine, frames):
    s = frames["schedules"]
    zone = "Europe/Berlin"
    local = pd.to_datetime(s["starts_at"], utc=True).dt.tz_convert(zone)
    busiest = local.dt.date.value_counts().index[0]
    since = pd.Timestamp(busiest, tz=zone).tz_convert(UTC).to_pydatetime()
    view = schedules.ScheduleView.from_args({"view": "week"})
    with engine.connect() as conn:
        shown, counts = schedules.calendar_days(
            conn=conn,
            view=view,
            region_ids=None,
            since=since,
            until=since + timedelta(days=7),
            zone=zone,
            per_day=2,
        )
        every, total = schedules.in_view(
            conn=conn,
            view=view,
            region_ids=None,
            since=since,
            until=since + timedelta(days=7),
            limit=None,
        )
    every_day = every["starts_at"].dt.tz_convert(zone).dt.date
    assert counts.sum() == total and counts[busiest] == (local.dt.date == busiest).sum() > 2
    assert counts.to_dict() == every_day.value_counts().to_dict()
    expected = every.groupby(every_day.values).head(2)["id"].tolist()
    assert shown["id"].tolist() == expected


def calendar_days_before(*, conn, view, region_ids, since, until, zone, per_day):
    """The calendar read before #26: every session of the window, grouped in pandas."""
    from sqlalchemy import select

    from data.queries.sql import read_frame

    conditions = schedules._filters(
        region_ids, view.host, view.student_id, view.room_id, view.status, since, until
    )
    starts = read_frame(
        conn,
        select(Schedule.id, Schedule.starts_at)
        .where(*conditions)
        .order_by(Schedule.starts_at, Schedule.id),
    )
    days = pd.to_datetime(starts["starts_at"], utc=True).dt.tz_convert(zone).dt.date
    counts = days.groupby(days).size().astype(int)
    shown = starts.groupby(days.to_numpy()).head(per_day)["id"].astype(int).tolist()
    return shown, counts


@pytest.mark.parametrize("zone", ["UTC", "Europe/Berlin", "Asia/Kolkata", "America/New_York"])
def test_a_calendar_reads_per_day_what_the_whole_window_gave(engine, frames, zone):
    """Counts per day and the first sessions of each day, read down the start index (#26),
    equal the old read of every session of the window: weeks and months, a region, a
    host, a status, one session a day and a day of none."""
    s = frames["schedules"]
    local = pd.to_datetime(s["starts_at"], utc=True).dt.tz_convert(zone).dt.date
    busiest = local.value_counts().index[0]
    host = f"tutor:{int(s['host_tutor_id'].dropna().iloc[0])}"
    views = [
        ({"view": "week", "date": busiest.isoformat()}, None, 30),
        ({"view": "week", "date": busiest.isoformat()}, None, 1),
        ({"view": "month", "date": busiest.isoformat()}, [1], 3),
        ({"view": "month", "date": busiest.isoformat(), "status": "cancelled"}, None, 3),
        ({"view": "month", "date": busiest.isoformat(), "host": host}, None, 3),
        ({"view": "week", "date": "2020-01-06"}, None, 30),  # nothing booked
    ]
    compared = 0
    with engine.connect() as conn:
        for args, region_ids, per_day in views:
            view = schedules.ScheduleView.from_args(args)
            *_, since, until = view.moments(busiest, zone)
            call = dict(
                conn=conn,
                view=view,
                region_ids=region_ids,
                since=since,
                until=until,
                zone=zone,
                per_day=per_day,
            )
            frame, counts = schedules.calendar_days(**call)
            shown, counted = calendar_days_before(**call)
            assert frame["id"].tolist() == shown
            assert counts.to_dict() == counted.to_dict()
            assert counts.dtype == counted.dtype
            compared += int(counts.sum())
    assert compared > 100


def test_a_calendar_day_runs_from_local_midnight_to_local_midnight(seeded_copy):
    """Sessions just after and before local midnight fall on their local day; one that
    began before the window is its earlier day's, not the window's (the old read counted it
    in the window's total without drawing it)."""
    zone = "Europe/Berlin"
    tz = ZoneInfo(zone)
    monday = date(2026, 6, 8)
    view = schedules.ScheduleView.from_args({"view": "week", "date": monday.isoformat()})
    *_, since, until = view.moments(monday, zone)

    def at(day, hour, minute):
        return datetime.combine(monday + timedelta(days=day), time(hour, minute), tz)

    with pointed_at(seeded_copy):
        by = create_test_account("analyst").id
    spans = [
        (at(-1, 23, 30), at(0, 0, 30)),
        (at(1, 0, 15), at(1, 0, 45)),
        (at(2, 23, 40), at(2, 23, 55)),
    ]
    with engine_for(seeded_copy).begin() as conn:
        made = [
            schedules.create(
                conn=conn,
                fields={
                    "title": "Late",
                    "host": f"user:{by}",
                    "region_id": 1,
                    "starts_at": a,
                    "ends_at": b,
                },
                student_ids=[],
                by=by,
                now=NOW,
            )
            for a, b in spans
        ]
        call = dict(
            conn=conn,
            view=schedules.ScheduleView.from_args({"view": "week", "host": f"user:{by}"}),
            region_ids=None,
            since=since,
            until=until,
            zone=zone,
            per_day=30,
        )
        frame, counts = schedules.calendar_days(**call)
        shown, counted = calendar_days_before(**call)
    days = [monday + timedelta(days=d) for d in (1, 2)]
    assert frame["id"].tolist() == made[1:] and counts.to_dict() == dict.fromkeys(days, 1)
    assert shown == made and counted.to_dict() == {monday - timedelta(days=1): 1} | counts.to_dict()


def test_busy_finds_sessions_sharing_host_room_or_attendee(engine, frames):
    s = frames["schedules"]
    row = s[s["status"] != "cancelled"].iloc[0]
    start, end = (pd.Timestamp(row[c]).to_pydatetime() for c in ("starts_at", "ends_at"))
    with engine.connect() as conn:
        by_host = schedules.busy(
            conn=conn,
            since=start,
            until=end,
            host=f"tutor:{row['host_tutor_id']}",
            room_id=None,
            student_ids=[],
        )
        nobody = schedules.busy(
            conn=conn, since=start, until=end, host="user:999", room_id=None, student_ids=[]
        )
    assert int(row["id"]) in set(by_host["id"])
    assert nobody.empty
    assert list(by_host.columns) == [
        "id",
        "title",
        "starts_at",
        "ends_at",
        "host",
        "room_id",
        "students",
    ]


def test_create_edit_complete_with_no_shows_and_no_second_move(empty_url):
    engine = engine_for(empty_url)
    seed_database(engine, scale="small", seed=SEED, as_of=AS_OF)
    with pointed_at(empty_url):
        mentor = create_test_account("analyst")
    with engine.begin() as conn:
        new_id = schedules.create(
            conn=conn,
            fields=fields(host=f"user:{mentor.id}"),
            student_ids=[3, 1, 2],
            by=mentor.id,
            now=NOW,
        )
        schedules.update_details(
            conn=conn,
            schedule_id=new_id,
            fields=fields(host=f"user:{mentor.id}", title="Renamed"),
            student_ids=[1, 2],
            by=mentor.id,
            now=NOW,
        )
    with engine.begin() as conn:
        session = schedules.one(conn=conn, schedule_id=new_id)
        assert session["title"] == "Renamed" and session["students"] == [1, 2]
        assert session["host"] == f"user:{mentor.id}" and session["status"] == "scheduled"
        assert schedules.set_status(
            conn=conn, schedule_id=new_id, status="completed", by=mentor.id, now=NOW, absent=[2]
        )
        # Completed is final: neither cancelled nor completed again.
        assert not schedules.set_status(
            conn=conn, schedule_id=new_id, status="cancelled", by=mentor.id, now=NOW
        )
        with pytest.raises(ValueError, match="status must be completed or cancelled"):
            schedules.set_status(
                conn=conn, schedule_id=new_id, status="scheduled", by=mentor.id, now=NOW
            )
    with engine.connect() as conn:
        done = schedules.one(conn=conn, schedule_id=new_id)
        use = utilisation.utilisation(
            conn=conn,
            region_ids=[1],
            since=NOW + timedelta(days=59),
            until=NOW + timedelta(days=61),
        )
        mine = schedules.hosted_by(conn=conn, user_id=mentor.id)
    assert done["status"] == "completed" and done["status_changed_by_id"] == mentor.id
    assert done["status_changed_at"] == NOW
    weeks = use["weeks"]
    assert weeks[["sessions", "cancelled", "expected", "absent"]].sum().tolist() == [1, 0, 2, 1]
    assert use["hosts"]["hours"].tolist() == pytest.approx([1.0])
    assert mine["id"].tolist() == [new_id]


def test_a_session_has_exactly_one_host(engine):
    start = NOW + timedelta(days=40)
    row = {"title": "x", "region_id": 1, "starts_at": start, "ends_at": start + timedelta(hours=1)}
    for hosts in ({}, {"host_tutor_id": 1, "host_user_id": 1}):
        with pytest.raises(IntegrityError), engine.begin() as conn:
            conn.execute(insert(Schedule).values(**row, **hosts))


def test_utilisation_hours_and_rates_match_the_generated_rows(engine, frames):
    since, until = NOW - timedelta(days=56), NOW
    s = frames["schedules"]
    s = s[(s["ends_at"] > since) & (s["starts_at"] < until)]
    a = frames["schedule_attendees"]
    with engine.connect() as conn:
        use = utilisation.utilisation(conn=conn, region_ids=None, since=since, until=until)
    booked = s[s["status"] != "cancelled"]
    hours = (
        ((booked["ends_at"] - booked["starts_at"]).dt.total_seconds() / 3600)
        .groupby(booked["room_id"])
        .sum()
    )
    assert use["rooms"]["hours"].max() == pytest.approx(hours.max())
    per_host = (
        ((booked["ends_at"] - booked["starts_at"]).dt.total_seconds() / 3600)
        .groupby(booked["host_tutor_id"])  # the generated sessions are hosted by tutors
        .sum()
        .sort_values(ascending=False)
    )
    # Each host by id (namesakes apart), the 15 busiest, every label its own bar.
    assert use["hosts"]["hours"].tolist() == pytest.approx(per_host.head(15).tolist())
    assert use["hosts"]["host_name"].is_unique and use["rooms"]["room"].is_unique
    assert (pd.to_datetime(use["weeks"]["week"]).dt.weekday == 0).all()
    assert use["weeks"]["sessions"].sum() == len(s)
    assert use["weeks"]["cancelled"].sum() == int((s["status"] == "cancelled").sum())
    completed = a[a["schedule_id"].isin(s[s["status"] == "completed"]["id"])]
    assert use["weeks"]["expected"].sum() == len(completed)
    assert use["weeks"]["absent"].sum() == int((completed["attended"] == False).sum())  # noqa: E712


def test_each_session_keeps_its_attendee_and_absent_counts_through_every_write(seeded_copy):
    """Utilisation reads each session's kept counts instead of its attendee rows: they stay
    equal to a count of those rows after a booking, a change of attendees and a completion
    with absentees, and after a whole recount (a load)."""
    from sqlalchemy import func, select

    from data import kept
    from data.models import schedule_attendees as rows

    def kept_and_counted(conn, schedule_id):  # type: ignore[no-untyped-def]
        row = conn.execute(
            select(Schedule.attendees, Schedule.absent).where(Schedule.id == schedule_id)
        ).one()
        counted = conn.execute(
            select(func.count(), func.count().filter(rows.c.attended.is_(False))).where(
                rows.c.schedule_id == schedule_id
            )
        ).one()
        return tuple(row), tuple(counted)

    with pointed_at(seeded_copy):
        by = create_test_account("analyst").id
    with engine_for(seeded_copy).begin() as conn:
        new_id = schedules.create(conn=conn, fields=fields(), student_ids=[1, 2, 3], by=by, now=NOW)
        assert kept_and_counted(conn, new_id) == ((3, 0), (3, 0))
        schedules.update_details(
            conn=conn, schedule_id=new_id, fields=fields(), student_ids=[2, 4], by=by, now=NOW
        )
        assert kept_and_counted(conn, new_id) == ((2, 0), (2, 0))
        later = fields(
            starts_at=NOW + timedelta(days=61), ends_at=NOW + timedelta(days=61, hours=1)
        )
        emptied = schedules.create(conn=conn, fields=later, student_ids=[5], by=by, now=NOW)
        schedules.update_details(
            conn=conn, schedule_id=emptied, fields=later, student_ids=[], by=by, now=NOW
        )
        assert kept_and_counted(conn, emptied) == ((0, 0), (0, 0))
        schedules.set_status(
            conn=conn, schedule_id=new_id, status="completed", by=by, now=NOW, absent=[4]
        )
        assert kept_and_counted(conn, new_id) == ((2, 1), (2, 1))
        conn.execute(Schedule.__table__.update().values(attendees=0, absent=0))
        kept.recount_loaded(conn=conn, touched=frozenset({"schedule_attendees"}))
        assert kept_and_counted(conn, new_id) == ((2, 1), (2, 1))
        # ... and the seeded sessions' counts equal a count of their rows too.
        everyone = conn.execute(
            select(func.sum(Schedule.attendees), func.sum(Schedule.absent))
        ).one()
        assert tuple(everyone) == tuple(
            conn.execute(
                select(func.count(), func.count().filter(rows.c.attended.is_(False)))
            ).one()
        )


def test_a_calendar_token_works_until_it_is_revoked_or_replaced(empty_url):
    with pointed_at(empty_url):
        user = create_test_account("viewer")
    engine = engine_for(empty_url)
    with engine.begin() as conn:
        schedules.replace_token(conn=conn, user_id=user.id, token_hash="a" * 64, now=NOW)
        assert schedules.active_token_user(conn=conn, token_hash="a" * 64) == user.id
        schedules.replace_token(conn=conn, user_id=user.id, token_hash="b" * 64, now=NOW)
        assert schedules.active_token_user(conn=conn, token_hash="a" * 64) is None
        assert schedules.active_token_user(conn=conn, token_hash="b" * 64) == user.id
        schedules.replace_token(conn=conn, user_id=user.id, token_hash=None, now=NOW)
        assert schedules.active_token_user(conn=conn, token_hash="b" * 64) is None
        assert not schedules.has_token(conn=conn, user_id=user.id)


def test_a_view_from_a_query_string_drops_what_is_malformed():
    view = schedules.ScheduleView.from_args(
        {
            "view": "month",
            "date": "2026-02-30",
            "host": "tutor:x",
            "room": "1; DROP",
            "status": "gone",
            "student": "12",
        }
    )
    assert view == schedules.ScheduleView(view="month", student_id=12)
    week = schedules.ScheduleView.from_args({"date": "2026-11-25"})
    assert [d.isoformat() for d in week.window(AS_OF)] == ["2026-11-23", "2026-11-30"]
    ranged = schedules.ScheduleView.from_args(
        {"view": "list", "date": "2026-11-02", "until": "2026-11-05"}
    )
    assert [d.isoformat() for d in ranged.window(AS_OF)] == ["2026-11-02", "2026-11-06"]
    assert ranged.query()["until"] == "2026-11-05"
    reversed_ = schedules.ScheduleView.from_args(
        {"view": "list", "date": "2026-11-05", "until": "2026-11-01"}
    )
    assert reversed_.until is None
    month = schedules.ScheduleView.from_args({"view": "month", "date": "2026-12-15"})
    assert [d.isoformat() for d in month.window(AS_OF)] == ["2026-12-01", "2027-01-01"]

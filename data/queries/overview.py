"""Daily roll-ups behind the home page: one small frame per area, at most a few hundred rows.

Each function reads one indexed date range and aggregates in the database, so
the page never pulls raw history.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any

import pandas as pd
from sqlalchemy import ColumnElement, Connection, Label, and_, case, func, select
from sqlalchemy.orm import InstrumentedAttribute

from data.cache import cached
from data.models import (
    ApplicationDay,
    Attendance,
    CreditApplication,
    LoanBook,
    PEClass,
    Region,
    Room,
    SafetyIncident,
    Schedule,
    School,
    SessionDay,
    Tutor,
    TutoringSession,
)
from data.queries.sql import day_of, in_regions, minutes_between, read_frame


@cached("tutors", "pe", "credit")
def data_as_of(*, conn: Connection) -> pd.DataFrame:
    """Newest event time per source.

    Columns: source (str), newest (datetime64, UTC; NaT for an empty source).
    Future bookings don't count: "as of" means the newest thing that happened.
    """
    sources = {
        # Down the partial index of sessions that happened, newest first.
        "tutoring_sessions": select(TutoringSession.scheduled_start)
        .where(TutoringSession.status != "scheduled")
        .order_by(TutoringSession.scheduled_start.desc())
        .limit(1),
        "credit_applications": select(func.max(CreditApplication.applied_at)),
        "pe_attendance": select(func.max(Attendance.session_date)),
    }
    rows = [(name, conn.execute(stmt).scalar_one_or_none()) for name, stmt in sources.items()]
    frame = pd.DataFrame(rows, columns=["source", "newest"])
    frame["newest"] = pd.to_datetime(frame["newest"], utc=True)
    return frame


def _per_day_and_status(
    conn: Connection,
    *,
    moment: InstrumentedAttribute[datetime],
    status: InstrumentedAttribute[str],
    measures: Sequence[Label[Any]],
    region: InstrumentedAttribute[int],
    join: tuple[type, ColumnElement[bool]],
    since: datetime,
    until: datetime,
    region_ids: Sequence[int] | None,
    where: Sequence[ColumnElement[bool]] = (),
) -> pd.DataFrame:
    """Counts and sums per UTC day and status over an indexed time range, in a region scope."""
    day = day_of(moment, conn).label("day")
    stmt = (
        select(day, status, func.count().label("n"), *measures)
        .join(*join)
        .where(moment >= since, moment < until, *where)
        .group_by(day, status)
        .order_by(day, status)  # one order every time: the same export twice is the same file
    )
    return read_frame(conn, in_regions(stmt, region, region_ids), dates=["day"])


def daily_sessions(
    *,
    conn: Connection,
    since: datetime,
    until: datetime,
    region_ids: Sequence[int] | None = None,
    tutor_id: int | None = None,
) -> pd.DataFrame:
    """Tutoring sessions per day and status in [since, until), for a scope or one tutor.

    Columns: day (datetime64), status (str), sessions (int), rated (int), rating_sum (int).
    """
    if tutor_id is None:  # a scope: the kept daily counts (data.rollups)
        return _kept_per_day(
            conn, SessionDay, ("sessions", "rated", "rating_sum"), since, until, region_ids
        )
    frame = _per_day_and_status(
        conn,
        moment=TutoringSession.scheduled_start,
        status=TutoringSession.status,
        measures=[
            func.count(TutoringSession.rating).label("rated"),
            func.coalesce(func.sum(TutoringSession.rating), 0).label("rating_sum"),
        ],
        region=Tutor.region_id,
        join=(Tutor, Tutor.id == TutoringSession.tutor_id),
        since=since,
        until=until,
        region_ids=region_ids,
        where=[TutoringSession.tutor_id == tutor_id],
    )
    return frame.rename(columns={"n": "sessions"})


def sessions_by_region(
    *, conn: Connection, since: datetime, until: datetime, region_ids: Sequence[int] | None = None
) -> pd.DataFrame:
    """Tutoring sessions per region and status in [since, until) (whole UTC days, from the
    kept daily counts); regions with none are left out.

    Columns: region_id (int), region (str), status (str), sessions (int).
    """
    first, stop = _utc_days(since, until)
    stmt = (
        select(
            Region.id.label("region_id"),
            Region.name.label("region"),
            SessionDay.status,
            func.sum(SessionDay.sessions).label("sessions"),
        )
        .join(Region, Region.id == SessionDay.region_id)
        .where(SessionDay.day >= first, SessionDay.day < stop)
        .group_by(Region.id, Region.name, SessionDay.status)
        .order_by(Region.name, Region.id, SessionDay.status)
    )
    return read_frame(conn, in_regions(stmt, SessionDay.region_id, region_ids))


def _kept_per_day(
    conn: Connection,
    table: Any,
    measures: Sequence[str],
    since: datetime,
    until: datetime,
    region_ids: Sequence[int] | None,
) -> pd.DataFrame:
    """A kept daily table's `measures` summed per day and status over [since, until)."""
    first, stop = _utc_days(since, until)
    stmt = (
        select(table.day, table.status, *(func.sum(getattr(table, m)).label(m) for m in measures))
        .where(table.day >= first, table.day < stop)
        .group_by(table.day, table.status)
        .order_by(table.day, table.status)
    )
    return read_frame(conn, in_regions(stmt, table.region_id, region_ids), dates=["day"])


def _utc_days(since: datetime, until: datetime) -> tuple[date, date]:
    """[since, until) as whole UTC days [first, stop): the kept counts are per day, so a
    window that starts or ends inside a day takes that whole day."""
    first, last = (
        pd.Timestamp(m).tz_convert("UTC") if pd.Timestamp(m).tzinfo else pd.Timestamp(m)
        for m in (since, until)
    )
    stop = last.normalize() + (timedelta(days=1) if last != last.normalize() else timedelta())
    return first.date(), stop.date()


def tutor_counts(
    *,
    conn: Connection,
    left_since: date,
    left_until: date | None = None,
    region_ids: Sequence[int] | None = None,
) -> pd.DataFrame:
    """Tutor head-count.

    Columns: active (int), left_recently (int: left from `left_since` to `left_until`, both
    included; a leaving day after `left_until` is notice given, not a tutor gone).
    """
    left = Tutor.left_on >= left_since
    if left_until is not None:
        left = and_(left, Tutor.left_on <= left_until)
    stmt = select(
        func.count().filter(Tutor.status == "active").label("active"),
        func.count().filter(left).label("left_recently"),
    )
    return read_frame(conn, in_regions(stmt, Tutor.region_id, region_ids))


def daily_attendance(
    *, conn: Connection, since: date, until: date, region_ids: Sequence[int] | None = None
) -> pd.DataFrame:
    """PE attendance marks per school day in [since, until).

    Columns: day (datetime64), present (int), marks (int), students (int: distinct present).
    """
    stmt = (
        select(
            Attendance.session_date.label("day"),
            func.sum(case((Attendance.present, 1), else_=0)).label("present"),
            func.count().label("marks"),
            func.count(func.distinct(case((Attendance.present, Attendance.student_id)))).label(
                "students"
            ),
        )
        .join(PEClass, PEClass.id == Attendance.class_id)
        .join(School, School.id == PEClass.school_id)
        .where(Attendance.session_date >= since, Attendance.session_date < until)
        .group_by(Attendance.session_date)
        .order_by(Attendance.session_date)
    )
    return read_frame(conn, in_regions(stmt, School.region_id, region_ids), dates=["day"])


def daily_incidents(
    *, conn: Connection, since: date, until: date, region_ids: Sequence[int] | None = None
) -> pd.DataFrame:
    """PE safety incidents per day and severity in [since, until).

    Columns: day (datetime64), severity (str), incidents (int).
    """
    stmt = (
        select(
            SafetyIncident.occurred_on.label("day"),
            SafetyIncident.severity,
            func.count().label("incidents"),
        )
        .join(PEClass, PEClass.id == SafetyIncident.class_id)
        .join(School, School.id == PEClass.school_id)
        .where(SafetyIncident.occurred_on >= since, SafetyIncident.occurred_on < until)
        .group_by(SafetyIncident.occurred_on, SafetyIncident.severity)
        .order_by(SafetyIncident.occurred_on, SafetyIncident.severity)  # one order, every run
    )
    return read_frame(conn, in_regions(stmt, School.region_id, region_ids), dates=["day"])


def daily_bookings(
    *, conn: Connection, since: datetime, until: datetime, region_ids: Sequence[int] | None = None
) -> pd.DataFrame:
    """Scheduled group sessions per day and status in [since, until).

    Columns: day (datetime64), status (str), bookings (int), hours (float).
    """
    minutes = minutes_between(Schedule.starts_at, Schedule.ends_at, conn)
    frame = _per_day_and_status(
        conn,
        moment=Schedule.starts_at,
        status=Schedule.status,
        measures=[(func.sum(minutes) / 60).label("hours")],
        region=Room.region_id,
        join=(Room, Room.id == Schedule.room_id),
        since=since,
        until=until,
        region_ids=region_ids,
    )
    return frame.rename(columns={"n": "bookings"}).astype({"hours": float})


def ended_unmarked(
    *,
    conn: Connection,
    since: datetime,
    until: datetime,
    by: datetime,
    region_ids: Sequence[int] | None = None,
) -> int:
    """Booked group sessions starting in [since, until) that ended by `by` and are still
    "scheduled": nobody has marked them held or cancelled yet (the sessions of
    `daily_bookings`)."""
    stmt = (
        select(func.count())
        .select_from(Schedule)
        .join(Room, Room.id == Schedule.room_id)
        .where(
            Schedule.starts_at >= since,
            Schedule.starts_at < until,
            Schedule.ends_at <= by,
            Schedule.status == "scheduled",
        )
    )
    return int(conn.execute(in_regions(stmt, Room.region_id, region_ids)).scalar_one())


def daily_applications(
    *, conn: Connection, since: datetime, until: datetime, region_ids: Sequence[int] | None = None
) -> pd.DataFrame:
    """Financing applications per day and status in [since, until).

    Columns: day (datetime64), status (str), applications (int), amount (float).
    """
    return _kept_per_day(conn, ApplicationDay, ("applications", "amount"), since, until, region_ids)


def active_loan_arrears(
    *, conn: Connection, region_ids: Sequence[int] | None = None
) -> pd.DataFrame:
    """The active loan book and how much of it is 30+ days past due, from the kept loan
    book (data.kept: recounted whenever loans or their instalments are written).

    Columns: loans (int), principal (float), in_arrears (int: loans with an unpaid
    instalment 30 or more days past due).
    """
    stmt = select(
        func.coalesce(func.sum(LoanBook.loans), 0).label("loans"),
        func.coalesce(func.sum(LoanBook.principal), 0.0).label("principal"),
        func.coalesce(func.sum(LoanBook.in_arrears), 0).label("in_arrears"),
    )
    frame = read_frame(conn, in_regions(stmt, LoanBook.region_id, region_ids))
    return frame.astype({"loans": int, "principal": float, "in_arrears": int})

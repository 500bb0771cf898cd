"""Daily roll-ups behind the home page: one small frame per area, at most a few hundred rows.

Each function reads one indexed date range and aggregates in the database, so
the page never pulls raw history.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

import pandas as pd
from sqlalchemy import Connection, case, func, select

from data.models import (
    Attendance,
    CreditApplication,
    CreditCustomer,
    Loan,
    PEClass,
    Repayment,
    Room,
    SafetyIncident,
    Schedule,
    School,
    Tutor,
    TutoringSession,
)
from data.queries.sql import day_of, in_regions, read_frame


def data_as_of(*, conn: Connection) -> pd.DataFrame:
    """Newest event time per source.

    Columns: source (str), newest (datetime64, UTC; NaT for an empty source).
    Future bookings don't count: "as of" means the newest thing that happened.
    """
    sources = {
        "tutoring_sessions": select(func.max(TutoringSession.scheduled_start)).where(
            TutoringSession.status != "scheduled"
        ),
        "credit_applications": select(func.max(CreditApplication.applied_at)),
        "pe_attendance": select(func.max(Attendance.session_date)),
    }
    rows = [(name, conn.execute(stmt).scalar_one_or_none()) for name, stmt in sources.items()]
    frame = pd.DataFrame(rows, columns=["source", "newest"])
    frame["newest"] = pd.to_datetime(frame["newest"], utc=True)
    return frame


def daily_sessions(
    *, conn: Connection, since: datetime, until: datetime, region_ids: Sequence[int] | None = None
) -> pd.DataFrame:
    """Tutoring sessions per day and status in [since, until).

    Columns: day (datetime64), status (str), sessions (int), rated (int), rating_sum (int).
    """
    day = day_of(TutoringSession.scheduled_start, conn).label("day")
    stmt = (
        select(
            day,
            TutoringSession.status,
            func.count().label("sessions"),
            func.count(TutoringSession.rating).label("rated"),
            func.coalesce(func.sum(TutoringSession.rating), 0).label("rating_sum"),
        )
        .join(Tutor, Tutor.id == TutoringSession.tutor_id)
        .where(TutoringSession.scheduled_start >= since, TutoringSession.scheduled_start < until)
        .group_by(day, TutoringSession.status)
        .order_by(day)
    )
    return read_frame(conn, in_regions(stmt, Tutor.region_id, region_ids), dates=["day"])


def tutor_counts(
    *, conn: Connection, left_since: date, region_ids: Sequence[int] | None = None
) -> pd.DataFrame:
    """Tutor head-count.

    Columns: active (int), left_recently (int: left on or after `left_since`).
    """
    stmt = select(
        func.count().filter(Tutor.status == "active").label("active"),
        func.count().filter(Tutor.left_on >= left_since).label("left_recently"),
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
        .order_by(SafetyIncident.occurred_on)
    )
    return read_frame(conn, in_regions(stmt, School.region_id, region_ids), dates=["day"])


def daily_bookings(
    *, conn: Connection, since: datetime, until: datetime, region_ids: Sequence[int] | None = None
) -> pd.DataFrame:
    """Scheduled group sessions per day and status in [since, until).

    Columns: day (datetime64), status (str), bookings (int), hours (float).
    """
    day = day_of(Schedule.starts_at, conn).label("day")
    minutes = func.sum(
        (func.julianday(Schedule.ends_at) - func.julianday(Schedule.starts_at)) * 1440
        if conn.dialect.name == "sqlite"
        else func.extract("epoch", Schedule.ends_at - Schedule.starts_at) / 60
    )
    stmt = (
        select(day, Schedule.status, func.count().label("bookings"), (minutes / 60).label("hours"))
        .join(Room, Room.id == Schedule.room_id)
        .where(Schedule.starts_at >= since, Schedule.starts_at < until)
        .group_by(day, Schedule.status)
        .order_by(day)
    )
    frame = read_frame(conn, in_regions(stmt, Room.region_id, region_ids), dates=["day"])
    frame["hours"] = frame["hours"].astype(float)
    return frame


def daily_applications(
    *, conn: Connection, since: datetime, until: datetime, region_ids: Sequence[int] | None = None
) -> pd.DataFrame:
    """Financing applications per day and status in [since, until).

    Columns: day (datetime64), status (str), applications (int), amount (float).
    """
    day = day_of(CreditApplication.applied_at, conn).label("day")
    stmt = (
        select(
            day,
            CreditApplication.status,
            func.count().label("applications"),
            func.sum(CreditApplication.amount).label("amount"),
        )
        .join(CreditCustomer, CreditCustomer.id == CreditApplication.customer_id)
        .where(CreditApplication.applied_at >= since, CreditApplication.applied_at < until)
        .group_by(day, CreditApplication.status)
        .order_by(day)
    )
    return read_frame(conn, in_regions(stmt, CreditCustomer.region_id, region_ids), dates=["day"])


def active_loan_arrears(
    *, conn: Connection, region_ids: Sequence[int] | None = None
) -> pd.DataFrame:
    """The active loan book and how much of it is 30+ days past due.

    Columns: loans (int), principal (float), in_arrears (int: loans with an unpaid
    instalment 30 or more days past due).
    """
    late = (
        select(Repayment.loan_id)
        .where(Repayment.paid_on.is_(None), Repayment.days_past_due >= 30)
        .distinct()
        .subquery()
    )
    stmt = (
        select(
            func.count(Loan.id).label("loans"),
            func.coalesce(func.sum(Loan.principal), 0.0).label("principal"),
            func.count(late.c.loan_id).label("in_arrears"),
        )
        .join(CreditCustomer, CreditCustomer.id == Loan.customer_id)
        .outerjoin(late, late.c.loan_id == Loan.id)
        .where(Loan.status == "active")
    )
    return read_frame(conn, in_regions(stmt, CreditCustomer.region_id, region_ids))

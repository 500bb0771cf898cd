"""Per-region roll-ups: the answers the "Ask" tools give, always inside a region scope."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

import pandas as pd
from sqlalchemy import Connection, case, func, select

from data.models import (
    Attendance,
    CreditApplication,
    CreditCustomer,
    PEClass,
    Region,
    School,
    Tutor,
    TutoringSession,
    TutorRiskScore,
)
from data.queries.sql import in_regions, read_frame


def tutors_by_band(
    *, conn: Connection, model_id: int, as_of: datetime, region_ids: Sequence[int] | None
) -> pd.DataFrame:
    """Tutors per region and risk band on one scoring date. Columns: region, band, tutors."""
    stmt = (
        select(Region.name.label("region"), TutorRiskScore.band, func.count().label("tutors"))
        .select_from(TutorRiskScore)
        .join(Tutor, Tutor.id == TutorRiskScore.tutor_id)
        .join(Region, Region.id == Tutor.region_id)
        .where(TutorRiskScore.model_version_id == model_id, TutorRiskScore.as_of == as_of)
        .group_by(Region.name, TutorRiskScore.band)
        .order_by(Region.name, TutorRiskScore.band)
    )
    return read_frame(conn, in_regions(stmt, Tutor.region_id, region_ids))


def sessions_by_region(
    *, conn: Connection, since: datetime, until: datetime, region_ids: Sequence[int] | None
) -> pd.DataFrame:
    """Tutoring sessions per region in [since, until). Columns: region, completed, no_show,
    cancelled, rescheduled, sessions (every session that was not still scheduled: the four
    before, which add up to it)."""
    due = TutoringSession.status != "scheduled"
    status = TutoringSession.status
    stmt = (
        select(
            Region.name.label("region"),
            func.sum(case((status == "completed", 1), else_=0)).label("completed"),
            func.sum(case((status == "no_show", 1), else_=0)).label("no_show"),
            func.sum(case((status == "cancelled", 1), else_=0)).label("cancelled"),
            func.sum(case((status == "rescheduled", 1), else_=0)).label("rescheduled"),
            func.sum(case((due, 1), else_=0)).label("sessions"),
        )
        .join(Tutor, Tutor.id == TutoringSession.tutor_id)
        .join(Region, Region.id == Tutor.region_id)
        .where(TutoringSession.scheduled_start >= since, TutoringSession.scheduled_start < until)
        .group_by(Region.name)
        .order_by(Region.name)
    )
    return read_frame(conn, in_regions(stmt, Tutor.region_id, region_ids))


def applications_by_region(
    *, conn: Connection, since: datetime, until: datetime, region_ids: Sequence[int] | None
) -> pd.DataFrame:
    """Credit applications per region in [since, until). Columns: region, applications,
    approved, declined."""
    status = CreditApplication.status
    stmt = (
        select(
            Region.name.label("region"),
            func.count().label("applications"),
            func.sum(case((status == "approved", 1), else_=0)).label("approved"),
            func.sum(case((status == "declined", 1), else_=0)).label("declined"),
        )
        .join(CreditCustomer, CreditCustomer.id == CreditApplication.customer_id)
        .join(Region, Region.id == CreditCustomer.region_id)
        .where(CreditApplication.applied_at >= since, CreditApplication.applied_at < until)
        .group_by(Region.name)
        .order_by(Region.name)
    )
    return read_frame(conn, in_regions(stmt, CreditCustomer.region_id, region_ids))


def attendance_by_region(
    *, conn: Connection, since: date, until: date, region_ids: Sequence[int] | None
) -> pd.DataFrame:
    """PE attendance marks per region in [since, until). Columns: region, present, marks."""
    stmt = (
        select(
            Region.name.label("region"),
            func.sum(case((Attendance.present, 1), else_=0)).label("present"),
            func.count().label("marks"),
        )
        .join(PEClass, PEClass.id == Attendance.class_id)
        .join(School, School.id == PEClass.school_id)
        .join(Region, Region.id == School.region_id)
        .where(Attendance.session_date >= since, Attendance.session_date < until)
        .group_by(Region.name)
        .order_by(Region.name)
    )
    return read_frame(conn, in_regions(stmt, School.region_id, region_ids))

"""How the kept counts are counted: per UTC day, month or model, whole or for a range.

Which table is kept from what, and when it is recounted, is said once in `data.kept`; only
that registry calls these builders.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from datetime import time as dt_time
from typing import Any

from sqlalchemy import Connection, Select, func, select
from sqlalchemy.orm import InstrumentedAttribute

from data.loans import late_on
from data.models import (
    ApplicationDay,
    CreditApplication,
    CreditCustomer,
    CustomerCount,
    JourneyDay,
    JourneyEvent,
    JourneyMonth,
    Loan,
    LoanBook,
    Repayment,
    RiskBandCount,
    SessionDay,
    Tutor,
    TutoringSession,
    TutorRiskScore,
)
from data.queries.sql import day_of, month_of, replace_rows


def _recount(
    conn: Connection,
    *,
    table: Any,
    moment: InstrumentedAttribute[datetime],
    counted: Select,
    day: date | None,
    last: date | None = None,
) -> None:
    """Replace `table`'s rows (every day, or only `day`, or `day` to `last`) with `counted`,
    whose first column is the UTC day of `moment` and whose other columns are named as the
    table's."""
    stale = []
    if day is not None:
        last = last or day
        start = datetime.combine(day, dt_time.min, tzinfo=UTC)
        end = datetime.combine(last, dt_time.min, tzinfo=UTC) + timedelta(days=1)
        stale.extend([table.day >= day, table.day <= last])
        counted = counted.where(moment >= start, moment < end)
    replace_rows(conn, table, counted, *stale)


def rebuild_session_days(
    *, conn: Connection, day: date | None = None, last: date | None = None
) -> None:
    """Tutoring sessions per UTC day, region and status (sessions come only from outside):
    every day, or `day` to `last`."""
    when = day_of(TutoringSession.scheduled_start, conn).label("day")
    counted = (
        select(
            when,
            Tutor.region_id,
            TutoringSession.status,
            func.count().label("sessions"),
            func.count(TutoringSession.rating).label("rated"),
            func.coalesce(func.sum(TutoringSession.rating), 0).label("rating_sum"),
        )
        .join(Tutor, Tutor.id == TutoringSession.tutor_id)
        .group_by(when, Tutor.region_id, TutoringSession.status)
    )
    _recount(
        conn,
        table=SessionDay,
        moment=TutoringSession.scheduled_start,
        counted=counted,
        day=day,
        last=last,
    )


def rebuild_application_days(
    *, conn: Connection, day: date | None = None, last: date | None = None
) -> None:
    """Financing applications and their amount per UTC day, region and status: every day,
    or `day` to `last`."""
    when = day_of(CreditApplication.applied_at, conn).label("day")
    _recount(
        conn,
        table=ApplicationDay,
        moment=CreditApplication.applied_at,
        counted=_application_counts(when),
        day=day,
        last=last,
    )


def _application_counts(when: Any) -> Select:
    return (
        select(
            when,
            CreditCustomer.region_id,
            CreditApplication.status,
            func.count().label("applications"),
            func.sum(CreditApplication.amount).label("amount"),
        )
        .join(CreditCustomer, CreditCustomer.id == CreditApplication.customer_id)
        .group_by(when, CreditCustomer.region_id, CreditApplication.status)
    )


def rebuild_journey_days(
    *, conn: Connection, day: date | None = None, last: date | None = None
) -> None:
    """Journey steps per UTC day, region (None: not a customer yet), stage and channel:
    every day, or `day` to `last`."""
    when = day_of(JourneyEvent.occurred_at, conn).label("day")
    counted = _journey_counts(when)
    _recount(
        conn,
        table=JourneyDay,
        moment=JourneyEvent.occurred_at,
        counted=counted,
        day=day,
        last=last,
    )


def _journey_counts(when: Any) -> Select:
    return (
        select(
            when,
            CreditCustomer.region_id,
            JourneyEvent.stage,
            JourneyEvent.channel,
            func.count().label("events"),
        )
        .outerjoin(CreditCustomer, CreditCustomer.id == JourneyEvent.customer_id)
        .group_by(when, CreditCustomer.region_id, JourneyEvent.stage, JourneyEvent.channel)
    )


def rebuild_journey_months(*, conn: Connection, month: date | None = None) -> None:
    """Journey steps per month from the daily counts: every month, or only this one."""
    first = month_of(JourneyDay.day, conn).label("month")
    counted = select(
        first,
        JourneyDay.region_id,
        JourneyDay.stage,
        JourneyDay.channel,
        func.sum(JourneyDay.events).label("events"),
    ).group_by(first, JourneyDay.region_id, JourneyDay.stage, JourneyDay.channel)
    stale = []
    if month is not None:
        following = (month + timedelta(days=32)).replace(day=1)
        counted = counted.where(JourneyDay.day >= month, JourneyDay.day < following)
        stale.append(JourneyMonth.month == month)
    replace_rows(conn, JourneyMonth, counted, *stale)


def rebuild_risk_band_counts(*, conn: Connection, model_id: int | None = None) -> None:
    """Tutors per risk band and score, scored date and region: of every model version, or
    one."""
    counted = (
        select(
            TutorRiskScore.model_version_id,
            TutorRiskScore.as_of,
            Tutor.region_id,
            TutorRiskScore.band,
            TutorRiskScore.score,
            func.count().label("tutors"),
            func.sum(TutorRiskScore.probability).label("expected"),
        )
        .join(Tutor, Tutor.id == TutorRiskScore.tutor_id)
        .group_by(
            TutorRiskScore.model_version_id,
            TutorRiskScore.as_of,
            Tutor.region_id,
            TutorRiskScore.band,
            TutorRiskScore.score,
        )
    )
    stale = []
    if model_id is not None:
        counted = counted.where(TutorRiskScore.model_version_id == model_id)
        stale.append(RiskBandCount.model_version_id == model_id)
    replace_rows(conn, RiskBandCount, counted, *stale)


def rebuild_customer_counts(*, conn: Connection) -> None:
    """Credit customers per region."""
    counted = select(
        CreditCustomer.region_id, func.count(CreditCustomer.id).label("customers")
    ).group_by(CreditCustomer.region_id)
    replace_rows(conn, CustomerCount, counted)


def rebuild_loan_book(*, conn: Connection) -> None:
    """The active loan book per customer region: loans, principal, and loans with an
    unpaid instalment 30 or more days late (data.loans.late_on) on the credit data's day
    (the newest application's, as the watchlist counts)."""
    newest = conn.execute(select(func.max(CreditApplication.applied_at))).scalar()
    day = newest.date() if newest is not None else date.min  # no application: no loan
    late = (
        select(Repayment.loan_id)
        .where(Repayment.paid_on.is_(None), late_on(day, conn) >= 30)
        .distinct()
        .subquery()
    )
    counted = (
        select(
            CreditCustomer.region_id,
            func.count(Loan.id).label("loans"),
            func.coalesce(func.sum(Loan.principal), 0.0).label("principal"),
            func.count(late.c.loan_id).label("in_arrears"),
        )
        .select_from(Loan)
        .join(CreditCustomer, CreditCustomer.id == Loan.customer_id)
        .outerjoin(late, late.c.loan_id == Loan.id)
        .where(Loan.status == "active")
        .group_by(CreditCustomer.region_id)
    )
    replace_rows(conn, LoanBook, counted)

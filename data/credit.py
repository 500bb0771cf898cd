"""Credit: applicants' features and outcomes for the scorecard, stored scores, the customers
list and one customer's record. Writes run in the caller's transaction."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import pandas as pd
from sqlalchemy import Connection, Select, case, func, insert, or_, select, update

from data.models import (
    CreditApplication,
    CreditCustomer,
    CreditProduct,
    CreditScore,
    JourneyEvent,
    Loan,
    ModelVersion,
    Region,
    Repayment,
)
from data.queries.sql import read_frame

FEATURE_COLUMNS = [
    "amount",
    "term_months",
    "purpose",
    "channel",
    "debt_to_income",
    "credit_history_months",
    "delinquencies_2y",
    "open_loans",
    "annual_income",
    "employment",
    "employment_years",
    "housing",
    "birth_year",
]


def _features() -> Select:
    return select(
        CreditApplication.id.label("application_id"),
        CreditApplication.customer_id,
        CreditApplication.applied_at,
        CreditApplication.status,
        CreditApplication.amount,
        CreditApplication.term_months,
        CreditApplication.purpose,
        CreditApplication.channel,
        CreditApplication.debt_to_income,
        CreditApplication.credit_history_months,
        CreditApplication.delinquencies_2y,
        CreditApplication.open_loans,
        CreditCustomer.annual_income,
        CreditCustomer.employment,
        CreditCustomer.employment_years,
        CreditCustomer.housing,
        CreditCustomer.birth_year,
    ).join(CreditCustomer, CreditCustomer.id == CreditApplication.customer_id)


def applications_with_outcomes(*, conn: Connection) -> pd.DataFrame:
    """Every application with the applicant's features and, where a loan followed, its
    status and disbursement day.

    Columns: application_id, customer_id, applied_at (datetime64 UTC), status, the
    FEATURE_COLUMNS, loan_status (None without a loan), disbursed_on (datetime64).
    """
    stmt = (
        _features()
        .add_columns(Loan.status.label("loan_status"), Loan.disbursed_on)
        .outerjoin(Loan, Loan.application_id == CreditApplication.id)
        .order_by(CreditApplication.applied_at)
    )
    frame = read_frame(conn, stmt, dates=["disbursed_on"])
    frame["applied_at"] = pd.to_datetime(frame["applied_at"], utc=True)
    return frame


def store_model(
    *, conn: Connection, version: str, trained_at: datetime, metrics: dict[str, Any]
) -> int:
    """A new active credit model version; earlier ones stop being active."""
    conn.execute(update(ModelVersion).where(ModelVersion.area == "credit").values(is_active=False))
    return int(
        conn.execute(
            insert(ModelVersion)
            .values(
                area="credit",
                version=version,
                trained_at=trained_at,
                metrics=metrics,
                is_active=True,
            )
            .returning(ModelVersion.id)
        ).scalar_one()
    )


def store_scores(*, conn: Connection, model_id: int, scores: pd.DataFrame) -> int:
    """Insert scores (application_id, scored_at, pd, score, band, reason_codes)."""
    records: list[dict[str, Any]] = scores.to_dict("records")  # type: ignore[assignment]
    rows = [
        {
            "application_id": int(r["application_id"]),
            "model_version_id": model_id,
            "scored_at": r["scored_at"],
            "pd": float(r["pd"]),
            "score": int(r["score"]),
            "band": str(r["band"]),
            "reason_codes": list(r["reason_codes"]),
        }
        for r in records
    ]
    if rows:
        conn.execute(insert(CreditScore), rows)
    return len(rows)


def active_model(*, conn: Connection) -> dict[str, Any] | None:
    row = conn.execute(
        select(
            ModelVersion.id, ModelVersion.version, ModelVersion.trained_at, ModelVersion.metrics
        ).where(ModelVersion.area == "credit", ModelVersion.is_active)
    ).first()
    return dict(row._mapping) if row else None


def model_versions(*, conn: Connection) -> pd.DataFrame:
    """Columns: id, version, trained_at, is_active, metrics (dict)."""
    return read_frame(
        conn,
        select(
            ModelVersion.id,
            ModelVersion.version,
            ModelVersion.trained_at,
            ModelVersion.is_active,
            ModelVersion.metrics,
        )
        .where(ModelVersion.area == "credit")
        .order_by(ModelVersion.trained_at.desc()),
    )


def _latest_scores(model_id: int) -> Any:
    """Each customer's newest application with its score under a model (a subquery)."""
    ranked = (
        select(
            CreditApplication.customer_id,
            CreditApplication.id.label("application_id"),
            CreditApplication.applied_at,
            CreditScore.score,
            CreditScore.band,
            CreditScore.pd,
            func.row_number()
            .over(
                partition_by=CreditApplication.customer_id,
                order_by=CreditApplication.applied_at.desc(),
            )
            .label("rank"),
        )
        .join(CreditScore, CreditScore.application_id == CreditApplication.id)
        .where(CreditScore.model_version_id == model_id)
        .subquery()
    )
    return select(ranked).where(ranked.c.rank == 1).subquery()


def customers(
    *,
    conn: Connection,
    model_id: int,
    region_ids: Sequence[int] | None,
    search: str | None = None,
    band: str | None = None,
    channel: str | None = None,
    sort: str = "score",
    limit: int = 25,
    offset: int = 0,
) -> tuple[pd.DataFrame, int]:
    """One page of customers with their latest score and band, and how many match.

    `search` matches the name (LIKE-escaped by the caller) or an exact customer id.
    Columns: id, name, region, channel, employment, annual_income, applications (int),
    last_applied (datetime64 UTC), score, band, pd.
    """
    latest = _latest_scores(model_id)
    applications = (
        select(CreditApplication.customer_id, func.count().label("applications"))
        .group_by(CreditApplication.customer_id)
        .subquery()
    )
    conditions: list[Any] = []
    if region_ids is not None:
        conditions.append(CreditCustomer.region_id.in_(list(region_ids)))
    if search:
        match: list[Any] = [CreditCustomer.name.ilike(f"%{search}%", escape="\\")]
        if search.isdigit():
            match.append(CreditCustomer.id == int(search))
        conditions.append(or_(*match))
    if band:
        conditions.append(latest.c.band == band)
    if channel:
        conditions.append(CreditCustomer.channel == channel)
    base = (
        select(
            CreditCustomer.id,
            CreditCustomer.name,
            Region.name.label("region"),
            CreditCustomer.channel,
            CreditCustomer.employment,
            CreditCustomer.annual_income,
            func.coalesce(applications.c.applications, 0).label("applications"),
            latest.c.applied_at.label("last_applied"),
            latest.c.score,
            latest.c.band,
            latest.c.pd,
        )
        .join(Region, Region.id == CreditCustomer.region_id)
        .outerjoin(latest, latest.c.customer_id == CreditCustomer.id)
        .outerjoin(applications, applications.c.customer_id == CreditCustomer.id)
        .where(*conditions)
    )
    total = conn.execute(select(func.count()).select_from(base.subquery())).scalar_one()
    order = {
        "score": [latest.c.score.asc().nulls_last(), CreditCustomer.id],
        "name": [CreditCustomer.name, CreditCustomer.id],
        "recent": [latest.c.applied_at.desc().nulls_last(), CreditCustomer.id],
    }.get(sort, [CreditCustomer.id])
    frame = read_frame(conn, base.order_by(*order).limit(limit).offset(offset))
    frame["last_applied"] = pd.to_datetime(frame["last_applied"], utc=True)
    return frame, int(total)


def customer(*, conn: Connection, customer_id: int) -> dict[str, Any] | None:
    row = conn.execute(
        select(
            CreditCustomer.id,
            CreditCustomer.name,
            CreditCustomer.region_id,
            Region.name.label("region"),
            CreditCustomer.birth_year,
            CreditCustomer.annual_income,
            CreditCustomer.employment,
            CreditCustomer.employment_years,
            CreditCustomer.housing,
            CreditCustomer.channel,
            CreditCustomer.created_at,
        )
        .join(Region, Region.id == CreditCustomer.region_id)
        .where(CreditCustomer.id == customer_id)
    ).first()
    return dict(row._mapping) if row else None


def customer_applications(
    *, conn: Connection, customer_id: int, model_id: int | None
) -> pd.DataFrame:
    """A customer's applications, newest first, with the product and any score.

    Columns: id, applied_at (datetime64 UTC), product, amount, term_months, purpose,
    status, score, band, pd, reason_codes (list), scored_at.
    """
    stmt = (
        select(
            CreditApplication.id,
            CreditApplication.applied_at,
            CreditProduct.name.label("product"),
            CreditApplication.amount,
            CreditApplication.term_months,
            CreditApplication.purpose,
            CreditApplication.status,
            CreditScore.score,
            CreditScore.band,
            CreditScore.pd,
            CreditScore.reason_codes,
            CreditScore.scored_at,
        )
        .join(CreditProduct, CreditProduct.id == CreditApplication.product_id)
        .outerjoin(
            CreditScore,
            (CreditScore.application_id == CreditApplication.id)
            & (CreditScore.model_version_id == model_id),
        )
        .where(CreditApplication.customer_id == customer_id)
        .order_by(CreditApplication.applied_at.desc(), CreditScore.scored_at.desc())
    )
    frame = read_frame(conn, stmt)
    for column in ("applied_at", "scored_at"):
        frame[column] = pd.to_datetime(frame[column], utc=True)
    return frame


def customer_loans(*, conn: Connection, customer_id: int) -> pd.DataFrame:
    """A customer's loans with their repayment record.

    Columns: id, disbursed_on (datetime64), principal, annual_rate, term_months, status,
    closed_on, due (int), paid (int), worst_days_past_due (int), outstanding (float).
    """
    pays = (
        select(
            Repayment.loan_id,
            func.count().label("due"),
            func.sum(case((Repayment.paid_on.is_not(None), 1), else_=0)).label("paid"),
            func.max(Repayment.days_past_due).label("worst_days_past_due"),
            func.sum(Repayment.amount_due - Repayment.amount_paid).label("outstanding"),
        )
        .group_by(Repayment.loan_id)
        .subquery()
    )
    stmt = (
        select(
            Loan.id,
            Loan.disbursed_on,
            Loan.principal,
            Loan.annual_rate,
            Loan.term_months,
            Loan.status,
            Loan.closed_on,
            func.coalesce(pays.c.due, 0).label("due"),
            func.coalesce(pays.c.paid, 0).label("paid"),
            func.coalesce(pays.c.worst_days_past_due, 0).label("worst_days_past_due"),
            func.coalesce(pays.c.outstanding, 0.0).label("outstanding"),
        )
        .outerjoin(pays, pays.c.loan_id == Loan.id)
        .where(Loan.customer_id == customer_id)
        .order_by(Loan.disbursed_on.desc())
    )
    return read_frame(conn, stmt, dates=["disbursed_on", "closed_on"])


def customer_journey(*, conn: Connection, customer_id: int) -> pd.DataFrame:
    """Columns: occurred_at (datetime64 UTC), stage, channel, application_id."""
    frame = read_frame(
        conn,
        select(
            JourneyEvent.occurred_at,
            JourneyEvent.stage,
            JourneyEvent.channel,
            JourneyEvent.application_id,
        )
        .where(JourneyEvent.customer_id == customer_id)
        .order_by(JourneyEvent.occurred_at),
    )
    frame["occurred_at"] = pd.to_datetime(frame["occurred_at"], utc=True)
    return frame


def products(*, conn: Connection) -> pd.DataFrame:
    """Active products. Columns: id, code, name, purpose, min_amount, max_amount,
    min_term_months, max_term_months, worst_band, margin."""
    return read_frame(
        conn,
        select(
            CreditProduct.id,
            CreditProduct.code,
            CreditProduct.name,
            CreditProduct.purpose,
            CreditProduct.min_amount,
            CreditProduct.max_amount,
            CreditProduct.min_term_months,
            CreditProduct.max_term_months,
            CreditProduct.worst_band,
            CreditProduct.margin,
        )
        .where(CreditProduct.is_active)
        .order_by(CreditProduct.name),
    )


def find_customers(
    *, conn: Connection, region_ids: Sequence[int] | None, text: str, limit: int = 20
) -> pd.DataFrame:
    """Customers whose name contains `text` (LIKE-escaped). Columns: id, name, region_id."""
    stmt = (
        select(CreditCustomer.id, CreditCustomer.name, CreditCustomer.region_id)
        .where(CreditCustomer.name.ilike(f"%{text}%", escape="\\"))
        .order_by(CreditCustomer.name)
        .limit(limit)
    )
    if region_ids is not None:
        stmt = stmt.where(CreditCustomer.region_id.in_(list(region_ids)))
    return read_frame(conn, stmt)


def record_application(
    *,
    conn: Connection,
    application: dict[str, Any],
    decision: str,
    model_id: int,
    assessed: dict[str, Any],
    now: datetime,
) -> int:
    """Store a scored application, its score (with the model version) and its journey step."""
    application_id = int(
        conn.execute(
            insert(CreditApplication)
            .values(**application, applied_at=now, status=decision, decided_at=now)
            .returning(CreditApplication.id)
        ).scalar_one()
    )
    conn.execute(
        insert(CreditScore).values(
            application_id=application_id,
            model_version_id=model_id,
            scored_at=now,
            pd=float(assessed["pd"]),
            score=int(assessed["score"]),
            band=str(assessed["band"]),
            reason_codes=[{"code": c} for c in assessed["reasons"]],
        )
    )
    conn.execute(
        insert(JourneyEvent),
        [
            {
                "customer_id": application["customer_id"],
                "application_id": application_id,
                "stage": stage,
                "channel": application["channel"],
                "occurred_at": now,
            }
            for stage in ("application", "approval" if decision == "approved" else None)
            if stage
        ],
    )
    return application_id


def _scored_applications(model_id: int, region_ids: Sequence[int] | None) -> Select:
    stmt = (
        select(
            CreditApplication.id.label("application_id"),
            CreditApplication.customer_id,
            CreditCustomer.name.label("customer"),
            CreditApplication.applied_at,
            CreditApplication.amount,
            CreditApplication.status,
            CreditScore.scored_at,
            CreditScore.score,
            CreditScore.band,
            CreditScore.pd,
        )
        .join(CreditScore, CreditScore.application_id == CreditApplication.id)
        .join(CreditCustomer, CreditCustomer.id == CreditApplication.customer_id)
        .where(CreditScore.model_version_id == model_id)
    )
    if region_ids is not None:
        stmt = stmt.where(CreditCustomer.region_id.in_(list(region_ids)))
    return stmt


def latest_scores(
    *, conn: Connection, model_id: int, region_ids: Sequence[int] | None, limit: int = 20
) -> pd.DataFrame:
    """The newest scores first. Columns: application_id, customer_id, customer, applied_at,
    amount, status, scored_at (datetime64 UTC), score, band, pd."""
    stmt = _scored_applications(model_id, region_ids).order_by(
        CreditScore.scored_at.desc(), CreditScore.id.desc()
    )
    frame = read_frame(conn, stmt.limit(limit))
    for column in ("applied_at", "scored_at"):
        frame[column] = pd.to_datetime(frame[column], utc=True)
    return frame


def score_counts(
    *, conn: Connection, model_id: int, region_ids: Sequence[int] | None, since: datetime
) -> pd.DataFrame:
    """Scores since a moment per decision and band. Columns: status, band, n."""
    scored = (
        _scored_applications(model_id, region_ids).where(CreditScore.scored_at >= since).subquery()
    )
    stmt = select(scored.c.status, scored.c.band, func.count().label("n")).group_by(
        scored.c.status, scored.c.band
    )
    return read_frame(conn, stmt)


def scored_applications(
    *, conn: Connection, model_id: int, region_ids: Sequence[int] | None, since: datetime
) -> pd.DataFrame:
    """Every scored application since a moment (for pricing and the cut-off what-if).
    Columns as `latest_scores`, at most 200,000 rows."""
    stmt = _scored_applications(model_id, region_ids).where(CreditApplication.applied_at >= since)
    frame = read_frame(conn, stmt.limit(200_000))
    for column in ("applied_at", "scored_at"):
        frame[column] = pd.to_datetime(frame[column], utc=True)
    return frame


def loan_rates_by_band(
    *, conn: Connection, model_id: int, region_ids: Sequence[int] | None, since: datetime
) -> pd.DataFrame:
    """Loans disbursed from applications since a moment, per band of their score.
    Columns: band, loans, mean_rate, defaulted (int)."""
    scored = (
        _scored_applications(model_id, region_ids)
        .where(CreditApplication.applied_at >= since)
        .subquery()
    )
    stmt = (
        select(
            scored.c.band,
            func.count().label("loans"),
            func.avg(Loan.annual_rate).label("mean_rate"),
            func.sum(case((Loan.status == "defaulted", 1), else_=0)).label("defaulted"),
        )
        .join(Loan, Loan.application_id == scored.c.application_id)
        .group_by(scored.c.band)
    )
    return read_frame(conn, stmt)


def journey_counts(
    *, conn: Connection, region_ids: Sequence[int] | None, since: datetime
) -> pd.DataFrame:
    """Journey steps per stage, channel and month (a visit need not have a customer yet; in a
    region scope only known customers count). Columns: stage, channel, month (YYYY-MM), events."""
    month = (
        func.strftime("%Y-%m", JourneyEvent.occurred_at)
        if conn.dialect.name == "sqlite"
        else func.to_char(JourneyEvent.occurred_at, "YYYY-MM")
    ).label("month")
    stmt = (
        select(JourneyEvent.stage, JourneyEvent.channel, month, func.count().label("events"))
        .outerjoin(CreditCustomer, CreditCustomer.id == JourneyEvent.customer_id)
        .where(JourneyEvent.occurred_at >= since)
        .group_by(JourneyEvent.stage, JourneyEvent.channel, month)
    )
    if region_ids is not None:
        stmt = stmt.where(CreditCustomer.region_id.in_(list(region_ids)))
    return read_frame(conn, stmt)


def model_scores(*, conn: Connection, model_id: int) -> pd.DataFrame:
    """Every stored score of a model. Columns: application_id, score, band, pd."""
    return read_frame(
        conn,
        select(
            CreditScore.application_id, CreditScore.score, CreditScore.band, CreditScore.pd
        ).where(CreditScore.model_version_id == model_id),
    )

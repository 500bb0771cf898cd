"""Credit: applicants' features and outcomes for the scorecard, stored scores, the customers
list and one customer's record. Writes run in the caller's transaction."""

from __future__ import annotations

import io
import json
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import (
    Connection,
    Numeric,
    Select,
    case,
    cast,
    delete,
    func,
    insert,
    literal,
    or_,
    select,
    update,
)

from data import kept
from data.cache import cached, mark_changed
from data.grid import ColumnFilter, SortKey, grid_order, grid_where
from data.loans import late_on
from data.models import (
    CreditAlert,
    CreditAlertRule,
    CreditApplication,
    CreditCustomer,
    CreditLatestScore,
    CreditProduct,
    CreditScore,
    CustomerCount,
    JourneyDay,
    JourneyEvent,
    JourneyMonth,
    Loan,
    ModelVersion,
    MonitoringReport,
    Region,
    Repayment,
)
from data.queries.sql import read_frame


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


def unscored_applications(*, conn: Connection, model_id: int) -> pd.DataFrame:
    """Applications with no score under this model yet (arrived since it scored), with the
    applicant's features: the columns of `applications_with_outcomes` without the loan."""
    scored = select(CreditScore.id).where(
        CreditScore.application_id == CreditApplication.id,
        CreditScore.model_version_id == model_id,
    )
    frame = read_frame(conn, _features().where(~scored.exists()).order_by(CreditApplication.id))
    frame["applied_at"] = pd.to_datetime(frame["applied_at"], utc=True)
    return frame


@cached("credit")
def applications_with_outcomes(*, conn: Connection) -> pd.DataFrame:
    """Every application with the applicant's features and, where a loan followed, its
    status and disbursement day.

    Columns: application_id, customer_id, applied_at (datetime64 UTC), status, amount,
    term_months, purpose, channel, debt_to_income, credit_history_months, delinquencies_2y,
    open_loans, annual_income, employment, employment_years, housing, birth_year,
    loan_status (None without a loan), disbursed_on (datetime64).
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
    mark_changed(conn, "credit")
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
    """Insert scores (application_id, scored_at, pd, score, band, reason_codes) and bring
    their customers' latest scores up to date."""
    mark_changed(conn, "credit")
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
        applications = [row["application_id"] for row in rows]
        customers = (
            None
            if len(applications) > FEW_CUSTOMERS
            else conn.execute(
                select(CreditApplication.customer_id)
                .where(CreditApplication.id.in_(applications))
                .distinct()
            )
            .scalars()
            .all()
        )
        kept.follow(
            conn=conn,
            change=kept.Change(
                tables=frozenset({"credit_scores"}),
                model_id=model_id,
                customer_ids=None if customers is None else tuple(customers),
            ),
        )
    return len(rows)


@cached("credit")
def newest_application(*, conn: Connection) -> datetime | None:
    """When the newest application on record was made (None: none yet): what the credit
    book is "as of"."""
    newest: datetime | None = conn.execute(select(func.max(CreditApplication.applied_at))).scalar()
    return newest


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


def _ranked_latest(model_id: int, customer_ids: Sequence[int] | None) -> Select:
    """Each customer's newest scored application under a model, ranked from every score."""
    ranked = select(
        CreditApplication.customer_id,
        CreditApplication.id.label("application_id"),
        CreditApplication.applied_at,
        CreditScore.score,
        CreditScore.band,
        CreditScore.pd,
        func.row_number()
        .over(
            partition_by=CreditApplication.customer_id,
            order_by=(CreditApplication.applied_at.desc(), CreditApplication.id.desc()),
        )
        .label("rank"),
    ).join(CreditScore, CreditScore.application_id == CreditApplication.id)
    ranked = ranked.where(CreditScore.model_version_id == model_id)
    if customer_ids is not None:
        ranked = ranked.where(CreditApplication.customer_id.in_(list(customer_ids)))
    newest = ranked.subquery()
    return select(
        literal(model_id).label("model_version_id"),
        newest.c.customer_id,
        newest.c.application_id,
        newest.c.applied_at,
        newest.c.score,
        newest.c.band,
        newest.c.pd,
    ).where(newest.c.rank == 1)


FEW_CUSTOMERS = 500  # above this, the latest scores are rebuilt for the whole model


def refresh_latest_scores(
    *, conn: Connection, model_id: int, customer_ids: Sequence[int] | None = None
) -> None:
    """Rebuild `credit_latest_scores` for a model (all customers, or only these); called by
    the kept-table registry (`data.kept`)."""
    if customer_ids is not None and len(customer_ids) > FEW_CUSTOMERS:
        customer_ids = None
    stale = delete(CreditLatestScore).where(CreditLatestScore.model_version_id == model_id)
    if customer_ids is not None:
        stale = stale.where(CreditLatestScore.customer_id.in_(list(customer_ids)))
    conn.execute(stale)
    columns = ["model_version_id", "customer_id", "application_id", "applied_at"]
    conn.execute(
        insert(CreditLatestScore).from_select(
            [*columns, "score", "band", "pd"], _ranked_latest(model_id, customer_ids)
        )
    )


def _latest_scores(model_id: int) -> Any:
    """Each customer's newest application with its score under a model (a subquery)."""
    return (
        select(
            CreditLatestScore.customer_id,
            CreditLatestScore.application_id,
            CreditLatestScore.applied_at,
            CreditLatestScore.score,
            CreditLatestScore.band,
            CreditLatestScore.pd,
        )
        .where(CreditLatestScore.model_version_id == model_id)
        .subquery()
    )


def customers(
    *,
    conn: Connection,
    model_id: int,
    region_ids: Sequence[int] | None,
    search: str | None = None,
    band: str | None = None,
    channel: str | None = None,
    sort: Sequence[SortKey] = (),
    filters: Sequence[ColumnFilter] = (),
    limit: int = 25,
    offset: int = 0,
    total: int | None = None,
) -> tuple[pd.DataFrame, int]:
    """One page of customers with their latest score and band, and how many match (counted
    here unless the caller already has `total`, e.g. to choose the page).

    `search` matches the name (LIKE-escaped by the caller) or an exact customer id. `sort`
    and `filters` (a grid's) work on the columns of CUSTOMER_GRID_COLUMNS; with no sort the
    lowest score comes first.
    Columns: id, name, region, channel, employment, annual_income, applications (int),
    last_applied (datetime64 UTC), score, band, pd.
    """
    latest = _latest_scores(model_id)
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
    by_name = _customer_grid_columns(latest)
    narrowed = bool(search or band or channel)
    grid_conditions = grid_where(filters, by_name)
    conditions += grid_conditions
    narrowed = narrowed or bool(grid_conditions)
    wanted = {f.column for f in filters} | {k.column for k in sort}
    # Count and order on the customer and its latest score only; the region (unless a filter
    # or the sort needs it) and the count of applications are looked up for the page alone.
    matching = select(CreditCustomer.id).outerjoin(
        latest, latest.c.customer_id == CreditCustomer.id
    )
    if "region" in wanted:
        matching = matching.join(Region, Region.id == CreditCustomer.region_id)
    matching = matching.where(*conditions)
    if total is None and not narrowed:
        # Every customer in scope: the kept count per region (counting 240,000 customers at
        # xlarge took 10-24 ms).
        kept = select(func.coalesce(func.sum(CustomerCount.customers), 0))
        if region_ids is not None:
            kept = kept.where(CustomerCount.region_id.in_(list(region_ids)))
        total = int(conn.execute(kept).scalar_one())
    if total is None:
        # A customer has at most one latest score (its key) and always a region, so the joins
        # change the count only where a condition reads them; the sort never does.
        filtered = {f.column for f in filters}
        needs_joins = band or filtered & {"last_applied", "score", "band", "pd", "region"}
        counted = matching if needs_joins else select(CreditCustomer.id).where(*conditions)
        total = conn.execute(select(func.count()).select_from(counted.subquery())).scalar_one()
    if limit <= 0 or offset >= total:
        return _empty_customers(), int(total)
    by_score = not sort or sort[0].column == "score"  # blanks last either way
    order = [*grid_order(sort or [SortKey("score")], by_name), CreditCustomer.id]
    page = matching.order_by(*order).limit(limit).offset(offset).subquery()
    if by_score and "region" not in wanted:
        # Scored customers come first, so a page they fill comes straight off the index of
        # latest scores; only a page reaching the unscored ones needs every customer sorted.
        scored_order = order
        if len(sort) == 1 and sort[0].descending:
            # Only scored customers here (no score is missing): highest first, then by id,
            # comes straight off the index in that order (DESC NULLS LAST would sort them all).
            scored_order = [latest.c.score.desc(), latest.c.customer_id]
        scored_page = (
            select(CreditCustomer.id)
            .join(latest, latest.c.customer_id == CreditCustomer.id)
            .where(*conditions)
            .order_by(*scored_order)
            .limit(limit)
            .offset(offset)
        )
        found = conn.execute(scored_page).scalars().all()
        if len(found) == limit:
            page = select(CreditCustomer.id).where(CreditCustomer.id.in_(found)).subquery()
    applications = (
        select(func.count())
        .where(CreditApplication.customer_id == CreditCustomer.id)
        .scalar_subquery()
    )
    stmt = (
        select(
            CreditCustomer.id,
            CreditCustomer.name,
            Region.name.label("region"),
            CreditCustomer.channel,
            CreditCustomer.employment,
            CreditCustomer.annual_income,
            applications.label("applications"),
            latest.c.applied_at.label("last_applied"),
            latest.c.score,
            latest.c.band,
            latest.c.pd,
        )
        .join(page, page.c.id == CreditCustomer.id)
        .join(Region, Region.id == CreditCustomer.region_id)
        .outerjoin(latest, latest.c.customer_id == CreditCustomer.id)
        .order_by(*order)
    )
    frame = read_frame(conn, stmt)
    frame["last_applied"] = pd.to_datetime(frame["last_applied"], utc=True)
    return frame, int(total)


CUSTOMER_GRID_COLUMNS = ("name", "region", "channel", "last_applied", "score", "band", "pd")


def _customer_grid_columns(latest: Any) -> dict[str, Any]:
    """The columns a customers grid sorts and filters on (pd in percent, as it shows)."""
    return {
        "name": CreditCustomer.name,
        "region": Region.name,
        "channel": CreditCustomer.channel,
        "last_applied": latest.c.applied_at,
        "score": latest.c.score,
        "band": latest.c.band,
        # As shown (one decimal), so "equals 12.3" finds the rows that show 12.3%.
        "pd": func.round(cast(latest.c.pd * 100, Numeric(12, 6)), 1),
    }


def _empty_customers() -> pd.DataFrame:
    columns = ["id", "name", "region", "channel", "employment", "annual_income"]
    frame = pd.DataFrame(columns=[*columns, "applications", "last_applied", "score", "band", "pd"])
    frame["last_applied"] = pd.to_datetime(frame["last_applied"], utc=True)
    return frame


def customer(*, conn: Connection, customer_id: int) -> dict[str, Any] | None:
    return customers_by_id(conn=conn, customer_ids=[customer_id]).get(customer_id)


def customers_by_id(*, conn: Connection, customer_ids: Sequence[int]) -> dict[int, dict[str, Any]]:
    """The customers of these ids that exist, by id, with their region and profile."""
    found: dict[int, dict[str, Any]] = {}
    unique = sorted(set(customer_ids))
    for start in range(0, len(unique), 5_000):  # SQLite binds at most 32,766 values
        rows = conn.execute(
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
            .where(CreditCustomer.id.in_(unique[start : start + 5_000]))
        ).all()
        found.update({row.id: dict(row._mapping) for row in rows})
    return found


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


def customer_loans(*, conn: Connection, customer_id: int, today: date) -> pd.DataFrame:
    """A customer's loans with their repayment record on `today`.

    Columns: id, disbursed_on (datetime64), principal, annual_rate, term_months, status,
    closed_on, due (int: instalments due by today), paid (int), worst_days_past_due (int),
    in_arrears (float: due by today and unpaid).
    """
    is_due = Repayment.due_on <= today
    short = Repayment.amount_due - Repayment.amount_paid
    pays = (
        select(
            Repayment.loan_id,
            func.sum(case((is_due, 1), else_=0)).label("due"),
            func.sum(case((Repayment.paid_on.is_not(None), 1), else_=0)).label("paid"),
            func.max(late_on(today, conn)).label("worst_days_past_due"),
            func.sum(case((is_due, short), else_=0.0)).label("in_arrears"),
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
            func.coalesce(pays.c.in_arrears, 0.0).label("in_arrears"),
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


def ids_of(
    *, conn: Connection, customers: Sequence[str], products: Sequence[str]
) -> tuple[dict[str, int], dict[str, int]]:
    """Beacon's ids of customers named by their own system's id (external_id) and of
    products named by their code; a name not found is left out."""
    found = conn.execute(
        select(CreditCustomer.external_id, CreditCustomer.id).where(
            CreditCustomer.external_id.in_(sorted(set(customers)))
        )
    ).all()
    codes = conn.execute(
        select(CreditProduct.code, CreditProduct.id).where(
            CreditProduct.code.in_(sorted(set(products)))
        )
    ).all()
    return {str(k): int(v) for k, v in found}, {str(k): int(v) for k, v in codes}


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
    return record_applications(
        conn=conn,
        scored=[(application, decision, assessed)],
        model_id=model_id,
        now=now,
    )[0]


def record_applications(
    *,
    conn: Connection,
    scored: Sequence[tuple[dict[str, Any], str, dict[str, Any]]],
    model_id: int,
    now: datetime,
) -> list[int]:
    """Store scored applications (application, decision, assessment), each with its score and
    journey steps; the kept daily tables of `now`'s day are recounted once for all of them."""
    mark_changed(conn, "credit")
    ids: list[int] = []
    for application, decision, assessed in scored:
        application_id = int(
            conn.execute(
                insert(CreditApplication)
                .values(**application, applied_at=now, status=decision, decided_at=now)
                .returning(CreditApplication.id)
            ).scalar_one()
        )
        ids.append(application_id)
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
    journey = [
        {
            "customer_id": application["customer_id"],
            "application_id": application_id,
            "stage": stage,
            "channel": application["channel"],
            "occurred_at": now,
        }
        for application_id, (application, decision, _) in zip(ids, scored, strict=True)
        for stage in ("application", "approval" if decision == "approved" else None)
        if stage
    ]
    if journey:
        conn.execute(insert(JourneyEvent), journey)
    day = kept.day_of_moment(now)
    kept.follow(
        conn=conn,
        change=kept.Change(
            tables=frozenset({"credit_applications", "credit_scores", "journey_events"}),
            first=day,
            last=day,
            model_id=model_id,
            customer_ids=tuple(sorted({int(a["customer_id"]) for a, _, _ in scored})),
        ),
    )
    return ids


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


@cached("credit")
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


@cached("credit")
def journey_counts(
    *, conn: Connection, region_ids: Sequence[int] | None, since: datetime
) -> pd.DataFrame:
    """Journey steps per stage, channel and month since a moment's day: whole months from
    `journey_months`, the days before the first whole month from `journey_days` (a visit
    need not have a customer yet; in a region scope only known customers count).
    Columns: stage, channel, month (YYYY-MM), events."""
    first = since.date()
    whole = first if first.day == 1 else (first.replace(day=1) + timedelta(days=32)).replace(day=1)

    def per_month(table: Any, day: Any, *where: Any) -> pd.DataFrame:
        month = (
            func.strftime("%Y-%m", day)
            if conn.dialect.name == "sqlite"
            else func.to_char(day, "YYYY-MM")
        ).label("month")
        stmt = (
            select(table.stage, table.channel, month, func.sum(table.events).label("events"))
            .where(*where)
            .group_by(table.stage, table.channel, month)
        )
        if region_ids is not None:
            stmt = stmt.where(table.region_id.in_(list(region_ids)))
        return read_frame(conn, stmt)

    frame = pd.concat(
        [
            per_month(JourneyDay, JourneyDay.day, JourneyDay.day >= first, JourneyDay.day < whole),
            per_month(JourneyMonth, JourneyMonth.month, JourneyMonth.month >= whole),
        ],
        ignore_index=True,
    )
    frame["events"] = frame["events"].astype(int)
    return frame


@cached("credit")
def model_scores(*, conn: Connection, model_id: int) -> pd.DataFrame:
    """Every stored score of a model. Columns: application_id, score, band, pd."""
    return read_frame(
        conn,
        select(
            CreditScore.application_id, CreditScore.score, CreditScore.band, CreditScore.pd
        ).where(CreditScore.model_version_id == model_id),
    )


def alert_rules(*, conn: Connection, active_only: bool = False) -> pd.DataFrame:
    """Columns: id, name, metric, threshold, severity, is_active."""
    stmt = select(
        CreditAlertRule.id,
        CreditAlertRule.name,
        CreditAlertRule.metric,
        CreditAlertRule.threshold,
        CreditAlertRule.severity,
        CreditAlertRule.is_active,
    ).order_by(CreditAlertRule.id)
    if active_only:
        stmt = stmt.where(CreditAlertRule.is_active)
    return read_frame(conn, stmt)


def add_alert_rule(*, conn: Connection, rule: dict[str, Any], by: int, now: datetime) -> int:
    rule_id = conn.execute(
        insert(CreditAlertRule)
        .values(**rule, is_active=True, created_by_id=by, created_at=now)
        .returning(CreditAlertRule.id)
    ).scalar_one()
    _rules_changed(conn)
    return int(rule_id)


def set_alert_rule_active(*, conn: Connection, rule_id: int, active: bool) -> bool:
    switched = conn.execute(
        update(CreditAlertRule).where(CreditAlertRule.id == rule_id).values(is_active=active)
    ).rowcount
    _rules_changed(conn)
    return bool(switched)


def _rules_changed(conn: Connection) -> None:
    """The watchlist's kept order follows the active rules (data.kept)."""
    kept.follow(conn=conn, change=kept.Change(tables=frozenset({"credit_alert_rules"})))


def raised_alert_keys(*, conn: Connection) -> set[tuple[int, int]]:
    return {(r, loan) for r, loan in conn.execute(select(CreditAlert.rule_id, CreditAlert.loan_id))}


def raise_alerts(*, conn: Connection, alerts: pd.DataFrame, now: datetime) -> int:
    """Store new alerts (rule_id, loan_id, region_id, severity, value)."""
    mark_changed(conn, "credit")
    rows = [
        {
            "rule_id": int(a["rule_id"]),
            "loan_id": int(a["loan_id"]),
            "region_id": int(a["region_id"]),
            "severity": str(a["severity"]),
            "value": float(a["value"]),
            "raised_at": now,
        }
        for a in alerts.to_dict("records")
    ]
    if rows:
        conn.execute(insert(CreditAlert), rows)
    return len(rows)


def alerts(
    *,
    conn: Connection,
    region_ids: Sequence[int] | None,
    severity: str | None = None,
    rule_id: int | None = None,
    limit: int = 25,
    offset: int = 0,
) -> tuple[pd.DataFrame, int]:
    """Raised alerts, newest and most severe first, one page and how many match.

    Columns: id, raised_at (datetime64 UTC), severity, rule, value, loan_id, customer_id,
    customer, region."""
    conditions: list[Any] = []
    if region_ids is not None:
        conditions.append(CreditAlert.region_id.in_(list(region_ids)))
    if severity:
        conditions.append(CreditAlert.severity == severity)
    if rule_id is not None:
        conditions.append(CreditAlert.rule_id == rule_id)
    total = conn.execute(
        select(func.count()).select_from(CreditAlert).where(*conditions)
    ).scalar_one()
    order = case(
        {"critical": 0, "high": 1, "medium": 2, "low": 3}, value=CreditAlert.severity, else_=4
    )
    stmt = (
        select(
            CreditAlert.id,
            CreditAlert.raised_at,
            CreditAlert.severity,
            CreditAlertRule.name.label("rule"),
            CreditAlert.value,
            CreditAlert.loan_id,
            Loan.customer_id,
            CreditCustomer.name.label("customer"),
            Region.name.label("region"),
        )
        .join(CreditAlertRule, CreditAlertRule.id == CreditAlert.rule_id)
        .join(Loan, Loan.id == CreditAlert.loan_id)
        .join(CreditCustomer, CreditCustomer.id == Loan.customer_id)
        .join(Region, Region.id == CreditAlert.region_id)
        .where(*conditions)
        .order_by(order, CreditAlert.raised_at.desc(), CreditAlert.id.desc())
        .limit(limit)
        .offset(offset)
    )
    frame = read_frame(conn, stmt)
    frame["raised_at"] = pd.to_datetime(frame["raised_at"], utc=True)
    return frame, int(total)


def customer_repayments(
    *, conn: Connection, customer_id: int, today: date, limit: int = 24
) -> pd.DataFrame:
    """A customer's most recent repayments across their loans, newest due first.
    Columns: loan_id, due_on, amount_due, paid_on (datetime64 or NaT), amount_paid,
    days_past_due (an unpaid one's on `today`, data.loans.late_on)."""
    stmt = (
        select(
            Repayment.loan_id,
            Repayment.due_on,
            Repayment.amount_due,
            Repayment.paid_on,
            Repayment.amount_paid,
            late_on(today, conn).label("days_past_due"),
        )
        .join(Loan, Loan.id == Repayment.loan_id)
        .where(Loan.customer_id == customer_id)
        .order_by(Repayment.due_on.desc())
        .limit(limit)
    )
    return read_frame(conn, stmt, dates=["due_on", "paid_on"])


def store_monitoring_report(
    *, conn: Connection, model_id: int, frames: dict[str, pd.DataFrame], now: datetime
) -> None:
    """Replace a model's monitoring report. Pages read it from here, not from the cache,
    so keeping it clears nothing."""
    payload = {
        name: frame.to_json(orient="table", date_format="iso", index=False)
        for name, frame in frames.items()
    }
    conn.execute(delete(MonitoringReport).where(MonitoringReport.model_version_id == model_id))
    conn.execute(
        insert(MonitoringReport).values(model_version_id=model_id, computed_at=now, frames=payload)
    )


def monitoring_report(
    *, conn: Connection, model_id: int
) -> tuple[dict[str, pd.DataFrame], datetime] | None:
    """A model's kept monitoring report (its frames, and when they were computed), or None."""
    row = conn.execute(
        select(MonitoringReport.frames, MonitoringReport.computed_at).where(
            MonitoringReport.model_version_id == model_id
        )
    ).first()
    if row is None:
        return None
    return {name: table_frame(text) for name, text in row.frames.items()}, row.computed_at


_TABLE_DTYPES = {"number": "float64", "integer": "int64", "boolean": "bool"}


def table_frame(text: str) -> pd.DataFrame:
    """The frame `DataFrame.to_json(orient="table", index=False)` wrote: what
    `pd.read_json(..., orient="table")` reads, for the column types a kept report holds (text,
    numbers, whole numbers, flags, dates without a zone), in about a third of its time (#26:
    it took 2.8-3.4 ms for each of the monitoring report's three small frames). Anything else
    (an index, a time zone, a category, a missing whole number) is read by pandas."""
    table = json.loads(text)
    fields = table["schema"]["fields"]
    rows = table["data"]
    columns: dict[str, Any] = {}
    for field in fields:
        name, kind = field["name"], field["type"]
        values = [row.get(name) for row in rows]
        if kind == "datetime" and "tz" not in field:
            columns[name] = np.array(values, dtype="datetime64[ns]")  # ISO text; None: NaT
        elif kind == "string" and field.get("extDtype") == "str":
            columns[name] = pd.Series(values, dtype="str")
        elif kind in _TABLE_DTYPES and not (kind != "number" and None in values):
            columns[name] = pd.Series(
                [float("nan") if v is None else v for v in values], dtype=_TABLE_DTYPES[kind]
            )
        else:
            return pd.read_json(io.StringIO(text), orient="table")
    if "primaryKey" in table["schema"]:
        return pd.read_json(io.StringIO(text), orient="table")
    return pd.DataFrame(columns, columns=[f["name"] for f in fields])

"""Active loans as the watchlist and the early-warning alerts see them.

Aggregating every repayment for each new day took most of a second at scale, so the
refresh keeps each active loan's standing (`loan_standings`) for the data's day under the
active model; live scoring brings its customer's latest score up to date there. Asked for
another day or model (the refresh has not run since), the standing is computed live.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta
from typing import Any

import pandas as pd
from sqlalchemy import (
    Connection,
    Date,
    Integer,
    Select,
    Subquery,
    and_,
    case,
    false,
    func,
    literal,
    or_,
    select,
    update,
)
from sqlalchemy.sql.elements import ColumnElement

from data.cache import cached
from data.models import (
    CreditAlertRule,
    CreditCustomer,
    CreditLatestScore,
    CreditScore,
    Loan,
    LoanStanding,
    Repayment,
    WatchLoan,
)
from data.models.credit import ALERT_METRICS
from data.queries.sql import days_from, in_regions, kept_for, read_frame, replace_rows
from vocabulary import BANDS

STANDING_COLUMNS = (
    "loan_id",
    "customer_id",
    "region_id",
    "principal",
    "disbursed_on",
    "days_past_due",
    "missed_payments",
    "score_at_loan",
    "latest_score",
    "score_drop",
)


def _drop(score_at_loan: Any, latest_score: Any) -> Any:
    """Points lost since the loan: 0 if none, or if either score is unknown."""
    fall = score_at_loan - latest_score
    return case((fall > 0, fall), else_=0)


def late_on(day: date, conn: Connection) -> ColumnElement[int]:
    """An instalment's days late on `day`: while it is unpaid, the days since it fell due
    or the stored figure if that says more (the stored one is of the day it was written: it
    never aged); once paid, as stored."""
    since_due = days_from(Repayment.due_on, day, conn)
    unpaid_longer = and_(Repayment.paid_on.is_(None), since_due > Repayment.days_past_due)
    return case((unpaid_longer, since_due), else_=Repayment.days_past_due)


def _live(model_id: int | None, day: date, conn: Connection) -> Subquery:
    """Each active loan's standing on `day`, from the repayments and the scores: the worst
    lateness of the instalments due in the last 90 days and of every one still unpaid (an
    unpaid instalment dropped out after 90 days, so a loan 91 days late read 58)."""
    recent = day - timedelta(days=90)
    counted = or_(Repayment.due_on >= recent, Repayment.paid_on.is_(None))
    pays = (
        select(
            Repayment.loan_id,
            func.max(case((counted, late_on(day, conn)), else_=0)).label("days_past_due"),
            func.sum(case((Repayment.paid_on.is_(None), 1), else_=0)).label("missed_payments"),
        )
        .where(Repayment.due_on <= day)
        .group_by(Repayment.loan_id)
        .subquery()
    )
    at_loan = (
        select(CreditScore.application_id, CreditScore.score)
        .where(CreditScore.model_version_id == model_id)
        .subquery()
    )
    latest = (
        select(CreditLatestScore.customer_id, CreditLatestScore.score)
        .where(CreditLatestScore.model_version_id == model_id)
        .subquery()
    )
    return (
        select(
            Loan.id.label("loan_id"),
            Loan.customer_id,
            CreditCustomer.region_id,
            Loan.principal,
            Loan.disbursed_on,
            func.coalesce(pays.c.days_past_due, 0).label("days_past_due"),
            func.coalesce(pays.c.missed_payments, 0).label("missed_payments"),
            at_loan.c.score.label("score_at_loan"),
            latest.c.score.label("latest_score"),
            _drop(at_loan.c.score, latest.c.score).label("score_drop"),
        )
        .join(CreditCustomer, CreditCustomer.id == Loan.customer_id)
        .outerjoin(pays, pays.c.loan_id == Loan.id)
        .outerjoin(at_loan, at_loan.c.application_id == Loan.application_id)
        .outerjoin(latest, latest.c.customer_id == Loan.customer_id)
        .where(Loan.status == "active")
        .subquery()
    )


def _kept() -> Subquery:
    return select(*(getattr(LoanStanding, c) for c in STANDING_COLUMNS)).subquery()


@cached("credit")
def loan_behaviour(
    *,
    conn: Connection,
    model_id: int | None,
    region_ids: Sequence[int] | None,
    as_of: datetime,
    catching: Mapping[str, float] | None = None,
    loan_ids: Sequence[int] | None = None,
) -> pd.DataFrame:
    """How each active loan is being repaid up to `as_of`, and how its customer's score moved.

    With `catching` (metric -> lowest threshold of the rules), only the loans some rule can
    catch; an empty mapping catches none. With `loan_ids`, only those loans.
    Columns: loan_id, customer_id, customer, region_id, principal, disbursed_on,
    days_past_due (worst of the last 90 days and of every unpaid one), missed_payments,
    score_at_loan, latest_score, score_drop (points lost since the loan; 0 if none).
    """
    day = as_of.date()
    kept = kept_for(
        conn, LoanStanding.as_of, LoanStanding.model_version_id, on=day, model_id=model_id
    )
    source = _kept() if kept else _live(model_id, day, conn)
    # Each a whole number (days, payments, points)
    metric: dict[str, Any] = {m: source.c[m] for m in ALERT_METRICS}
    # The customer's name per returned row (a join would hash all 80,000 customers first).
    name = (
        select(CreditCustomer.name)
        .where(CreditCustomer.id == source.c.customer_id)
        .scalar_subquery()
        .label("customer")
    )
    stmt = select(
        *(source.c[c] for c in STANDING_COLUMNS[:2]),
        name,
        *(source.c[c] for c in STANDING_COLUMNS[2:]),
    )
    if region_ids is not None:
        stmt = stmt.where(source.c.region_id.in_(list(region_ids)))
    if loan_ids is not None:
        stmt = stmt.where(source.c.loan_id.in_(list(loan_ids)))
    if catching is not None:
        # Each metric counts whole units, so "at least 29.5" is "at least 30": compared as
        # integers, the kept table's indexes serve it (a float made PostgreSQL cast every
        # row, scan them all and misjudge how many it would find, #26).
        reached = [metric[m] >= math.ceil(threshold) for m, threshold in catching.items()]
        stmt = stmt.where(or_(*reached) if reached else false())
    # Ordered here: asked to order, PostgreSQL walks the whole key index to find a few rows.
    frame = read_frame(conn, stmt, dates=["disbursed_on"])
    frame["score_drop"] = frame["score_drop"].astype(float)
    return frame.sort_values("loan_id", ignore_index=True)


def keep_loan_standings(*, conn: Connection, model_id: int | None, as_of: datetime) -> int:
    """Recompute every active loan's standing on `as_of`'s day under the model; the count."""
    day = as_of.date()
    live = _live(model_id, day, conn)
    counted = select(
        *live.c,
        literal(model_id, Integer).label("model_version_id"),
        literal(day, Date).label("as_of"),
    )
    replace_rows(conn, LoanStanding, counted)
    return int(conn.execute(select(func.count()).select_from(LoanStanding)).scalar_one())


def follow_latest_scores(
    *, conn: Connection, model_id: int, customer_ids: Sequence[int] | None
) -> None:
    """Bring the kept standings' latest scores in line with `credit_latest_scores`."""
    newest = (
        select(CreditLatestScore.score)
        .where(
            CreditLatestScore.model_version_id == LoanStanding.model_version_id,
            CreditLatestScore.customer_id == LoanStanding.customer_id,
        )
        .scalar_subquery()
    )
    stmt = update(LoanStanding).where(LoanStanding.model_version_id == model_id)
    if customer_ids is not None:
        stmt = stmt.where(LoanStanding.customer_id.in_(list(customer_ids)))
    conn.execute(
        stmt.values(latest_score=newest, score_drop=_drop(LoanStanding.score_at_loan, newest))
    )


def _caught() -> Select:
    """The kept standings the active rules catch (a metric at or above a rule's threshold),
    with their worst severity's rank: the rows of `watch_loans`."""
    rule = CreditAlertRule
    metric = case(*((rule.metric == m, getattr(LoanStanding, m)) for m in ALERT_METRICS))
    rank = case(*((rule.severity == band, i) for i, band in enumerate(BANDS)))
    keys = (LoanStanding.loan_id, LoanStanding.region_id)
    return (
        select(*keys, func.max(rank).label("severity_rank"), LoanStanding.days_past_due)
        .select_from(LoanStanding)
        .join(rule, and_(rule.is_active.is_(True), metric >= rule.threshold))
        .group_by(*keys, LoanStanding.days_past_due)
    )


def keep_watch_loans(*, conn: Connection, customer_ids: Sequence[int] | None = None) -> int:
    """Recount which kept standings the active rules catch: all of them, or those of the
    customers' loans (their scores moved); the rows kept."""
    caught, stale = _caught(), []
    if customer_ids is not None:
        theirs = select(LoanStanding.loan_id).where(
            LoanStanding.customer_id.in_(list(customer_ids))
        )
        caught = caught.where(LoanStanding.customer_id.in_(list(customer_ids)))
        stale = [WatchLoan.loan_id.in_(theirs)]
    replace_rows(conn, WatchLoan, caught, *stale)
    return int(conn.execute(select(func.count()).select_from(WatchLoan)).scalar_one())


def watch_page(
    *,
    conn: Connection,
    model_id: int | None,
    region_ids: Sequence[int] | None,
    as_of: datetime,
    worst_at_least: int,
    offset: int,
    limit: int,
) -> tuple[list[int], int] | None:
    """A page of the watchlist's loans in its order (worst severity first, then most days
    late, then by loan), and how many there are, for the active rules, the severities from
    `worst_at_least` (a rank of BANDS) up: read from the kept `watch_loans`. None when the
    kept standings are not of `as_of`'s day and this model (the caller reads them live)."""
    day = as_of.date()
    if not kept_for(
        conn, LoanStanding.as_of, LoanStanding.model_version_id, on=day, model_id=model_id
    ):
        return None
    listed = in_regions(
        select(WatchLoan.loan_id).where(WatchLoan.severity_rank >= worst_at_least),
        WatchLoan.region_id,
        region_ids,
    )
    total = conn.execute(select(func.count()).select_from(listed.subquery())).scalar_one()
    page = listed.order_by(
        WatchLoan.severity_rank.desc(), WatchLoan.days_past_due.desc(), WatchLoan.loan_id
    )
    ids = conn.execute(page.offset(offset).limit(limit)).scalars().all()
    return [int(i) for i in ids], int(total)

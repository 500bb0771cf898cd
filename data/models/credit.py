"""Credit: tuition-financing customers, applications, scores, loans and their journey."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from data.models.base import Base, ExternalId, UTCDateTime, choice, created_at_column
from data.models.tutoring import RISK_BANDS
from vocabulary import APPLICATION_STATUSES, BANDS, CHANNELS, LOAN_STATUSES

PURPOSES = ("tuition", "exam_prep", "language_course", "coding_bootcamp", "university_prep")
EMPLOYMENT = ("employed", "self_employed", "student", "unemployed", "retired")
HOUSING = ("own", "rent", "family")
JOURNEY_STAGES = ("visit", "application", "approval", "disbursement", "repaid", "defaulted")
MODEL_AREAS = ("tutor_risk", "credit")


class CreditCustomer(ExternalId, Base):
    __tablename__ = "credit_customers"
    __table_args__ = (
        choice("employment", EMPLOYMENT),
        choice("housing", HOUSING),
        choice("channel", CHANNELS),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id"), index=True)
    birth_year: Mapped[int] = mapped_column(SmallInteger)
    annual_income: Mapped[float] = mapped_column(Float)
    employment: Mapped[str] = mapped_column(String(16))
    employment_years: Mapped[float] = mapped_column(Float)
    housing: Mapped[str] = mapped_column(String(16))
    channel: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = created_at_column()


class CreditProduct(ExternalId, Base):
    __tablename__ = "credit_products"
    __table_args__ = (choice("worst_band", RISK_BANDS),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(24), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    purpose: Mapped[str] = mapped_column(String(24))
    min_amount: Mapped[float] = mapped_column(Float)
    max_amount: Mapped[float] = mapped_column(Float)
    min_term_months: Mapped[int] = mapped_column(SmallInteger)
    max_term_months: Mapped[int] = mapped_column(SmallInteger)
    worst_band: Mapped[str] = mapped_column(String(16))
    margin: Mapped[float] = mapped_column(Float)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)


class CreditApplication(ExternalId, Base):
    __tablename__ = "credit_applications"
    __table_args__ = (
        choice("status", APPLICATION_STATUSES),
        choice("purpose", PURPOSES),
        choice("channel", CHANNELS),
        Index("ix_credit_applications_customer_applied", "customer_id", "applied_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("credit_customers.id"))
    product_id: Mapped[int] = mapped_column(ForeignKey("credit_products.id"))
    applied_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    amount: Mapped[float] = mapped_column(Float)
    term_months: Mapped[int] = mapped_column(SmallInteger)
    purpose: Mapped[str] = mapped_column(String(24))
    channel: Mapped[str] = mapped_column(String(16))
    debt_to_income: Mapped[float | None] = mapped_column(Float)
    credit_history_months: Mapped[int | None] = mapped_column(SmallInteger)
    delinquencies_2y: Mapped[int] = mapped_column(SmallInteger, default=0)
    open_loans: Mapped[int] = mapped_column(SmallInteger, default=0)
    status: Mapped[str] = mapped_column(String(16))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class ModelVersion(Base):
    __tablename__ = "model_versions"
    __table_args__ = (choice("area", MODEL_AREAS),)

    id: Mapped[int] = mapped_column(primary_key=True)
    area: Mapped[str] = mapped_column(String(16))
    version: Mapped[str] = mapped_column(String(40))
    trained_at: Mapped[datetime] = created_at_column()
    metrics: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    is_active: Mapped[bool] = mapped_column(Boolean, default=False)


class CreditScore(Base):
    __tablename__ = "credit_scores"
    __table_args__ = (choice("band", RISK_BANDS),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("credit_applications.id", ondelete="CASCADE"), index=True
    )
    model_version_id: Mapped[int] = mapped_column(ForeignKey("model_versions.id"))
    scored_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    pd: Mapped[float] = mapped_column(Float)
    score: Mapped[int] = mapped_column(SmallInteger)
    band: Mapped[str] = mapped_column(String(16))
    reason_codes: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)


class MonitoringReport(Base):
    """A model's monitoring report (drift, score spread, bad rates), computed by the
    scheduled refresh and read by the monitoring page: its frames as pandas table JSON."""

    __tablename__ = "monitoring_reports"

    model_version_id: Mapped[int] = mapped_column(
        ForeignKey("model_versions.id", ondelete="CASCADE"), primary_key=True
    )
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    frames: Mapped[dict[str, str]] = mapped_column(JSON)


class CreditLatestScore(Base):
    """Each customer's newest scored application under a model: kept by `store_scores`, so
    the portfolio and the watchlist read one row per customer instead of ranking every
    score on each click."""

    __tablename__ = "credit_latest_scores"
    __table_args__ = (
        Index("ix_credit_latest_scores_model_score", "model_version_id", "score"),
        Index("ix_credit_latest_scores_model_band", "model_version_id", "band"),
    )

    model_version_id: Mapped[int] = mapped_column(
        ForeignKey("model_versions.id", ondelete="CASCADE"), primary_key=True
    )
    customer_id: Mapped[int] = mapped_column(
        ForeignKey("credit_customers.id", ondelete="CASCADE"), primary_key=True
    )
    application_id: Mapped[int] = mapped_column(
        ForeignKey("credit_applications.id", ondelete="CASCADE")
    )
    applied_at: Mapped[datetime] = mapped_column(UTCDateTime())
    score: Mapped[int] = mapped_column(SmallInteger)
    band: Mapped[str] = mapped_column(String(16))
    pd: Mapped[float] = mapped_column(Float)


# The portfolio sorted highest score first reads a page straight off this one.
Index(
    "ix_credit_latest_scores_model_score_desc",
    CreditLatestScore.model_version_id,
    CreditLatestScore.score.desc(),
    CreditLatestScore.customer_id,
)


class Loan(ExternalId, Base):
    __tablename__ = "loans"
    __table_args__ = (choice("status", LOAN_STATUSES),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("credit_applications.id"), unique=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("credit_customers.id"), index=True)
    disbursed_on: Mapped[date] = mapped_column(Date, index=True)
    principal: Mapped[float] = mapped_column(Float)
    annual_rate: Mapped[float] = mapped_column(Float)
    term_months: Mapped[int] = mapped_column(SmallInteger)
    status: Mapped[str] = mapped_column(String(16))
    closed_on: Mapped[date | None] = mapped_column(Date)


class LoanStanding(Base):
    """Each active loan as the watchlist and the alerts see it on one day under one model:
    repayment behaviour up to that day and the customer's score then and now. Kept by the
    refresh; live scoring updates the latest score of its customer's loans."""

    __tablename__ = "loan_standings"
    __table_args__ = (
        # The watchlist and the alerts ask for the few loans some rule catches (metric at or
        # above a threshold): read down these, not through every active loan (#26).
        Index("ix_loan_standings_days_past_due", "days_past_due"),
        Index("ix_loan_standings_missed_payments", "missed_payments"),
        Index("ix_loan_standings_score_drop", "score_drop"),
    )

    loan_id: Mapped[int] = mapped_column(
        ForeignKey("loans.id", ondelete="CASCADE"), primary_key=True
    )
    model_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("model_versions.id", ondelete="CASCADE")
    )
    as_of: Mapped[date] = mapped_column(Date)
    customer_id: Mapped[int] = mapped_column(ForeignKey("credit_customers.id"), index=True)
    region_id: Mapped[int] = mapped_column(Integer)
    principal: Mapped[float] = mapped_column(Float)
    disbursed_on: Mapped[date] = mapped_column(Date)
    days_past_due: Mapped[int] = mapped_column(Integer)
    missed_payments: Mapped[int] = mapped_column(Integer)
    score_at_loan: Mapped[int | None] = mapped_column(Integer)
    latest_score: Mapped[int | None] = mapped_column(Integer)
    # Points lost since the loan (0 if none or unknown): kept with the latest score.
    score_drop: Mapped[int] = mapped_column(Integer, server_default="0")


class Repayment(ExternalId, Base):
    __tablename__ = "repayments"
    __table_args__ = (
        Index("ix_repayments_loan_due", "loan_id", "due_on"),
        # The few unpaid instalments, for "loans in arrears" without reading the paid ones.
        Index(
            "ix_repayments_unpaid",
            "loan_id",
            "days_past_due",
            postgresql_where=text("paid_on IS NULL"),
            sqlite_where=text("paid_on IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    loan_id: Mapped[int] = mapped_column(ForeignKey("loans.id", ondelete="CASCADE"))
    due_on: Mapped[date] = mapped_column(Date, index=True)
    amount_due: Mapped[float] = mapped_column(Float)
    paid_on: Mapped[date | None] = mapped_column(Date)
    amount_paid: Mapped[float] = mapped_column(Float, default=0.0)
    days_past_due: Mapped[int] = mapped_column(SmallInteger, default=0)


class LoanBook(Base):
    """The active loan book per customer region: loans, principal and loans with an unpaid
    instalment 30 or more days past due (data.rollups). What the home page's credit KPIs
    read instead of every loan; recounted whole by the seed, the refresh and every load
    that writes loans, instalments or customers (nothing else writes them)."""

    __tablename__ = "loan_book"

    region_id: Mapped[int] = mapped_column(
        ForeignKey("regions.id", ondelete="CASCADE"), primary_key=True
    )
    loans: Mapped[int] = mapped_column(Integer)
    principal: Mapped[float] = mapped_column(Float)
    in_arrears: Mapped[int] = mapped_column(Integer)


class CustomerCount(Base):
    """Credit customers per region (data.rollups): what the portfolio counts when nothing
    narrows it, instead of every customer; recounted whole by the seed, the refresh and
    every load that writes customers (nothing else writes them)."""

    __tablename__ = "customer_counts"

    region_id: Mapped[int] = mapped_column(
        ForeignKey("regions.id", ondelete="CASCADE"), primary_key=True
    )
    customers: Mapped[int] = mapped_column(Integer)


class JourneyDay(Base):
    """Journey steps per day, region (None: a visitor who is not a customer yet), stage and
    channel: rebuilt from `journey_events` when the refresh picks up new data, and for the
    day of each step the app records itself."""

    __tablename__ = "journey_days"
    __table_args__ = (Index("ix_journey_days_day", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date)
    region_id: Mapped[int | None] = mapped_column(ForeignKey("regions.id", ondelete="CASCADE"))
    stage: Mapped[str] = mapped_column(String(16))
    channel: Mapped[str] = mapped_column(String(16))
    events: Mapped[int] = mapped_column(Integer)


class ApplicationDay(Base):
    """Financing applications and their amount per UTC day, region and status (data.rollups):
    recounted by the seed and the refresh, and for the day of each application the app
    records itself."""

    __tablename__ = "application_days"
    __table_args__ = (Index("ix_application_days_day", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date)
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(16))
    applications: Mapped[int] = mapped_column(Integer)
    amount: Mapped[float] = mapped_column(Float)


class JourneyMonth(Base):
    """Journey steps per calendar month (its first day), region, stage and channel: summed
    from `journey_days` whenever those are recounted, for the journey page's whole months."""

    __tablename__ = "journey_months"
    __table_args__ = (Index("ix_journey_months_month", "month"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    month: Mapped[date] = mapped_column(Date)
    region_id: Mapped[int | None] = mapped_column(ForeignKey("regions.id", ondelete="CASCADE"))
    stage: Mapped[str] = mapped_column(String(16))
    channel: Mapped[str] = mapped_column(String(16))
    events: Mapped[int] = mapped_column(Integer)


class JourneyEvent(ExternalId, Base):
    __tablename__ = "journey_events"
    __table_args__ = (
        choice("stage", JOURNEY_STAGES),
        choice("channel", CHANNELS),
        Index("ix_journey_events_stage_time", "stage", "occurred_at"),
        # A day's recount after each scored application reads one day of every stage.
        Index("ix_journey_events_occurred_at", "occurred_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("credit_customers.id"), index=True)
    application_id: Mapped[int | None] = mapped_column(ForeignKey("credit_applications.id"))
    stage: Mapped[str] = mapped_column(String(16))
    channel: Mapped[str] = mapped_column(String(16))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime())


ALERT_METRICS = ("days_past_due", "missed_payments", "score_drop")
ALERT_SEVERITIES = BANDS


class WatchLoan(Base):
    """Each kept loan standing the active alert rules catch, with its worst severity's rank
    (0 low to 3 critical) and its days late: the watchlist's order and count, read from a few
    narrow rows instead of every caught standing (data.loans, #26). Kept with the standings
    and the rules."""

    __tablename__ = "watch_loans"

    # Of the loan, not of its standing: rebuilding the standings (the refresh, under its
    # table lock) then cascades nothing here, where a rule write holds this table's lock and
    # checks its rows' standings (the two deadlocked on PostgreSQL). It is rebuilt whole
    # after every rebuild of the standings.
    loan_id: Mapped[int] = mapped_column(
        ForeignKey("loans.id", ondelete="CASCADE"), primary_key=True
    )
    region_id: Mapped[int] = mapped_column(Integer)
    severity_rank: Mapped[int] = mapped_column(SmallInteger)
    days_past_due: Mapped[int] = mapped_column(Integer)


class CreditAlertRule(Base):
    """An early-warning rule an admin sets: a loan whose metric reaches the threshold raises
    an alert of this severity."""

    __tablename__ = "credit_alert_rules"
    __table_args__ = (choice("metric", ALERT_METRICS), choice("severity", ALERT_SEVERITIES))

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    metric: Mapped[str] = mapped_column(String(24))
    threshold: Mapped[float] = mapped_column(Float)
    severity: Mapped[str] = mapped_column(String(16))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = created_at_column()


class CreditAlert(Base):
    """A rule that fired for a loan; raised once per rule and loan."""

    __tablename__ = "credit_alerts"
    __table_args__ = (
        UniqueConstraint("rule_id", "loan_id", name="one_alert_per_rule_and_loan"),
        choice("severity", ALERT_SEVERITIES),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    rule_id: Mapped[int] = mapped_column(ForeignKey("credit_alert_rules.id", ondelete="CASCADE"))
    loan_id: Mapped[int] = mapped_column(ForeignKey("loans.id", ondelete="CASCADE"), index=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id"), index=True)
    severity: Mapped[str] = mapped_column(String(16))
    value: Mapped[float] = mapped_column(Float)
    raised_at: Mapped[datetime] = created_at_column()


class ScoreSum(Base):
    """Scored applications of the pricing window summed per region, score and band, under
    one model and for the day the window ends (data.pricing): what the pricing page reads
    instead of a year of applications and scores."""

    __tablename__ = "score_sums"
    __table_args__ = (Index("ix_score_sums_model_day", "model_version_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    model_version_id: Mapped[int] = mapped_column(
        ForeignKey("model_versions.id", ondelete="CASCADE")
    )
    day: Mapped[date] = mapped_column(Date)
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id", ondelete="CASCADE"))
    score: Mapped[int] = mapped_column(SmallInteger)
    band: Mapped[str] = mapped_column(String(16))
    applications: Mapped[int] = mapped_column(Integer)
    amount: Mapped[float] = mapped_column(Float)
    pd_sum: Mapped[float] = mapped_column(Float)
    pd_amount: Mapped[float] = mapped_column(Float)

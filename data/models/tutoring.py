"""Tutors, students, tutoring sessions and what managers do about tutor risk."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from data.models.base import Base, ExternalId, UTCDateTime, choice, created_at_column
from vocabulary import (
    BANDS,
    INTERVENTION_KINDS,
    INTERVENTION_STATUSES,
    SESSION_STATUSES,
    TUTOR_STATUSES,
)

RISK_BANDS = BANDS


class Tutor(ExternalId, Base):
    __tablename__ = "tutors"
    __table_args__ = (choice("status", TUTOR_STATUSES),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    email: Mapped[str] = mapped_column(String(254), unique=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id"), index=True)
    subject: Mapped[str] = mapped_column(String(40), index=True)
    hired_on: Mapped[date] = mapped_column(Date)
    left_on: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="active")
    weekly_capacity: Mapped[int] = mapped_column(SmallInteger)


class Student(ExternalId, Base):
    __tablename__ = "students"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id"), index=True)
    grade: Mapped[int] = mapped_column(SmallInteger)
    enrolled_on: Mapped[date] = mapped_column(Date)


class TutoringSession(ExternalId, Base):
    __tablename__ = "tutoring_sessions"
    __table_args__ = (
        choice("status", SESSION_STATUSES),
        CheckConstraint("rating IS NULL OR (rating BETWEEN 1 AND 5)", name="rating_range"),
        Index("ix_tutoring_sessions_tutor_start", "tutor_id", "scheduled_start"),
        # The newest session that happened ("data as of"), without walking future bookings.
        Index(
            "ix_tutoring_sessions_happened",
            "scheduled_start",
            postgresql_where=text("status <> 'scheduled'"),
            sqlite_where=text("status <> 'scheduled'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tutor_id: Mapped[int] = mapped_column(ForeignKey("tutors.id"))
    student_id: Mapped[int] = mapped_column(ForeignKey("students.id"), index=True)
    scheduled_start: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    duration_minutes: Mapped[int] = mapped_column(SmallInteger)
    status: Mapped[str] = mapped_column(String(16))
    rating: Mapped[int | None] = mapped_column(SmallInteger)


class SessionDay(Base):
    """Tutoring sessions per UTC day, region and status: what the home page and the risk
    overview chart read instead of a million sessions. Sessions arrive only from outside
    the app, so the seed and the refresh's "pick up new data" step rebuild it."""

    __tablename__ = "session_days"
    __table_args__ = (Index("ix_session_days_day", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date)
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(16))
    sessions: Mapped[int] = mapped_column(Integer)
    rated: Mapped[int] = mapped_column(Integer)
    rating_sum: Mapped[int] = mapped_column(Integer)


class RiskBandCount(Base):
    """Tutors per risk band and score at each scored date, per model version and region:
    what the risk overview reads instead of every score. Written with the scores they
    count."""

    __tablename__ = "risk_band_counts"
    __table_args__ = (Index("ix_risk_band_counts_model_as_of", "model_version_id", "as_of"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    model_version_id: Mapped[int] = mapped_column(ForeignKey("model_versions.id"))
    as_of: Mapped[datetime] = mapped_column(UTCDateTime())
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id", ondelete="CASCADE"))
    band: Mapped[str] = mapped_column(String(16))
    score: Mapped[int] = mapped_column(SmallInteger)
    tutors: Mapped[int] = mapped_column(Integer)
    # The sum of their chances of leaving within 30 days: how many of them are expected to.
    expected: Mapped[float | None] = mapped_column(Float)


class ManagerNote(Base):
    __tablename__ = "manager_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    tutor_id: Mapped[int] = mapped_column(ForeignKey("tutors.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    body: Mapped[str] = mapped_column(Text)
    is_important: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class Intervention(Base):
    __tablename__ = "interventions"
    __table_args__ = (
        choice("kind", INTERVENTION_KINDS),
        choice("status", INTERVENTION_STATUSES),
        # One open intervention of each kind per tutor: a second "Plan it" is refused.
        Index(
            "uq_interventions_open_kind",
            "tutor_id",
            "kind",
            unique=True,
            postgresql_where=text("status IN ('planned', 'in_progress')"),
            sqlite_where=text("status IN ('planned', 'in_progress')"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tutor_id: Mapped[int] = mapped_column(ForeignKey("tutors.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), default="planned")
    reason: Mapped[str] = mapped_column(String(500))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    due_on: Mapped[date | None] = mapped_column(Date)
    outcome: Mapped[str | None] = mapped_column(String(1000))
    created_at: Mapped[datetime] = created_at_column()
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class TutorRiskScore(Base):
    __tablename__ = "tutor_risk_scores"
    __table_args__ = (
        choice("band", RISK_BANDS),
        Index("ix_tutor_risk_scores_asof_tutor", "as_of", "tutor_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tutor_id: Mapped[int] = mapped_column(ForeignKey("tutors.id", ondelete="CASCADE"))
    model_version_id: Mapped[int] = mapped_column(ForeignKey("model_versions.id"))
    as_of: Mapped[datetime] = mapped_column(UTCDateTime())
    probability: Mapped[float] = mapped_column(Float)
    score: Mapped[int] = mapped_column(SmallInteger)
    # Share (%) of the tutors scored on the same date with a lower probability; none for
    # scores stored before it was kept.
    percentile: Mapped[int | None] = mapped_column(SmallInteger)
    band: Mapped[str] = mapped_column(String(16))
    top_factors: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)


# The risk table's default order (likeliest to leave first) reads a page straight off this one.
Index(
    "ix_tutor_risk_scores_model_asof_probability",
    TutorRiskScore.model_version_id,
    TutorRiskScore.as_of,
    TutorRiskScore.probability.desc(),
)

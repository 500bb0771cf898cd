"""Scheduled and on-demand jobs: every run recorded, and a lease so only one runs at a time."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from data.models.base import Base, UTCDateTime, choice
from vocabulary import RUN_STATUSES

JOB_KINDS = ("refresh", "retrain")
TRIGGERS = ("schedule", "manual")


class JobRun(Base):
    """One run of a job. A scheduled run is claimed by its slot (job + fire time): a second
    scheduler firing the same slot finds it taken and does nothing."""

    __tablename__ = "job_runs"
    __table_args__ = (
        UniqueConstraint("job", "slot"),
        Index("ix_job_runs_started_at", "started_at"),
        choice("job", JOB_KINDS),
        choice("trigger", TRIGGERS),
        choice("status", RUN_STATUSES),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    job: Mapped[str] = mapped_column(String(20))
    trigger: Mapped[str] = mapped_column(String(20))
    slot: Mapped[str] = mapped_column(String(60))
    requested_by: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    status: Mapped[str] = mapped_column(String(20), default="running")
    rows: Mapped[int] = mapped_column(Integer, default=0)
    step: Mapped[str | None] = mapped_column(String(120), nullable=True)
    detail: Mapped[str | None] = mapped_column(Text, nullable=True)
    runner: Mapped[str] = mapped_column(String(120))


class JobLease(Base):
    """Held by the one process running a job; it expires, so a crashed runner frees it."""

    __tablename__ = "job_leases"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    holder: Mapped[str | None] = mapped_column(String(120), nullable=True)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)

"""Schedules, the activity feed, notifications and the audit log."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Table,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from data.models.base import Base, ExternalId, UTCDateTime, choice, created_at_column
from vocabulary import SCHEDULE_STATUSES

schedule_attendees = Table(
    "schedule_attendees",
    Base.metadata,
    Column("schedule_id", ForeignKey("schedules.id", ondelete="CASCADE"), primary_key=True),
    Column("student_id", ForeignKey("students.id"), primary_key=True, index=True),
    # Set when the session is completed: False is a no-show.
    Column("attended", Boolean, nullable=True),
)


class Room(ExternalId, Base):
    __tablename__ = "rooms"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id"), index=True)
    capacity: Mapped[int]


class Schedule(ExternalId, Base):
    __tablename__ = "schedules"
    __table_args__ = (
        choice("status", SCHEDULE_STATUSES),
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        Index("ix_schedules_host_start", "host_tutor_id", "starts_at"),
        Index("ix_schedules_room_start", "room_id", "starts_at"),
        Index("ix_schedules_host_user_start", "host_user_id", "starts_at"),
        Index("ix_schedules_region_start", "region_id", "starts_at"),
        Index("ix_schedules_start", "starts_at"),  # a calendar's days, every region (#26)
        # The host is a tutor or a mentor (a Beacon user), never both, never neither.
        CheckConstraint("(host_tutor_id IS NULL) <> (host_user_id IS NULL)", name="one_host"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(160))
    description: Mapped[str] = mapped_column(Text, default="")
    host_tutor_id: Mapped[int | None] = mapped_column(ForeignKey("tutors.id"))
    host_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id"))
    room_id: Mapped[int | None] = mapped_column(ForeignKey("rooms.id"))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    status: Mapped[str] = mapped_column(String(16), default="scheduled")
    focus: Mapped[str] = mapped_column(String(80), default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = created_at_column()
    status_changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    status_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Kept with the attendee rows (data.schedules.count_attendees, data.kept): how many
    # students are booked and how many were marked absent (not marked is not absent).
    # Utilisation's no-show rate reads these instead of joining every attendee.
    attendees: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    absent: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class _WindowSums:
    """A kept sum of utilisation's window of `window_days` whole days before `day` (UTC),
    per region (data.utilisation): what the page reads instead of every session of the
    window. Every row of a table is of the same `day`."""

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date)
    window_days: Mapped[int] = mapped_column(SmallInteger)
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id", ondelete="CASCADE"))


class HostHours(_WindowSums, Base):
    """Minutes and sessions booked (cancelled left out) per host."""

    __tablename__ = "host_hours"
    __table_args__ = (Index("ix_host_hours_day_window", "day", "window_days", "region_id"),)

    host_tutor_id: Mapped[int | None] = mapped_column(ForeignKey("tutors.id", ondelete="CASCADE"))
    host_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    minutes: Mapped[float] = mapped_column(Float)
    sessions: Mapped[int] = mapped_column(Integer)


class RoomHours(_WindowSums, Base):
    """Minutes and sessions booked (cancelled left out) per room."""

    __tablename__ = "room_hours"
    __table_args__ = (Index("ix_room_hours_day_window", "day", "window_days", "region_id"),)

    room_id: Mapped[int] = mapped_column(ForeignKey("rooms.id", ondelete="CASCADE"))
    minutes: Mapped[float] = mapped_column(Float)
    sessions: Mapped[int] = mapped_column(Integer)


class BookingDay(_WindowSums, Base):
    """Sessions, cancelled ones, and attendees and absentees of completed ones, per UTC day
    a session starts on (`on_day`)."""

    __tablename__ = "booking_days"
    __table_args__ = (Index("ix_booking_days_day_window", "day", "window_days", "region_id"),)

    on_day: Mapped[date] = mapped_column(Date)
    sessions: Mapped[int] = mapped_column(Integer)
    cancelled: Mapped[int] = mapped_column(Integer)
    expected: Mapped[int] = mapped_column(Integer)
    absent: Mapped[int] = mapped_column(Integer)


class CalendarToken(Base):
    """A secret calendar subscription address of a user; only its hash is kept."""

    __tablename__ = "calendar_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = created_at_column()
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class ActivityEvent(Base):
    __tablename__ = "activity_events"
    __table_args__ = (Index("ix_activity_events_occurred_at", "occurred_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    occurred_at: Mapped[datetime] = created_at_column()
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    area: Mapped[str] = mapped_column(String(16), index=True)
    verb: Mapped[str] = mapped_column(String(32))
    entity_type: Mapped[str] = mapped_column(String(32))
    entity_id: Mapped[int]
    region_id: Mapped[int | None] = mapped_column(ForeignKey("regions.id"), index=True)
    summary: Mapped[str] = mapped_column(String(500))


class Notification(Base):
    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_user_read", "user_id", "read_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    event_id: Mapped[int] = mapped_column(ForeignKey("activity_events.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = created_at_column()
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class AuditEntry(Base):
    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    occurred_at: Mapped[datetime] = created_at_column()
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    action: Mapped[str] = mapped_column(String(48), index=True)
    entity_type: Mapped[str | None] = mapped_column(String(32))
    entity_id: Mapped[int | None]
    ip_address: Mapped[str | None] = mapped_column(String(45))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

"""Data loads: every load of an organisation's files (command, admin page, drop folder),
with who ran it, what it read, what it counted and how it ended."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from data.models.base import Base, UTCDateTime, choice

LOAD_SOURCES = ("command", "page", "drop_folder", "api")
LOAD_OUTCOMES = ("running", "loaded", "checked", "rejected", "failed")


class DataLoad(Base):
    __tablename__ = "data_loads"
    __table_args__ = (choice("source", LOAD_SOURCES), choice("outcome", LOAD_OUTCOMES))

    id: Mapped[int] = mapped_column(primary_key=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    by: Mapped[str] = mapped_column(String(120))
    source: Mapped[str] = mapped_column(String(16))
    dry_run: Mapped[bool] = mapped_column(Boolean)
    skip_bad_rows: Mapped[bool] = mapped_column(Boolean)
    files: Mapped[list[str]] = mapped_column(JSON, default=list)
    counts: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    problems: Mapped[int] = mapped_column(Integer, default=0)
    outcome: Mapped[str] = mapped_column(String(16), default="running")
    detail: Mapped[str | None] = mapped_column(Text)
    # The process loading it (`host:pid`, data.runners): a load it leaves "running" when it
    # is killed is failed by the next load or refresh on that machine.
    runner: Mapped[str | None] = mapped_column(String(120))

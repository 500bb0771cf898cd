"""Links to a view: short share links for signed-in users, and read-only embed links.

A link stores the view and its query string: opening it shows exactly that view with those
filters. Embed links expire and can be revoked; both are checked on every request."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from data.models.base import Base, UTCDateTime, choice, created_at_column

LINK_KINDS = ("share", "embed")


class ViewLink(Base):
    __tablename__ = "view_links"
    __table_args__ = (
        Index("ix_view_links_code", "code", unique=True),
        Index("ix_view_links_created_by", "created_by"),
        choice("kind", LINK_KINDS),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(24))
    kind: Mapped[str] = mapped_column(String(10))
    view: Mapped[str] = mapped_column(String(40))
    query: Mapped[str] = mapped_column(String(1000), default="")
    created_by: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = created_at_column()
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)

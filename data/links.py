"""Share and embed links to a view (table `view_links`)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

import pandas as pd
from sqlalchemy import Connection, insert, select, update

from data.models import User, ViewLink
from data.queries.sql import read_frame

LINK_COLUMNS = (
    ViewLink.id,
    ViewLink.code,
    ViewLink.kind,
    ViewLink.view,
    ViewLink.query,
    ViewLink.created_by,
    ViewLink.expires_at,
    ViewLink.revoked_at,
)


@dataclass(frozen=True)
class Link:
    id: int
    code: str
    kind: str
    view: str
    query: str
    created_by: int
    expires_at: datetime | None
    revoked_at: datetime | None

    def live(self, moment: datetime) -> bool:
        """Not revoked and not expired at `moment`."""
        return self.revoked_at is None and (self.expires_at is None or moment < self.expires_at)


def create_link(
    *,
    conn: Connection,
    kind: str,
    view: str,
    query: str,
    created_by: int,
    now: datetime,
    expires_at: datetime | None = None,
) -> Link:
    """A new link with a random 10-character code (60 bits), unique in the table."""
    code = secrets.token_urlsafe(8)[:10]
    link_id = conn.execute(
        insert(ViewLink)
        .values(
            code=code,
            kind=kind,
            view=view,
            query=query,
            created_by=created_by,
            created_at=now,
            expires_at=expires_at,
        )
        .returning(ViewLink.id)
    ).scalar_one()
    return Link(link_id, code, kind, view, query, created_by, expires_at, None)


def find_link(
    *, conn: Connection, code: str | None = None, link_id: int | None = None
) -> Link | None:
    """A link by its code or id, live or not (None when there is no such link)."""
    if code is None and link_id is None:
        return None
    stmt = select(*LINK_COLUMNS)
    stmt = stmt.where(ViewLink.code == code) if code is not None else stmt
    stmt = stmt.where(ViewLink.id == link_id) if link_id is not None else stmt
    row = conn.execute(stmt).first()
    return Link(*row) if row else None


def revoke_link(*, conn: Connection, link_id: int, by_user: int | None, now: datetime) -> bool:
    """Revoke a link; with `by_user`, only one that user made. True when a live link changed."""
    stmt = update(ViewLink).where(ViewLink.id == link_id, ViewLink.revoked_at.is_(None))
    if by_user is not None:
        stmt = stmt.where(ViewLink.created_by == by_user)
    return conn.execute(stmt.values(revoked_at=now)).rowcount == 1


def links_table(
    *, conn: Connection, created_by: int | None = None, limit: int = 200
) -> pd.DataFrame:
    """Newest first; all users' links when `created_by` is None. Columns: id, code, kind, view,
    query, created_by, expires_at, revoked_at, creator, created_at."""
    stmt = (
        select(*LINK_COLUMNS, User.display_name.label("creator"), ViewLink.created_at)
        .join(User, User.id == ViewLink.created_by)
        .order_by(ViewLink.created_at.desc(), ViewLink.id.desc())
        .limit(limit)
    )
    if created_by is not None:
        stmt = stmt.where(ViewLink.created_by == created_by)
    return read_frame(conn, stmt, dates=["created_at", "expires_at", "revoked_at"])

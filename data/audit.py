"""The audit log: who did what, when, from where."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import pandas as pd
from sqlalchemy import Connection, func, insert, select

from data.grid import ColumnFilter, SortKey, grid_order, grid_where
from data.models import AuditEntry, User
from data.queries.sql import read_frame


def record(
    *,
    conn: Connection,
    action: str,
    now: datetime,
    user_id: int | None = None,
    entity_type: str | None = None,
    entity_id: int | None = None,
    ip: str | None = None,
    detail: dict[str, Any] | None = None,
) -> None:
    conn.execute(
        insert(AuditEntry).values(
            occurred_at=now,
            user_id=user_id,
            action=action,
            entity_type=entity_type,
            entity_id=entity_id,
            ip_address=ip,
            detail=detail or {},
        )
    )


def audit_log(
    *,
    conn: Connection,
    user_id: int | None = None,
    action: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    sort: Sequence[SortKey] = (),
    filters: Sequence[ColumnFilter] = (),
    limit: int = 50,
    offset: int = 0,
) -> tuple[pd.DataFrame, int]:
    """One page of audit entries, newest first unless `sort` says otherwise, and the number
    of entries that match. `sort` and `filters` (a grid's) work on occurred_at, email,
    action and ip_address.

    Columns: occurred_at (datetime64 UTC), email (str or None), action, entity_type,
    entity_id, ip_address, detail (dict).
    """
    conditions = []
    if user_id is not None:
        conditions.append(AuditEntry.user_id == user_id)
    if action:
        conditions.append(AuditEntry.action.startswith(action, autoescape=True))
    if since is not None:
        conditions.append(AuditEntry.occurred_at >= since)
    if until is not None:
        conditions.append(AuditEntry.occurred_at < until)
    shown = {
        "occurred_at": AuditEntry.occurred_at,
        "email": User.email,
        "action": AuditEntry.action,
        "ip_address": AuditEntry.ip_address,
    }
    conditions += grid_where(filters, shown)
    counted = select(func.count()).select_from(AuditEntry)
    if any(f.column == "email" for f in filters):
        counted = counted.outerjoin(User, User.id == AuditEntry.user_id)
    total = conn.execute(counted.where(*conditions)).scalar_one()
    order = grid_order(sort or [SortKey("occurred_at", True)], shown)
    page = read_frame(
        conn,
        (
            select(
                AuditEntry.occurred_at,
                User.email,
                AuditEntry.action,
                AuditEntry.entity_type,
                AuditEntry.entity_id,
                AuditEntry.ip_address,
                AuditEntry.detail,
            )
            .outerjoin(User, User.id == AuditEntry.user_id)
            .where(*conditions)
            .order_by(*order, AuditEntry.id.desc())
            .limit(limit)
            .offset(offset)
        ),
    )
    return page, int(total)


def audit_actions(*, conn: Connection) -> list[str]:
    return list(
        conn.execute(select(AuditEntry.action).distinct().order_by(AuditEntry.action)).scalars()
    )

"""Webhook endpoints and deliveries: typed reads and writes, no rules."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pandas as pd
from sqlalchemy import Connection, insert, select, update

from data.api_tokens import usable
from data.models import ApiToken, Role, User, WebhookDelivery, WebhookEndpoint
from data.queries.sql import read_frame


@dataclass(frozen=True)
class Listener:
    """A live endpoint, with the scope of its token."""

    endpoint_id: int
    events: tuple[str, ...]
    role: str
    region_ids: tuple[int, ...]


def add_endpoint(
    *,
    conn: Connection,
    name: str,
    url: str,
    events: list[str],
    token_id: int,
    salt: str,
    created_by: int,
    now: datetime,
) -> int:
    return int(
        conn.execute(
            insert(WebhookEndpoint)
            .values(
                name=name,
                url=url,
                events=events,
                token_id=token_id,
                salt=salt,
                created_by=created_by,
                created_at=now,
            )
            .returning(WebhookEndpoint.id)
        ).scalar_one()
    )


def disable_endpoint(*, conn: Connection, endpoint_id: int, now: datetime) -> str | None:
    """Disable an endpoint; its name, or None when there is no such enabled endpoint."""
    name = conn.execute(
        select(WebhookEndpoint.name).where(
            WebhookEndpoint.id == endpoint_id, WebhookEndpoint.disabled_at.is_(None)
        )
    ).scalar_one_or_none()
    if name is not None:
        conn.execute(
            update(WebhookEndpoint).where(WebhookEndpoint.id == endpoint_id).values(disabled_at=now)
        )
    return name


def listeners(*, conn: Connection, now: datetime) -> list[Listener]:
    """Enabled endpoints whose token is live (not revoked or expired, its owner active)."""
    rows = conn.execute(
        select(WebhookEndpoint.id, WebhookEndpoint.events, ApiToken.role, ApiToken.region_ids)
        .join(ApiToken, ApiToken.id == WebhookEndpoint.token_id)
        .join(User, User.id == ApiToken.created_by)
        .join(Role, Role.id == User.role_id)
        .where(WebhookEndpoint.disabled_at.is_(None), *usable(now))
    ).all()
    return [
        Listener(row.id, tuple(row.events or ()), row.role, tuple(row.region_ids or ()))
        for row in rows
    ]


def enqueue(*, conn: Connection, deliveries: Sequence[dict[str, Any]], now: datetime) -> int:
    """Deliveries to send: each endpoint_id, event, event_id and body."""
    if deliveries:
        conn.execute(
            insert(WebhookDelivery),
            [
                d | {"created_at": now, "status": "pending", "attempts": 0, "next_attempt_at": now}
                for d in deliveries
            ],
        )
    return len(deliveries)


@dataclass(frozen=True)
class Due:
    id: int
    endpoint_id: int
    url: str
    salt: str
    event: str
    event_id: str
    body: str
    attempts: int


def due(*, conn: Connection, now: datetime, limit: int) -> list[Due]:
    rows = conn.execute(
        select(
            WebhookDelivery.id,
            WebhookDelivery.endpoint_id,
            WebhookEndpoint.url,
            WebhookEndpoint.salt,
            WebhookDelivery.event,
            WebhookDelivery.event_id,
            WebhookDelivery.body,
            WebhookDelivery.attempts,
        )
        .join(WebhookEndpoint, WebhookEndpoint.id == WebhookDelivery.endpoint_id)
        .join(ApiToken, ApiToken.id == WebhookEndpoint.token_id)
        .join(User, User.id == ApiToken.created_by)
        .join(Role, Role.id == User.role_id)
        .where(
            WebhookDelivery.status == "pending",
            WebhookDelivery.next_attempt_at <= now,
            WebhookEndpoint.disabled_at.is_(None),
            *usable(now),  # a revoked token's queued events are not sent either
        )
        .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id)
        .limit(limit)
    ).all()
    return [Due(*row) for row in rows]


def claim(*, conn: Connection, delivery_id: int, seen_at: datetime, until: datetime) -> bool:
    """Take a due delivery for one attempt (another worker that saw it too gets False)."""
    done = conn.execute(
        update(WebhookDelivery)
        .where(
            WebhookDelivery.id == delivery_id,
            WebhookDelivery.status == "pending",
            WebhookDelivery.next_attempt_at <= seen_at,
        )
        .values(next_attempt_at=until)
    )
    return done.rowcount == 1


def record_attempt(
    *,
    conn: Connection,
    delivery_id: int,
    after: int,
    status: str,
    attempts: int,
    code: int | None,
    error: str | None,
    next_attempt_at: datetime | None,
    now: datetime,
) -> None:
    """Record the attempt that followed attempt number `after`; a worker that lost its claim
    (the delivery moved on meanwhile) changes nothing."""
    conn.execute(
        update(WebhookDelivery)
        .where(
            WebhookDelivery.id == delivery_id,
            WebhookDelivery.attempts == after,
            WebhookDelivery.status == "pending",
        )
        .values(
            status=status,
            attempts=attempts,
            last_status=code,
            last_error=error,
            next_attempt_at=next_attempt_at,
            delivered_at=now if status == "delivered" else None,
        )
    )


def endpoints(*, conn: Connection) -> pd.DataFrame:
    """Every endpoint, newest first. Columns: id, name, url, events (list), token, created_by,
    created_at, disabled_at."""
    return read_frame(
        conn,
        select(
            WebhookEndpoint.id,
            WebhookEndpoint.name,
            WebhookEndpoint.url,
            WebhookEndpoint.events,
            ApiToken.name.label("token"),
            User.email.label("created_by"),
            WebhookEndpoint.created_at,
            WebhookEndpoint.disabled_at,
        )
        .join(ApiToken, ApiToken.id == WebhookEndpoint.token_id)
        .join(User, User.id == WebhookEndpoint.created_by)
        .order_by(WebhookEndpoint.id.desc()),
    )


def delivery_log(
    *, conn: Connection, limit: int = 100, endpoint_id: int | None = None
) -> pd.DataFrame:
    """The newest deliveries. Columns: id, endpoint, event, event_id, created_at, status,
    attempts, last_status, last_error, next_attempt_at, delivered_at."""
    statement = (
        select(
            WebhookDelivery.id,
            WebhookEndpoint.name.label("endpoint"),
            WebhookDelivery.event,
            WebhookDelivery.event_id,
            WebhookDelivery.created_at,
            WebhookDelivery.status,
            WebhookDelivery.attempts,
            WebhookDelivery.last_status,
            WebhookDelivery.last_error,
            WebhookDelivery.next_attempt_at,
            WebhookDelivery.delivered_at,
        )
        .join(WebhookEndpoint, WebhookEndpoint.id == WebhookDelivery.endpoint_id)
        .where(*([] if endpoint_id is None else [WebhookDelivery.endpoint_id == endpoint_id]))
        .order_by(WebhookDelivery.id.desc())
        .limit(limit)
    )
    return read_frame(conn, statement)

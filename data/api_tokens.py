"""API tokens and idempotent requests: typed reads and writes, no rules."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pandas as pd
from sqlalchemy import Connection, and_, delete, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from data.models import ApiToken, IdempotentRequest, Role, User
from data.queries.sql import read_frame


@dataclass(frozen=True)
class LiveToken:
    """A token that may be used now, with the account that owns it."""

    id: int
    name: str
    role: str
    region_ids: tuple[int, ...]
    ip_allow: tuple[str, ...]
    owner_id: int
    last_used_at: datetime | None


def add_token(
    *,
    conn: Connection,
    name: str,
    prefix: str,
    token_hash: str,
    role: str,
    region_ids: list[int],
    ip_allow: list[str],
    created_by: int,
    now: datetime,
    expires_at: datetime,
) -> int:
    return int(
        conn.execute(
            insert(ApiToken)
            .values(
                name=name,
                prefix=prefix,
                token_hash=token_hash,
                role=role,
                region_ids=region_ids,
                ip_allow=ip_allow,
                created_by=created_by,
                created_at=now,
                expires_at=expires_at,
            )
            .returning(ApiToken.id)
        ).scalar_one()
    )


def usable(now: datetime) -> list[Any]:
    """What makes a token usable now: neither revoked nor expired, and its owner still an
    active admin (an admin who is demoted or leaves takes their tokens along). Join `User`
    on the owner and `Role` on the user's role."""
    return [
        ApiToken.revoked_at.is_(None),
        ApiToken.expires_at > now,
        User.is_active.is_(True),
        Role.name == "admin",
    ]


def live_token(*, conn: Connection, token_hash: str, now: datetime) -> LiveToken | None:
    """The token with this hash when it is usable now (`usable`); None otherwise."""
    row = conn.execute(
        select(
            ApiToken.id,
            ApiToken.name,
            ApiToken.role,
            ApiToken.region_ids,
            ApiToken.ip_allow,
            ApiToken.created_by,
            ApiToken.last_used_at,
        )
        .join(User, User.id == ApiToken.created_by)
        .join(Role, Role.id == User.role_id)
        .where(ApiToken.token_hash == token_hash, *usable(now))
    ).one_or_none()
    if row is None:
        return None
    return LiveToken(
        id=row.id,
        name=row.name,
        role=row.role,
        region_ids=tuple(row.region_ids or ()),
        ip_allow=tuple(row.ip_allow or ()),
        owner_id=row.created_by,
        last_used_at=row.last_used_at,
    )


def touch_token(*, conn: Connection, token_id: int, ip: str | None, now: datetime) -> None:
    conn.execute(
        update(ApiToken).where(ApiToken.id == token_id).values(last_used_at=now, last_used_ip=ip)
    )


def revoke_token(*, conn: Connection, token_id: int, now: datetime) -> bool:
    """Revoke a token; False when there is no such live token."""
    done = conn.execute(
        update(ApiToken)
        .where(ApiToken.id == token_id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    return done.rowcount == 1


def token_name(*, conn: Connection, token_id: int) -> str | None:
    return conn.execute(select(ApiToken.name).where(ApiToken.id == token_id)).scalar_one_or_none()


def tokens(*, conn: Connection) -> pd.DataFrame:
    """Every token, newest first. Columns: id, name, prefix, role, region_ids (list),
    ip_allow (list), created_by (email), created_at, expires_at, revoked_at, last_used_at,
    last_used_ip."""
    return read_frame(
        conn,
        select(
            ApiToken.id,
            ApiToken.name,
            ApiToken.prefix,
            ApiToken.role,
            ApiToken.region_ids,
            ApiToken.ip_allow,
            User.email.label("created_by"),
            ApiToken.created_at,
            ApiToken.expires_at,
            ApiToken.revoked_at,
            ApiToken.last_used_at,
            ApiToken.last_used_ip,
        )
        .join(User, User.id == ApiToken.created_by)
        .order_by(ApiToken.id.desc()),
    )


@dataclass(frozen=True)
class KeptAnswer:
    fingerprint: str
    status: int | None  # None: the first request is still being worked on
    body: str | None
    headers: dict[str, Any]


def claim_key(
    *,
    conn: Connection,
    token_id: int,
    key: str,
    fingerprint: str,
    now: datetime,
    kept_since: datetime,
    claim_since: datetime,
) -> KeptAnswer | None:
    """Claim an idempotency key for a new request: None when it is ours now, else what the
    earlier request with this key left (its answer, or that it is still running). Answers
    from before `kept_since`, and claims from before `claim_since` that never got an answer,
    are forgotten first: the key may be used afresh."""
    conn.execute(
        delete(IdempotentRequest).where(
            IdempotentRequest.token_id == token_id,
            or_(
                IdempotentRequest.created_at < kept_since,
                and_(
                    IdempotentRequest.status.is_(None), IdempotentRequest.created_at < claim_since
                ),
            ),
        )
    )
    try:
        with conn.begin_nested():
            conn.execute(
                insert(IdempotentRequest).values(
                    token_id=token_id, key=key, fingerprint=fingerprint, created_at=now, headers={}
                )
            )
        return None
    except IntegrityError:
        row = conn.execute(
            select(
                IdempotentRequest.fingerprint,
                IdempotentRequest.status,
                IdempotentRequest.body,
                IdempotentRequest.headers,
            ).where(IdempotentRequest.token_id == token_id, IdempotentRequest.key == key)
        ).one()
        return KeptAnswer(row.fingerprint, row.status, row.body, dict(row.headers or {}))


def keep_answer(
    *,
    conn: Connection,
    token_id: int,
    key: str,
    status: int,
    body: str,
    headers: dict[str, Any],
) -> None:
    conn.execute(
        update(IdempotentRequest)
        .where(IdempotentRequest.token_id == token_id, IdempotentRequest.key == key)
        .values(status=status, body=body, headers=headers)
    )


def release_key(*, conn: Connection, token_id: int, key: str) -> None:
    """Forget a claim whose request did not finish (it failed): a retry may run it again."""
    conn.execute(
        delete(IdempotentRequest).where(
            IdempotentRequest.token_id == token_id, IdempotentRequest.key == key
        )
    )


def live_token_ids(*, conn: Connection, now: datetime) -> list[int]:
    return list(
        conn.execute(
            select(ApiToken.id)
            .join(User, User.id == ApiToken.created_by)
            .join(Role, Role.id == User.role_id)
            .where(*usable(now))
        ).scalars()
    )

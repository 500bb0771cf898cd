"""What every action shares: who acts, how a refusal looks, and the audit entry that is
written in the same transaction as the change it records."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from data import accounts
from data import audit as audit_log
from data.engine import connect


@dataclass(frozen=True)
class Actor:
    """The person (or token) an action runs for. `region_ids` None: every region."""

    user_id: int
    display_name: str
    role: str
    region_ids: tuple[int, ...] | None = None
    ip: str | None = None
    token_id: int | None = None  # acting through an API token (user_id is its owner)

    def may(self, roles: Sequence[str]) -> bool:
        return self.role in roles

    def sees(self, region_id: int | None) -> bool:
        return self.region_ids is None or region_id is None or region_id in self.region_ids


def stored_actor(*, user_id: int, ip: str | None = None) -> Actor | None:
    """The actor for work queued by a signed-in user (a background job has no request): their
    role and regions as the database holds them now, and the address the work was asked from
    (`ip`, for the audit log); None when the account is gone or off."""
    with connect() as conn:
        account = accounts.account_by_id(conn=conn, user_id=user_id)
    if account is None or not account.is_active:
        return None
    return Actor(
        user_id=account.id,
        display_name=account.display_name,
        role=account.role,
        region_ids=account.region_ids if account.role == "manager" else None,
        ip=ip,
    )


def is_id(value: object) -> bool:
    """A whole number as ids come from a form or a request (True and False are not ids)."""
    return isinstance(value, int) and not isinstance(value, bool)


@dataclass(frozen=True)
class Refused:
    """The action was not done. `message` is written for the person; `denied` marks a
    request they were never allowed to make (forged ids, another region): the caller
    answers it as an access refusal and audits `detail`."""

    message: str
    denied: bool = False
    detail: dict[str, Any] = field(default_factory=dict)


def record(
    conn: Connection,
    actor: Actor,
    action: str,
    *,
    now: datetime,
    entity_type: str | None = None,
    entity_id: int | None = None,
    **detail: Any,
) -> None:
    """The audit entry of a change, inside the change's own transaction."""
    audit_log.record(
        conn=conn,
        action=action,
        now=now,
        user_id=actor.user_id,
        entity_type=entity_type,
        entity_id=entity_id,
        ip=actor.ip,
        detail=detail if actor.token_id is None else {**detail, "token": actor.token_id},
    )

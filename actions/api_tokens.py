"""API tokens: an admin creates one for a system (shown once, stored hashed) and revokes it.
A token acts with its own role and region scope, never more than a user with them could."""

from __future__ import annotations

import ipaddress
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from actions.base import Actor, Refused, is_id, record
from actions.users import known_regions
from auth.tokens import token_hash
from data import api_tokens
from data.engine import transaction
from vocabulary import ROLES

ADMINS = ("admin",)
TOKEN_PREFIX = "bcn_"
MAX_DAYS = 366


@dataclass(frozen=True)
class NewToken:
    token_id: int
    secret: str  # shown once: only its hash is kept
    expires_at: datetime


def new_secret() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def networks(values: list[str] | str | None) -> list[str] | None:
    """The allow-list as networks ('10.0.0.0/8', '192.0.2.7'), or None when one is not an
    address or a network. Empty: from anywhere."""
    if values is None:
        return []
    items = values.replace(",", " ").split() if isinstance(values, str) else list(values)
    try:
        return [str(ipaddress.ip_network(str(v).strip(), strict=False)) for v in items if v]
    except ValueError:
        return None


def token_problems(
    *, name: str, role: object, regions: list[int] | None, days: object, allow: list[str] | None
) -> list[str]:
    return [
        p
        for p in (
            None if 1 <= len(name) <= 80 else "Name: write 1 to 80 characters.",
            None if role in ROLES else "Role: choose admin, manager, analyst or viewer.",
            None if regions is not None else "Regions: choose regions from the list.",
            None
            if role != "manager" or regions
            else "Regions: a manager's token needs at least one region.",
            None
            if is_id(days) and 1 <= days <= MAX_DAYS  # type: ignore[operator]
            else f"Expires: choose 1 to {MAX_DAYS} days.",
            None
            if allow is not None
            else "Allowed addresses: write addresses or networks like 203.0.113.0/24.",
        )
        if p
    ]


def create_token(
    *,
    actor: Actor,
    name: str | None,
    role: object,
    regions: object,
    days: object,
    allow: list[str] | str | None,
    now: datetime,
) -> NewToken | Refused:
    if not actor.may(ADMINS):
        return Refused("Only admins create API tokens.", denied=True, detail={"what": "token"})
    name = (name or "").strip()
    chosen = known_regions(regions)
    allowed = networks(allow)
    problems = token_problems(name=name, role=role, regions=chosen, days=days, allow=allowed)
    if problems:
        return Refused(" ".join(problems))
    assert chosen is not None and allowed is not None and isinstance(days, int)
    scope = sorted(set(chosen)) if role == "manager" else []  # other roles see every region
    secret = new_secret()
    expires_at = now + timedelta(days=days)
    with transaction() as conn:
        token_id = api_tokens.add_token(
            conn=conn,
            name=name,
            prefix=secret[:12],
            token_hash=token_hash(secret),
            role=str(role),
            region_ids=scope,
            ip_allow=allowed,
            created_by=actor.user_id,
            now=now,
            expires_at=expires_at,
        )
        record(
            conn,
            actor,
            "api_token.created",
            now=now,
            entity_type="api_token",
            entity_id=token_id,
            name=name,
            role=role,
            regions=scope,
            expires_at=expires_at.isoformat(),
            allow=allowed,
        )
    return NewToken(token_id=token_id, secret=secret, expires_at=expires_at)


def revoke_token(*, actor: Actor, token_id: object, now: datetime) -> str | Refused:
    if not actor.may(ADMINS):
        return Refused("Only admins revoke API tokens.", denied=True, detail={"what": "token"})
    if token_id is None:
        return Refused("Choose the token to revoke.")
    if not is_id(token_id):
        return Refused("Choose a token from the list.", denied=True, detail={"what": "token"})
    assert isinstance(token_id, int)
    with transaction() as conn:
        name = api_tokens.token_name(conn=conn, token_id=token_id)
        if name is None or not api_tokens.revoke_token(conn=conn, token_id=token_id, now=now):
            return Refused("That token is revoked already.")
        record(
            conn,
            actor,
            "api_token.revoked",
            now=now,
            entity_type="api_token",
            entity_id=token_id,
            name=name,
        )
    return f"Token “{name}” is revoked: it stops working at once."

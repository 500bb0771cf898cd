"""What a signed-in person does to their own account: end another of their sessions, make
or revoke their calendar subscription address."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime
from typing import Any

from actions.base import Actor, Refused, is_id, record
from data import accounts, activity, preferences, schedules
from data.engine import transaction


def end_session(
    *, actor: Actor, session_id: Any, current_session: int | None, now: datetime
) -> bool | Refused:
    """True when one of the actor's own sessions ended; another user's id ends nothing."""
    if not is_id(session_id):
        return False
    if session_id == current_session:
        return Refused("Use Sign out to end this session.")
    with transaction() as conn:
        ended = accounts.revoke_sessions(
            conn=conn, user_id=actor.user_id, session_id=session_id, now=now
        )
        if ended:
            record(
                conn, actor, "session.revoked", now=now, entity_type="session", entity_id=session_id
            )
    return bool(ended)


def replace_calendar_address(*, actor: Actor, make_new: bool, now: datetime) -> str | None:
    """A new secret calendar token (returned once; only its hash is kept), which revokes the
    old one; or, with `make_new` False, just the revocation (None)."""
    token = secrets.token_urlsafe(32) if make_new else None
    with transaction() as conn:
        schedules.replace_token(
            conn=conn,
            user_id=actor.user_id,
            token_hash=hashlib.sha256(token.encode()).hexdigest() if token else None,
            now=now,
        )
        record(
            conn,
            actor,
            "calendar.subscription_made" if make_new else "calendar.subscription_revoked",
            now=now,
        )
    return token


PREFERENCES = ("theme", "pe_dashboard", "auto_refresh")  # kept for oneself, per account
REFRESH_MINUTES = {"off": None, "1": 1, "5": 5, "15": 15}  # the auto_refresh choices


def save_preference(*, actor: Actor, name: str, value: Any) -> None:
    """One of the actor's own preferences (a theme, a PE board the caller has validated).
    Not audited: it changes nothing anyone else sees."""
    if name not in PREFERENCES:
        raise ValueError(f"name must be one of {PREFERENCES}; got {name!r}")
    with transaction() as conn:
        preferences.save_preference(conn=conn, user_id=actor.user_id, name=name, value=value)


def mark_read(*, actor: Actor, notification_ids: list[int] | None, now: datetime) -> int:
    """Mark some (None: all) of the actor's own notifications read; another user's ids
    change nothing. How many changed."""
    with transaction() as conn:
        return activity.mark_read(
            conn=conn, user_id=actor.user_id, now=now, notification_ids=notification_ids
        )

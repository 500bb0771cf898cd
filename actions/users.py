"""Accounts: the first admin an operator creates at the command line."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from actions.base import Actor, Refused
from auth.passwords import hash_password, policy_problem
from data import accounts
from data import audit as audit_log
from data.engine import transaction


@dataclass(frozen=True)
class Created:
    user_id: int
    email: str


def create_admin(
    *, actor: Actor | None, email: str, display_name: str, password: str, now: datetime
) -> Created | Refused:
    """A local admin account with a password that passes the policy. `actor` None: the
    operator at the command line (`python -m beacon create-admin`), audited as such."""
    if actor is not None and not actor.may(("admin",)):
        return Refused("Only an admin creates admin accounts.", denied=True)
    email = email.strip().lower()
    if "@" not in email.strip("@") or len(email) > 254 or any(c.isspace() for c in email):
        return Refused(f"{email!r} is not an email address.")
    display_name = display_name.strip() or email.split("@")[0]
    problem = policy_problem(password, user_inputs=(email, display_name))
    if problem:
        return Refused(f"Password refused: {problem}")
    with transaction() as conn:
        existing = accounts.account_by_email(conn=conn, email=email)
        if existing:
            return Refused(
                f"{email} already has an account (role {existing.role}). "
                "Sign in with it, or use 'Forgot your password?' on the sign-in page."
            )
        user_id = accounts.create_account(
            conn=conn,
            email=email,
            display_name=display_name[:120],
            role="admin",
            password_hash=hash_password(password),
        )
        audit_log.record(
            conn=conn,
            action="user.created",
            now=now,
            user_id=actor.user_id if actor else None,
            entity_type="user",
            entity_id=user_id,
            ip=actor.ip if actor else None,
            detail={"email": email, "role": "admin", "by": actor.display_name if actor else "cli"},
        )
    return Created(user_id=user_id, email=email)

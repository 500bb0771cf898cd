"""Accounts: invite a user, change a user's role, regions and access, and the first admin an
operator creates at the command line. Admins only; each change is audited in its own
transaction, and the invitation mail leaves after the commit."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from actions.base import Actor, Refused, is_id, record
from auth.access import ROLES
from auth.passwords import hash_password, policy_problem
from data import accounts
from data import audit as audit_log
from data.engine import connect, transaction

ADMINS = ("admin",)
EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")


@dataclass(frozen=True)
class Created:
    user_id: int
    email: str
    resent: bool = False  # an invitation not yet taken up, sent again


@dataclass(frozen=True)
class Changed:
    message: str
    changes: dict[str, Any]


def email_problem(email: str) -> str | None:
    if not EMAIL.match(email) or len(email) > 254:
        return "Enter a valid email address."
    return None


def known_regions(values: object) -> list[int] | None:
    """The region ids chosen, when every one exists (None otherwise: forged or stale)."""
    if values is None:
        return []
    if not isinstance(values, Sequence) or isinstance(values, str):
        return None
    try:
        chosen = [int(v) for v in values]
    except (TypeError, ValueError):
        return None
    with connect() as conn:
        known = set(accounts.regions_table(conn=conn)["id"].astype(int))
    return chosen if set(chosen) <= known else None


# A manager sees their regions only: with none, every page read as empty, like missing data.
NO_REGION = "A manager needs at least one region: choose the regions they look after."


def invite_user(
    *,
    actor: Actor,
    email: str | None,
    name: str | None,
    role: Any,
    regions: object,
    now: datetime,
) -> Created | Refused:
    """A new account without a password; the invitation mail lets them choose one."""
    if not actor.may(ADMINS):
        return Refused("Only admins invite users.", denied=True)
    email = (email or "").strip().lower()
    name = (name or "").strip()
    chosen = known_regions(regions)
    problems = [
        p
        for p in (
            email_problem(email),
            None if name and len(name) <= 120 else "Enter a name (up to 120 characters).",
            None if role in ROLES else "Choose a role.",
            None if chosen is not None else "Choose regions from the list.",
            NO_REGION if role == "manager" and chosen == [] else None,
        )
        if p
    ]
    if problems:
        return Refused(" ".join(problems))
    with transaction() as conn:
        existing = accounts.account_by_email(conn=conn, email=email)
        if existing and not _waiting(existing):
            return Refused(f"{email} already has an account.")
        if existing:  # invited, never signed up: invited again, as asked, with a new link
            accounts.set_display_name(conn=conn, user_id=existing.id, name=name)
            accounts.set_role(conn=conn, user_id=existing.id, role=role)
            accounts.set_regions(conn=conn, user_id=existing.id, region_ids=chosen or [])
            accounts.expire_password_links(
                conn=conn, user_id=existing.id, purpose="invite", now=now
            )
            record(
                conn,
                actor,
                "user.invite_resent",
                now=now,
                entity_type="user",
                entity_id=existing.id,
                email=email,
                role=role,
                regions=chosen,
            )
    if existing:
        from auth.outbox import password_link_later

        password_link_later(email=email, purpose="invite", ip=actor.ip)
        return Created(user_id=existing.id, email=email, resent=True)
    with transaction() as conn:
        user_id = accounts.create_account(
            conn=conn, email=email, display_name=name, role=role, region_ids=chosen or []
        )
        record(
            conn,
            actor,
            "user.invited",
            now=now,
            entity_type="user",
            entity_id=user_id,
            email=email,
            role=role,
            regions=chosen,
        )
    from auth.outbox import password_link_later  # after the commit: no mail for a rollback

    password_link_later(email=email, purpose="invite", ip=actor.ip)
    return Created(user_id=user_id, email=email)


def _waiting(account: accounts.Account) -> bool:
    """Invited and never signed up: active, with no password and no sign-in provider."""
    return account.is_active and account.password_hash is None and account.oidc_subject is None


def change_user(
    *, actor: Actor, user_id: Any, role: Any, regions: object, active: Any, now: datetime
) -> Changed | Refused:
    """Role, regions and whether the account may sign in; disabling ends its sessions."""
    if not actor.may(ADMINS):
        return Refused("Only admins change users.", denied=True)
    chosen = known_regions(regions)
    if not is_id(user_id):
        return Refused("Choose a user from the list.")
    if chosen is None:
        return Refused("Choose regions from the list.")
    if role not in ROLES or not isinstance(active, bool):
        return Refused("Choose a role.")
    if role == "manager" and not chosen:
        return Refused(NO_REGION)
    if user_id == actor.user_id and (role != "admin" or not active):
        return Refused("You cannot remove your own admin role or disable yourself.")
    with transaction() as conn:
        before = accounts.account_by_id(conn=conn, user_id=user_id)
        if before is None:
            return Refused("That user no longer exists.")
        accounts.set_role(conn=conn, user_id=user_id, role=role)
        accounts.set_regions(conn=conn, user_id=user_id, region_ids=chosen)
        if active != before.is_active:
            accounts.set_active(conn=conn, user_id=user_id, active=active, now=now)
        pairs = {
            "role": (before.role, role),
            "regions": (list(before.region_ids), sorted(chosen)),
            "active": (before.is_active, active),
        }
        changed = {k: {"before": b, "after": a} for k, (b, a) in pairs.items() if b != a}
        if changed:
            record(
                conn,
                actor,
                "user.changed",
                now=now,
                entity_type="user",
                entity_id=user_id,
                **changed,
            )
    message = "Saved." if changed else "Nothing changed."
    if "active" in changed and not active:
        message += " The account is disabled and every session of it has ended."
    return Changed(message=message, changes=changed)


def create_admin(
    *, actor: Actor | None, email: str, display_name: str, password: str, now: datetime
) -> Created | Refused:
    """A local admin account with a password that passes the policy. `actor` None: the
    operator at the command line (`python -m beacon create-admin`), audited as such."""
    if actor is not None and not actor.may(ADMINS):
        return Refused("Only an admin creates admin accounts.", denied=True)
    email = email.strip().lower()
    if email_problem(email):
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

"""Users, their sign-in sessions and password tokens.

Single records come back as frozen dataclasses (an account is one thing, not a
table); lists for admin pages come back as DataFrames. Every write runs inside
the caller's transaction (`data.engine.transaction()`), so a multi-row change
is all or nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pandas as pd
from sqlalchemy import Connection, delete, func, insert, select, update

from data.models import PasswordToken, Region, Role, User, UserSession, user_regions
from data.queries.sql import read_frame


@dataclass(frozen=True)
class Account:
    id: int
    email: str
    display_name: str
    role: str
    is_active: bool
    password_hash: str | None
    oidc_issuer: str | None
    oidc_subject: str | None
    region_ids: tuple[int, ...]


_ACCOUNT_COLUMNS = (  # an Account's fields but its regions, in order (users joined to roles)
    User.id,
    User.email,
    User.display_name,
    Role.name.label("role"),
    User.is_active,
    User.password_hash,
    User.oidc_issuer,
    User.oidc_subject,
)


def _account_of(row: Any, region_ids: Sequence[int]) -> Account:
    """The Account of a row holding `_ACCOUNT_COLUMNS`, read by name."""
    fields = {c.key: getattr(row, c.key) for c in _ACCOUNT_COLUMNS}
    return Account(**fields, region_ids=tuple(region_ids))


def _accounts(conn: Connection, *conditions) -> list[Account]:  # type: ignore[no-untyped-def]
    rows = conn.execute(
        select(*_ACCOUNT_COLUMNS).join(Role, Role.id == User.role_id).where(*conditions)
    ).all()
    if not rows:
        return []
    regions: dict[int, list[int]] = {}
    for user_id, region_id in conn.execute(
        select(user_regions.c.user_id, user_regions.c.region_id)
        .where(user_regions.c.user_id.in_([r.id for r in rows]))
        .order_by(user_regions.c.region_id)
    ):
        regions.setdefault(user_id, []).append(region_id)
    return [_account_of(row, regions.get(row.id, ())) for row in rows]


def account_by_email(*, conn: Connection, email: str) -> Account | None:
    found = _accounts(conn, func.lower(User.email) == email.strip().lower())
    return found[0] if found else None


def admin_ids(*, conn: Connection) -> list[int]:
    """Active admins: they manage users and hear of the system's own trouble."""
    return list(
        conn.execute(
            select(User.id)
            .join(Role, Role.id == User.role_id)
            .where(Role.name == "admin", User.is_active.is_(True))
            .order_by(User.id)
        ).scalars()
    )


def user_ids_with_roles(*, conn: Connection, roles: Sequence[str]) -> list[int]:
    """Active users of these roles (to notify of what concerns their work)."""
    return list(
        conn.execute(
            select(User.id)
            .join(Role, Role.id == User.role_id)
            .where(Role.name.in_(list(roles)), User.is_active.is_(True))
            .order_by(User.id)
        ).scalars()
    )


def account_by_id(*, conn: Connection, user_id: int) -> Account | None:
    found = _accounts(conn, User.id == user_id)
    return found[0] if found else None


def account_by_identity(*, conn: Connection, issuer: str, subject: str) -> Account | None:
    found = _accounts(conn, User.oidc_issuer == issuer, User.oidc_subject == subject)
    return found[0] if found else None


def create_account(
    *,
    conn: Connection,
    email: str,
    display_name: str,
    role: str,
    region_ids: Sequence[int] = (),
    password_hash: str | None = None,
    issuer: str | None = None,
    subject: str | None = None,
) -> int:
    role_id = conn.execute(select(Role.id).where(Role.name == role)).scalar_one()
    user_id = conn.execute(
        insert(User)
        .values(
            email=email.strip().lower(),
            display_name=display_name,
            role_id=role_id,
            password_hash=password_hash,
            oidc_issuer=issuer,
            oidc_subject=subject,
            is_active=True,
        )
        .returning(User.id)
    ).scalar_one()
    set_regions(conn=conn, user_id=user_id, region_ids=region_ids)
    return int(user_id)


def set_regions(*, conn: Connection, user_id: int, region_ids: Sequence[int]) -> None:
    conn.execute(delete(user_regions).where(user_regions.c.user_id == user_id))
    if region_ids:
        conn.execute(
            insert(user_regions),
            [{"user_id": user_id, "region_id": r} for r in sorted(set(region_ids))],
        )


def set_display_name(*, conn: Connection, user_id: int, name: str) -> None:
    conn.execute(update(User).where(User.id == user_id).values(display_name=name))


def set_role(*, conn: Connection, user_id: int, role: str) -> None:
    role_id = select(Role.id).where(Role.name == role).scalar_subquery()
    conn.execute(update(User).where(User.id == user_id).values(role_id=role_id))


def set_active(*, conn: Connection, user_id: int, active: bool, now: datetime) -> None:
    conn.execute(update(User).where(User.id == user_id).values(is_active=active))
    if not active:
        revoke_sessions(conn=conn, user_id=user_id, now=now)


def set_password(*, conn: Connection, user_id: int, password_hash: str, now: datetime) -> None:
    """A new password ends every session of the user."""
    conn.execute(update(User).where(User.id == user_id).values(password_hash=password_hash))
    revoke_sessions(conn=conn, user_id=user_id, now=now)


def link_identity(*, conn: Connection, user_id: int, issuer: str, subject: str) -> None:
    conn.execute(
        update(User).where(User.id == user_id).values(oidc_issuer=issuer, oidc_subject=subject)
    )


def record_sign_in(*, conn: Connection, user_id: int, now: datetime) -> None:
    conn.execute(update(User).where(User.id == user_id).values(last_login_at=now))


# Sessions


def start_session(
    *,
    conn: Connection,
    user_id: int,
    token_hash: str,
    ip: str | None,
    user_agent: str | None,
    now: datetime,
) -> int:
    return int(
        conn.execute(
            insert(UserSession)
            .values(
                user_id=user_id,
                token_hash=token_hash,
                created_at=now,
                last_seen_at=now,
                ip_address=ip,
                user_agent=(user_agent or "")[:300],
            )
            .returning(UserSession.id)
        ).scalar_one()
    )


@dataclass(frozen=True)
class LiveSession:
    session_id: int
    last_seen_at: datetime
    account: Account


def live_session(*, conn: Connection, token_hash: str) -> LiveSession | None:
    """The session for a cookie token, if it is neither revoked nor its user disabled, with
    its account: one query, a row per region of the user (every request asks; #26: it was
    three, the session, the account and its regions)."""
    rows = conn.execute(
        select(
            UserSession.id.label("session_id"),
            UserSession.last_seen_at,
            *_ACCOUNT_COLUMNS,
            user_regions.c.region_id,
        )
        .join(User, User.id == UserSession.user_id)
        .join(Role, Role.id == User.role_id)
        .outerjoin(user_regions, user_regions.c.user_id == User.id)
        .where(
            UserSession.token_hash == token_hash,
            UserSession.revoked_at.is_(None),
            User.is_active.is_(True),
        )
        .order_by(user_regions.c.region_id)
    ).all()
    if not rows:
        return None
    first = rows[0]
    account = _account_of(first, [r.region_id for r in rows if r.region_id is not None])
    return LiveSession(first.session_id, first.last_seen_at, account)


def touch_session(*, conn: Connection, session_id: int, now: datetime) -> None:
    conn.execute(update(UserSession).where(UserSession.id == session_id).values(last_seen_at=now))


def revoke_sessions(
    *, conn: Connection, user_id: int, now: datetime, session_id: int | None = None
) -> int:
    """Revoke every live session of a user, or only `session_id`; returns how many."""
    statement = update(UserSession).where(
        UserSession.user_id == user_id, UserSession.revoked_at.is_(None)
    )
    if session_id is not None:
        statement = statement.where(UserSession.id == session_id)
    return conn.execute(statement.values(revoked_at=now)).rowcount


def sessions_of(*, conn: Connection, user_id: int) -> pd.DataFrame:
    """Live sessions of a user, newest first.

    Columns: id (int), created_at, last_seen_at (datetime64 UTC), ip_address (str),
    user_agent (str).
    """
    statement = (
        select(
            UserSession.id,
            UserSession.created_at,
            UserSession.last_seen_at,
            UserSession.ip_address,
            UserSession.user_agent,
        )
        .where(UserSession.user_id == user_id, UserSession.revoked_at.is_(None))
        .order_by(UserSession.last_seen_at.desc())
    )
    return read_frame(conn, statement)


# Password tokens


def create_password_token(
    *,
    conn: Connection,
    user_id: int,
    token_hash: str,
    purpose: str,
    now: datetime,
    expires_at: datetime,
) -> None:
    conn.execute(
        insert(PasswordToken).values(
            user_id=user_id,
            token_hash=token_hash,
            purpose=purpose,
            created_at=now,
            expires_at=expires_at,
        )
    )


def expire_password_links(*, conn: Connection, user_id: int, purpose: str, now: datetime) -> None:
    """The account's unused links of `purpose` stop working (a newer one replaces them)."""
    conn.execute(
        update(PasswordToken)
        .where(
            PasswordToken.user_id == user_id,
            PasswordToken.purpose == purpose,
            PasswordToken.used_at.is_(None),
            PasswordToken.expires_at > now,
        )
        .values(expires_at=now)
    )


def password_links_since(*, conn: Connection, user_id: int, purpose: str, since: datetime) -> int:
    """How many password links of `purpose` the account was sent from `since` on. The
    account's row is locked first (PostgreSQL; SQLite has one writer), so that two mail
    workers asked at once count one after the other and a cap cannot be passed together."""
    conn.execute(select(User.id).where(User.id == user_id).with_for_update())
    return int(
        conn.execute(
            select(func.count()).where(
                PasswordToken.user_id == user_id,
                PasswordToken.purpose == purpose,
                PasswordToken.created_at >= since,
            )
        ).scalar_one()
    )


def password_token_user(*, conn: Connection, token_hash: str, now: datetime) -> int | None:
    """The user a token belongs to while it is unused and unexpired, without using it."""
    user_id = conn.execute(
        select(PasswordToken.user_id).where(
            PasswordToken.token_hash == token_hash,
            PasswordToken.used_at.is_(None),
            PasswordToken.expires_at > now,
        )
    ).scalar_one_or_none()
    return int(user_id) if user_id is not None else None


def consume_password_token(*, conn: Connection, token_hash: str, now: datetime) -> int | None:
    """Use a token once: the user id when it is unused and unexpired, else None."""
    row = conn.execute(
        select(PasswordToken.id, PasswordToken.user_id, PasswordToken.expires_at).where(
            PasswordToken.token_hash == token_hash, PasswordToken.used_at.is_(None)
        )
    ).first()
    if row is None or row.expires_at <= now:
        return None
    used = conn.execute(
        update(PasswordToken)
        .where(PasswordToken.id == row.id, PasswordToken.used_at.is_(None))
        .values(used_at=now)
    ).rowcount
    return int(row.user_id) if used == 1 else None


# Lists for the admin pages


def manager_scopes(*, conn: Connection) -> list[tuple[int, ...]]:
    """The distinct region sets of active managers: the scopes a warm cache must cover."""
    managers = _accounts(conn, User.is_active.is_(True), Role.name == "manager")
    return sorted({tuple(sorted(a.region_ids)) for a in managers})


def users_table(*, conn: Connection) -> pd.DataFrame:
    """Every user.

    Columns: id, email, display_name, role, is_active (bool), last_login_at (datetime64 UTC),
    sign_in (str: "password", "OIDC" or "password + OIDC"), regions (str: region codes).
    """
    frame = read_frame(
        conn,
        (
            select(
                User.id,
                User.email,
                User.display_name,
                Role.name.label("role"),
                User.is_active,
                User.last_login_at,
                User.password_hash.is_not(None).label("has_password"),
                User.oidc_subject.is_not(None).label("has_oidc"),
            )
            .join(Role, Role.id == User.role_id)
            .order_by(User.email)
        ),
    )
    codes = read_frame(
        conn,
        select(user_regions.c.user_id, Region.code)
        .join(Region, Region.id == user_regions.c.region_id)
        .order_by(Region.code),
    )
    joined = codes.groupby("user_id")["code"].agg(", ".join) if len(codes) else pd.Series()
    frame["regions"] = frame["id"].map(joined).fillna("")
    methods = {
        (True, False): "password",
        (False, True): "OIDC",
        (True, True): "password + OIDC",
        (False, False): "invited",
    }
    frame["sign_in"] = [
        methods[(bool(p), bool(o))]
        for p, o in zip(frame["has_password"], frame["has_oidc"], strict=True)
    ]
    return frame.drop(columns=["has_password", "has_oidc"])


def regions_table(*, conn: Connection) -> pd.DataFrame:
    """Columns: id, code, name."""
    return read_frame(conn, select(Region.id, Region.code, Region.name).order_by(Region.code))


def intervention_owners(*, conn: Connection, region_id: int) -> pd.DataFrame:
    """Who may own an intervention for a tutor of a region: active admins and the region's
    active managers. Columns: id, display_name."""
    managers = select(user_regions.c.user_id).where(user_regions.c.region_id == region_id)
    stmt = (
        select(User.id, User.display_name)
        .join(Role, Role.id == User.role_id)
        .where(
            User.is_active,
            (Role.name == "admin") | ((Role.name == "manager") & User.id.in_(managers)),
        )
        .order_by(User.display_name)
    )
    return read_frame(conn, stmt)

"""Server-side sessions behind flask-login.

The Flask session cookie (signed, HttpOnly, SameSite=Lax) holds a random token;
the database holds its hash. Each request looks the token up, so revoking the
row (sign-out, password reset, disabling the account) ends that session at
once, even for an old cookie replayed later.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from flask import Flask, Request, request, session
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from flask_login import LoginManager, UserMixin, login_user, logout_user

from auth.audit import audit
from auth.csrf import csrf_token
from auth.requests import client_ip, now
from auth.tokens import new_token, token_hash
from data import accounts
from data.accounts import Account
from data.engine import connect, transaction

TOUCH_EVERY = timedelta(minutes=1)
login_manager = LoginManager()
login_manager.session_protection = "strong"


@dataclass(frozen=True)
class SignedInUser(UserMixin):
    user_id: int
    email: str
    display_name: str
    role: str
    region_ids: tuple[int, ...]
    session_id: int
    token: str

    def get_id(self) -> str:
        return self.token


@login_manager.user_loader
def load_user(token: str) -> SignedInUser | None:
    with connect() as conn:
        live = accounts.live_session(conn=conn, token_hash=token_hash(token))
    if live is None:
        return None
    if now() - live.last_seen_at > TOUCH_EVERY:
        with transaction() as conn:
            accounts.touch_session(conn=conn, session_id=live.session_id, now=now())
    a = live.account
    return SignedInUser(a.id, a.email, a.display_name, a.role, a.region_ids, live.session_id, token)


def sign_in(account: Account, *, method: str) -> None:
    """Start a new server-side session with a new cookie: nothing of the old session survives."""
    session.clear()
    # The form token is made now, not lazily by a later request: Dash fires several requests
    # at once, and one writing the cookie without it would race the others.
    csrf_token()
    token, hashed = new_token()
    with transaction() as conn:
        session_id = accounts.start_session(
            conn=conn,
            user_id=account.id,
            token_hash=hashed,
            ip=client_ip(),
            user_agent=request.headers.get("User-Agent"),
            now=now(),
        )
        accounts.record_sign_in(conn=conn, user_id=account.id, now=now())
        audit("login.success", conn=conn, user_id=account.id, method=method)
    session.permanent = True
    login_user(
        SignedInUser(
            account.id,
            account.email,
            account.display_name,
            account.role,
            account.region_ids,
            session_id,
            token,
        ),
        fresh=True,
    )


def sign_out_everywhere(user: SignedInUser) -> None:
    with transaction() as conn:
        ended = accounts.revoke_sessions(conn=conn, user_id=user.user_id, now=now())
        audit("logout", conn=conn, user_id=user.user_id, sessions_ended=ended)
    logout_user()
    session.clear()


class NoSessionForApi(SecureCookieSessionInterface):
    """The API takes tokens only: a browser's session cookie is not even read on /api/ paths
    (so no cross-site request can ride on it) and no cookie is ever set there."""

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        if request.path.startswith("/api/"):
            return self.null_session_class()
        return super().open_session(app, request)

"""API requests sign in with a bearer token, never a cookie: the token becomes the request's
`current_user`, so the API goes through the very checks the pages use (`requires`,
`region_scope`, `current_actor`)."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from datetime import timedelta

from flask import g, request
from flask_login import AnonymousUserMixin, UserMixin

from auth.audit import audit
from auth.requests import client_ip, now
from auth.tokens import token_hash
from data import api_tokens
from data.engine import connect, transaction

TOUCH_EVERY = timedelta(minutes=1)
NOT_VALID = "Send a valid API token: Authorization: Bearer bcn_… (it may be expired or revoked)."
NOT_FROM_HERE = "This token may not be used from this address."


@dataclass(frozen=True)
class TokenUser(UserMixin):
    """A token acting as a user: the owner's account id (for records that name a person),
    the token's own role and regions."""

    user_id: int
    display_name: str
    role: str
    region_ids: tuple[int, ...]
    token_id: int

    def get_id(self) -> str:
        return f"token:{self.token_id}"


class BearerRefused(Exception):
    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail


def presented_token() -> str | None:
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    return value.strip() or None if scheme.lower() == "bearer" else None


def limit_key() -> str:
    """What the API rate limit counts by: the credential presented (hashed), else the
    address. A token's requests count together from every address."""
    token = presented_token()
    if token is None:
        return "api-anon:" + client_ip()
    return "api-token:" + token_hash(token)[:24]


def sign_in_bearer() -> TokenUser:
    """Make the presented token the request's user, or refuse: 401 for no, an unknown, an
    expired or a revoked token (or a disabled owner), 403 for a disallowed address."""
    g._login_user = AnonymousUserMixin()  # a session cookie never counts here
    token = presented_token()
    if token is None or len(token) > 200:
        raise BearerRefused(401, NOT_VALID)
    moment = now()
    with connect() as conn:
        live = api_tokens.live_token(conn=conn, token_hash=token_hash(token), now=moment)
    if live is None:
        raise BearerRefused(401, NOT_VALID)
    ip = client_ip()
    if live.ip_allow and not _allowed_from(ip, live.ip_allow):
        audit("access.denied", what="api token address", token=live.id, user_id=live.owner_id)
        raise BearerRefused(403, NOT_FROM_HERE)
    if live.last_used_at is None or moment - live.last_used_at > TOUCH_EVERY:
        with transaction() as conn:
            api_tokens.touch_token(conn=conn, token_id=live.id, ip=ip, now=moment)
    user = TokenUser(live.owner_id, f"{live.name} (API token)", live.role, live.region_ids, live.id)
    g._login_user = user
    return user


def _allowed_from(ip: str, networks: tuple[str, ...]) -> bool:
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return False
    return any(address in ipaddress.ip_network(n, strict=False) for n in networks)

"""Facts about the current request that several auth modules need."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import request


def now() -> datetime:
    return datetime.now(UTC)


def client_ip() -> str:
    """The peer address. X-Forwarded-For counts only through ProxyFix, i.e. only when
    BEACON_TRUSTED_PROXIES says a proxy of ours sets it: a forged header changes nothing."""
    return request.remote_addr or "unknown"


def safe_next(target: str | None) -> str:
    """Where to go after sign-in: a path on this site only, never another host."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target

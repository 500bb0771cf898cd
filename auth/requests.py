"""Facts about the current request that several auth modules need."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from flask import request


def now() -> datetime:
    return datetime.now(UTC)


def days_back(days: int) -> datetime:
    """The start of the UTC day `days` days ago. A window that moves once a day gives every
    request of that day the same arguments, so their cached read is shared."""
    return datetime.combine(now().date(), time(), tzinfo=UTC) - timedelta(days=days)


def client_ip() -> str:
    """The peer address. X-Forwarded-For counts only through ProxyFix, i.e. only when
    BEACON_TRUSTED_PROXIES says a proxy of ours sets it: a forged header changes nothing."""
    return request.remote_addr or "unknown"


def safe_next(target: str | None) -> str:
    """Where to go after sign-in: a path on this site only, never another host."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target

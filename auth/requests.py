"""Facts about the current request that several auth modules need."""

from __future__ import annotations

import re
from datetime import UTC, datetime, time, timedelta
from urllib.parse import unquote, urlsplit

from flask import request


def now() -> datetime:
    return datetime.now(UTC)


def days_back(days: int) -> datetime:
    """The start of the UTC day `days` days ago. A window that moves once a day gives every
    request of that day the same arguments, so their cached read is shared."""
    return datetime.combine(now().date(), time(), tzinfo=UTC) - timedelta(days=days)


def last_days(days: int) -> datetime:
    """The start of the last `days` days with today counted as one of them: "Last 12 months"
    (365) is from this day of last year's next day, not 366 days."""
    return days_back(days - 1)


def client_ip() -> str:
    """The peer address. X-Forwarded-For counts only through ProxyFix, i.e. only when
    BEACON_TRUSTED_PROXIES says a proxy of ours sets it: a forged header changes nothing."""
    return request.remote_addr or "unknown"


_C0_AND_SPACE = "".join(chr(code) for code in range(0x21))


def safe_next(target: str | None) -> str:
    """Where to go after sign-in: a path on this site only, never another host.

    The value is read the way a browser reads a Location: tabs and line breaks anywhere are
    dropped, control characters and spaces at either end trimmed, and a backslash is a
    slash. What is left must be a path (one leading slash, no scheme, no host), also once
    percent-decoded, or the answer is the home page.
    """
    if not target:
        return "/"
    cleaned = re.sub(r"[\t\n\r]", "", target).strip(_C0_AND_SPACE).replace("\\", "/")
    if any(ch < " " or ch == "\x7f" for ch in cleaned):
        return "/"
    parts = urlsplit(cleaned)
    decoded = unquote(cleaned).replace("\\", "/")
    if (
        parts.scheme
        or parts.netloc
        or not cleaned.startswith("/")
        or cleaned.startswith("//")
        or decoded.startswith("//")
        or any(ch < " " for ch in decoded)
    ):
        return "/"
    return cleaned

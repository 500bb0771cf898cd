"""Benchmark accounts, and signing in through the real form (any HTTP client)."""

from __future__ import annotations

import re
import secrets
from datetime import UTC, datetime
from typing import Any


def bench_account(email: str, role: str = "admin") -> str:
    """Create the account, or give it a new password; returns the password."""
    from auth.passwords import hash_password
    from data import accounts
    from data.engine import transaction

    password = "bench " + secrets.token_urlsafe(16)
    with transaction() as conn:
        found = accounts.account_by_email(conn=conn, email=email)
        if found is None:
            accounts.create_account(
                conn=conn,
                email=email,
                display_name=email.split("@")[0].replace("-", " ").title(),
                role=role,
                region_ids=(),
                password_hash=hash_password(password),
            )
        else:
            accounts.set_password(
                conn=conn,
                user_id=found.id,
                password_hash=hash_password(password),
                now=datetime.now(UTC),
            )
    return password


def sign_in(client: Any, email: str, password: str, base: str = "") -> None:
    """Sign in with a Flask test client (base "") or a requests.Session (base = the URL)."""
    page = client.get(base + "/login")
    text = page.text if hasattr(page, "text") else page.get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', text)
    assert token, "no sign-in form"
    form = {"csrf_token": token.group(1), "email": email, "password": password}
    kwargs = {"allow_redirects": False} if base else {}
    answer = client.post(base + "/login", data=form, **kwargs)
    assert answer.status_code == 302, f"sign-in failed: {answer.status_code}"

"""Account takeover through links: a mailed link or an OIDC redirect URI built from the
request's Host header, and open redirects after sign-in through `next`."""

from __future__ import annotations

import logging
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from pydantic import ValidationError

from settings import Settings, get_settings
from tests.auth.helpers import csrf, mailed_link, new_client
from tests.auth.test_oidc import google, provider  # noqa: F401 (fixtures: a real OIDC provider)
from tests.conftest import PASSWORD, create_test_account

ATTACKER = "attacker.example"


@pytest.fixture
def db(seeded_url, use_database):  # type: ignore[no-untyped-def]
    use_database(seeded_url)
    return seeded_url


def ask_for_reset(email: str, host: str):
    """The whole form, every request sent with the attacker's Host header."""
    client = new_client()
    base = f"http://{host}"
    page = client.get("/forgot-password", base_url=base).get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token
    return client.post(
        "/forgot-password", base_url=base, data={"csrf_token": token.group(1), "email": email}
    )


def mailed(caplog) -> str:
    """The full link of the newest password mail."""
    mailed_link(caplog)
    return next(
        line.strip() for line in reversed(caplog.text.splitlines()) if "/reset-password?" in line
    )


def test_a_forged_host_header_never_reaches_a_mailed_reset_link(db, caplog):
    caplog.set_level(logging.WARNING, logger="beacon.mail")
    account = create_test_account("viewer")
    assert ask_for_reset(account.email, ATTACKER).status_code == 200
    link = mailed(caplog)
    assert link.startswith("http://beacon.test/reset-password?token=")
    assert ATTACKER not in caplog.text


def test_in_demo_mode_links_use_the_configured_host_and_port(db, caplog, monkeypatch):
    monkeypatch.delenv("BEACON_PUBLIC_URL")
    monkeypatch.setenv("BEACON_DEMO", "true")
    monkeypatch.setenv("BEACON_HOST", "127.0.0.1")
    monkeypatch.setenv("BEACON_PORT", "8123")
    get_settings.cache_clear()
    caplog.set_level(logging.WARNING, logger="beacon.mail")
    account = create_test_account("viewer")
    ask_for_reset(account.email, ATTACKER)
    assert mailed(caplog).startswith("http://127.0.0.1:8123/reset-password?token=")
    get_settings.cache_clear()


def test_outside_demo_mode_the_public_address_is_required(monkeypatch):
    monkeypatch.delenv("BEACON_PUBLIC_URL")
    monkeypatch.setenv("DATABASE_URL", "postgresql://u:p@127.0.0.1:5432/beacon")
    with pytest.raises(ValidationError, match="BEACON_PUBLIC_URL is required"):
        Settings()
    monkeypatch.setenv("BEACON_PUBLIC_URL", "javascript:alert(1)")
    with pytest.raises(ValidationError, match="must be an http"):
        Settings()


def test_oidc_redirect_uris_come_from_the_public_address(google):  # noqa: F811
    start = new_client().get("/auth/google/login", headers={"Host": ATTACKER})
    query = parse_qs(urlsplit(start.headers["Location"]).query)
    assert query["redirect_uri"] == ["http://beacon.test/auth/google/callback"]


# Known ways to turn "a path on this site" into another site once a browser reads it.
BYPASSES = [
    "//evil.example",
    "/%09/evil.example",
    "/\t/evil.example",
    "/\n/evil.example",
    "/\r\n/evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "/\\/evil.example",
    "/%5C/evil.example",
    "/%2F/evil.example",
    "%2F%2Fevil.example",
    " //evil.example",
    "\x00//evil.example",
    "https://evil.example",
    "https:evil.example",
    "//user@evil.example",
    "@evil.example",
    "javascript:alert(1)",
    "/\x0b/evil.example",
]


def sign_in_then_go_to(target: str):
    """The real sign-in form, posted with `next` in the address as the login page keeps it."""
    account = create_test_account("viewer")
    client = new_client()
    return client.post(
        "/login",
        query_string={"next": target},
        data={"csrf_token": csrf(client), "email": account.email, "password": PASSWORD},
    )


@pytest.mark.parametrize("target", BYPASSES)
def test_sign_in_never_redirects_off_site(db, target):
    answer = sign_in_then_go_to(target)
    assert answer.status_code == 302
    location = answer.headers["Location"]
    parts = urlsplit(location)
    assert not parts.scheme and not parts.netloc and location.startswith("/")
    assert not location.startswith("//") and "\\" not in location
    assert "evil.example" not in location


def test_a_path_on_this_site_is_kept_with_its_query(db):
    answer = sign_in_then_go_to("/tutor-risk?region=2&band=high")
    assert answer.headers["Location"] == "/tutor-risk?region=2&band=high"

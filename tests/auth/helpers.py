"""Drive the real app over WSGI like a browser would: forms with their CSRF token, cookies."""

from __future__ import annotations

import re

from flask.testing import FlaskClient

import app as beacon
from tests.conftest import PASSWORD


def new_client() -> FlaskClient:
    return beacon.server.test_client()


def csrf(client: FlaskClient, path: str = "/login") -> str:
    page = client.get(path).get_data(as_text=True)
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found, f"no form on {path}"
    return found.group(1)


def login(client: FlaskClient, email: str, password: str = PASSWORD, **headers: str):
    token = csrf(client)
    return client.post(
        "/login", data={"csrf_token": token, "email": email, "password": password}, headers=headers
    )


def session_cookie(client: FlaskClient) -> str | None:
    cookie = client.get_cookie("beacon_session")
    return cookie.value if cookie else None


def replay(cookie_value: str) -> FlaskClient:
    """A fresh client carrying only an old session cookie, as an attacker replaying it would."""
    client = new_client()
    client.set_cookie("beacon_session", cookie_value)
    return client


def signed_in_ok(client: FlaskClient) -> bool:
    return client.get("/_dash-layout").status_code == 200


def logout(client: FlaskClient):
    layout = client.get("/_dash-layout").get_data(as_text=True)
    token = re.search(
        r'"name":\s*"csrf_token"[^}]*"value":\s*"([^"]+)"|"value":\s*"([^"]+)"[^}]*"name":\s*"csrf_token"',
        layout,
    )
    assert token, "no sign-out form in the layout"
    return client.post("/logout", data={"csrf_token": token.group(1) or token.group(2)})

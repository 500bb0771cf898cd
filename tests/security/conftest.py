"""A running Beacon for attacks: the real app over WSGI, or over a real socket where the
attack needs one (concurrency, the Server header)."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator

import pytest
import requests
from werkzeug.serving import make_server

import app as beacon
from auth.headers import QuietRequestHandler
from tests.conftest import PASSWORD, create_test_account


@pytest.fixture
def live_server(seeded_copy) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """The app on a threaded server on a free loopback port, on a writable seeded copy."""
    server = make_server(
        "127.0.0.1", 0, beacon.server, threaded=True, request_handler=QuietRequestHandler
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)


def browser_session(base: str, role: str, regions: tuple[int, ...] = ()) -> requests.Session:
    """A signed-in session over HTTP, through the real form and its CSRF token."""
    account = create_test_account(role, regions)
    session = requests.Session()
    page = session.get(f"{base}/login", timeout=10).text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token, "no sign-in form"
    answer = session.post(
        f"{base}/login",
        data={"csrf_token": token.group(1), "email": account.email, "password": PASSWORD},
        allow_redirects=False,
        timeout=10,
    )
    assert answer.status_code == 302, answer.text[:200]
    return session

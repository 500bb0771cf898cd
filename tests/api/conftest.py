"""The API against a running Beacon (a real socket, a threaded server) on a writable copy of
the credit-scored demo data, with tokens made by the same action the admin page uses."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
import requests
from werkzeug.serving import make_server

import app as beacon
from actions.api_tokens import create_token
from actions.base import Actor
from auth.headers import QuietRequestHandler
from tests.conftest import copy_database, create_test_account, pointed_at

APPLICATION = {
    "customer_id": 1,
    "product_id": 1,
    "amount": 5000,
    "term_months": 12,
    "channel": "web",
    "debt_to_income": 0.3,
    "credit_history_months": 60,
    "delinquencies_2y": 0,
    "open_loans": 1,
}


@dataclass
class Api:
    base: str
    token: str | None = None
    token_id: int | None = None

    def headers(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        sent = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        return sent | (extra or {})

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        headers = self.headers(kwargs.pop("headers", None))
        return requests.get(f"{self.base}{path}", headers=headers, timeout=60, **kwargs)

    def post(self, path: str, **kwargs: Any) -> requests.Response:
        headers = self.headers(kwargs.pop("headers", None))
        return requests.post(f"{self.base}{path}", headers=headers, timeout=120, **kwargs)

    def delete(self, path: str) -> requests.Response:
        return requests.delete(f"{self.base}{path}", headers=self.headers(), timeout=60)


@pytest.fixture(scope="session")
def api_template(request, credit_scored_template, tmp_path_factory) -> str:  # type: ignore[no-untyped-def]
    """The credit-scored demo data with tutor risk scored too (two weekly runs), once per
    backend; each test gets a writable copy (`api_data`)."""
    from jobs import tutor_risk

    url = copy_database(
        credit_scored_template,
        str(tmp_path_factory.mktemp("api")),
        lambda: request.getfixturevalue("postgres_server"),
    )
    with pointed_at(url):
        tutor_risk.run(weeks=2)
    return url


@pytest.fixture
def api_data(request, api_template, tmp_path, use_database) -> str:  # type: ignore[no-untyped-def]
    url = copy_database(
        api_template, str(tmp_path), lambda: request.getfixturevalue("postgres_server")
    )
    use_database(url)
    return url


@pytest.fixture
def server(api_data) -> Iterator[str]:  # type: ignore[no-untyped-def]
    running = make_server(
        "127.0.0.1", 0, beacon.server, threaded=True, request_handler=QuietRequestHandler
    )
    thread = threading.Thread(target=running.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{running.server_port}"
    running.shutdown()
    thread.join(timeout=10)


def new_token(
    role: str, regions: tuple[int, ...] = (), *, days: int = 30, allow: str | None = None
) -> tuple[str, int, int]:
    """A token as an admin makes it: (secret, token id, owner id)."""
    owner = create_test_account("admin")
    made = create_token(
        actor=Actor(user_id=owner.id, display_name=owner.display_name, role="admin"),
        name=f"{role} system",
        role=role,
        regions=list(regions),
        days=days,
        allow=allow,
        now=datetime.now(UTC),
    )
    assert not hasattr(made, "message"), made
    return made.secret, made.token_id, owner.id  # type: ignore[union-attr]


@pytest.fixture
def api(server) -> Api:  # type: ignore[no-untyped-def]
    """An analyst's token on the running app."""
    secret, token_id, _owner = new_token("analyst")
    return Api(server, secret, token_id)


def as_role(server: str, role: str, regions: tuple[int, ...] = (), **kwargs: Any) -> Api:
    secret, token_id, _owner = new_token(role, regions, **kwargs)
    return Api(server, secret, token_id)


def assert_problem(answer: requests.Response, status: int) -> dict[str, Any]:
    """An RFC 9457 problem with the request id, and nothing else."""
    assert answer.status_code == status, answer.text[:500]
    assert answer.headers["Content-Type"].startswith("application/problem+json")
    body = answer.json()
    assert body["status"] == status and body["title"] and body["detail"]
    assert len(body["request_id"]) == 32
    assert "Traceback" not in answer.text
    return body

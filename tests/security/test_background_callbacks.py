"""Background callbacks run where there is no request to check, so they are checked before
their job is queued: role, and the requester the request names."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from data.engine import connect
from data.models import AuditEntry
from tests.auth.helpers import login, new_client, payload, server_callbacks
from tests.conftest import create_test_account


@pytest.fixture
def db(seeded_url, use_database):  # type: ignore[no-untyped-def]
    use_database(seeded_url)


def refresh_now(client) -> dict:  # type: ignore[no-untyped-def]
    return next(c for c in server_callbacks(client) if c["output"] == "jobs-result.children")


def signed_in(role: str):  # type: ignore[no-untyped-def]
    account = create_test_account(role, (1,) if role == "manager" else ())
    client = new_client()
    assert login(client, account.email).status_code == 302
    return client, account


def test_an_admin_naming_another_admin_as_requester_is_refused(db):
    client, _ = signed_in("admin")
    _, other = signed_in("admin")
    body = payload(refresh_now(client), {"n_clicks": 1, "data": other.id})
    response = client.post("/_dash-update-component", json=body)
    assert response.status_code == 403
    assert "cacheKey" not in response.get_data(as_text=True)
    with connect() as conn:
        last = conn.execute(
            select(AuditEntry.action, AuditEntry.detail).order_by(AuditEntry.id.desc()).limit(1)
        ).one()
    assert last.action == "access.denied" and "background callback" in str(last.detail)


@pytest.mark.parametrize("role", ["manager", "analyst", "viewer"])
def test_other_roles_cannot_queue_a_refresh_even_naming_themselves(db, role):
    admin, _ = signed_in("admin")
    client, account = signed_in(role)
    body = payload(refresh_now(admin), {"n_clicks": 1, "data": account.id})
    response = client.post("/_dash-update-component", json=body)
    assert response.status_code == 403 and "cacheKey" not in response.get_data(as_text=True)


def test_polling_a_job_needs_the_role_too(db):
    admin, _ = signed_in("admin")
    viewer, _ = signed_in("viewer")
    body = payload(refresh_now(admin), {"n_clicks": None})
    response = viewer.post(
        "/_dash-update-component?cacheKey=forged&job=1", json={**body, "inputs": []}
    )
    assert response.status_code == 403

"""Who may use the API: a live token, within its role, regions, expiry and addresses, never
a session cookie; every refusal a problem with no data in it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import requests
from sqlalchemy import select, update

from actions.api_tokens import revoke_token
from actions.base import Actor
from data import accounts
from data.engine import connect, transaction
from data.models import ApiToken, AuditEntry, CreditCustomer, User
from settings import get_settings
from tests.api.conftest import APPLICATION, Api, as_role, assert_problem, new_token
from tests.security.conftest import browser_session

SCORE = "/api/v1/credit/applications/score?dry_run=true"


def test_no_token_or_a_made_up_one_is_401_with_a_problem_and_no_cookie(server):
    for headers in ({}, {"Authorization": "Bearer bcn_made-up"}, {"Authorization": "Basic eDp5"}):
        answer = requests.post(f"{server}{SCORE}", json=APPLICATION, headers=headers, timeout=30)
        body = assert_problem(answer, 401)
        assert answer.headers["WWW-Authenticate"].startswith("Bearer")
        assert "Set-Cookie" not in answer.headers
        assert set(body) == {
            "type",
            "title",
            "status",
            "detail",
            "instance",
            "request_id",
            "errors",
        }


def test_a_signed_in_browser_session_is_not_an_api_credential(server):
    session = browser_session(server, "admin")
    assert session.cookies.get("beacon_session")
    assert_problem(session.post(f"{server}{SCORE}", json=APPLICATION, timeout=30), 401)


def test_a_live_token_works_sets_no_cookie_and_is_seen_in_use(api):
    answer = api.post(SCORE, json=APPLICATION)
    assert answer.status_code == 200, answer.text
    assert "Set-Cookie" not in answer.headers
    with connect() as conn:
        used = conn.execute(
            select(ApiToken.last_used_at, ApiToken.last_used_ip).where(ApiToken.id == api.token_id)
        ).one()
    assert used.last_used_ip == "127.0.0.1"
    assert datetime.now(UTC) - used.last_used_at < timedelta(minutes=1)


def test_an_expired_token_is_401(server):
    secret, token_id, _ = new_token("analyst")
    with transaction() as conn:
        conn.execute(
            update(ApiToken)
            .where(ApiToken.id == token_id)
            .values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
        )
    assert_problem(Api(server, secret).post(SCORE, json=APPLICATION), 401)


def test_a_revoked_token_stops_at_once_and_the_revocation_is_audited(server):
    secret, token_id, owner = new_token("analyst")
    client = Api(server, secret)
    assert client.post(SCORE, json=APPLICATION).status_code == 200
    admin = Actor(user_id=owner, display_name="Owner", role="admin")
    assert "revoked" in revoke_token(actor=admin, token_id=token_id, now=datetime.now(UTC))
    assert_problem(client.post(SCORE, json=APPLICATION), 401)
    with connect() as conn:
        actions = conn.execute(
            select(AuditEntry.action).where(AuditEntry.entity_id == token_id)
        ).scalars()
        assert {"api_token.created", "api_token.revoked"} <= set(actions)


def test_a_token_of_a_disabled_owner_is_401(server):
    secret, _token_id, owner = new_token("analyst")
    with transaction() as conn:
        conn.execute(update(User).where(User.id == owner).values(is_active=False))
    assert_problem(Api(server, secret).post(SCORE, json=APPLICATION), 401)


def test_a_token_stops_when_its_owner_is_no_longer_an_admin(server):
    from data.models import Role

    secret, _token_id, owner = new_token("analyst")
    client = Api(server, secret)
    assert client.post(SCORE, json=APPLICATION).status_code == 200
    with transaction() as conn:
        viewer = conn.execute(select(Role.id).where(Role.name == "viewer")).scalar_one()
        conn.execute(update(User).where(User.id == owner).values(role_id=viewer))
    assert_problem(client.post(SCORE, json=APPLICATION), 401)


def test_the_address_allow_list_is_enforced(server):
    elsewhere = as_role(server, "analyst", allow="203.0.113.0/24")
    body = assert_problem(elsewhere.post(SCORE, json=APPLICATION), 403)
    assert "address" in body["detail"]
    here = as_role(server, "analyst", allow="127.0.0.1 10.0.0.0/8")
    assert here.post(SCORE, json=APPLICATION).status_code == 200


def test_a_viewer_token_may_not_score_like_a_viewer_on_the_page(server):
    viewer = as_role(server, "viewer")
    assert_problem(viewer.post(SCORE, json=APPLICATION), 403)
    with connect() as conn:
        denied = conn.execute(
            select(AuditEntry.detail).where(AuditEntry.action == "access.denied")
        ).scalars()
        assert any(d.get("token") == viewer.token_id for d in denied)


def test_a_manager_token_scores_only_its_regions_customers(server):
    with connect() as conn:
        regions = accounts.regions_table(conn=conn)
        own, other = int(regions["id"].iloc[0]), int(regions["id"].iloc[1])
        inside = conn.execute(
            select(CreditCustomer.id).where(CreditCustomer.region_id == own).limit(1)
        ).scalar_one()
        outside = conn.execute(
            select(CreditCustomer.id).where(CreditCustomer.region_id == other).limit(1)
        ).scalar_one()
    manager = as_role(server, "manager", (own,))
    assert manager.post(SCORE, json=APPLICATION | {"customer_id": inside}).status_code == 200
    refused = assert_problem(manager.post(SCORE, json=APPLICATION | {"customer_id": outside}), 403)
    assert str(outside) not in refused["detail"]  # nothing about the customer comes back


def test_each_token_is_rate_limited_on_its_own(server, monkeypatch):
    monkeypatch.setenv("BEACON_API_LIMIT", "3 per minute")
    get_settings.cache_clear()
    first, second = as_role(server, "analyst"), as_role(server, "analyst")
    answers = [first.post(SCORE, json=APPLICATION).status_code for _ in range(4)]
    assert answers == [200, 200, 200, 429]
    over = first.post(SCORE, json=APPLICATION)
    limited = assert_problem(over, 429)
    assert int(over.headers["Retry-After"]) > 0
    assert limited["detail"].startswith("Too many requests")
    assert second.post(SCORE, json=APPLICATION).status_code == 200
    get_settings.cache_clear()


def test_a_request_larger_than_the_api_limit_is_413_and_nothing_is_stored(api, monkeypatch):
    monkeypatch.setenv("BEACON_API_MAX_KB", "64")
    get_settings.cache_clear()
    batch = {"applications": [APPLICATION] * 1000}  # about 180 KB
    assert_problem(api.post("/api/v1/credit/applications/score-batch", json=batch), 413)
    get_settings.cache_clear()


@pytest.mark.parametrize("path", ["/api/v1/nowhere", "/api/elsewhere", "/api/v1/credit"])
def test_unknown_api_addresses_are_problems_not_the_app(api, path):
    assert_problem(api.get(path), 404)

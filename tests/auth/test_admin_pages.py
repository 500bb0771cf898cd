"""Admin and account pages: their callbacks called directly, signed in through the real code."""

import json
import logging
import time

import pytest

import app as beacon  # noqa: F401  (pages register with the app)
from data import accounts
from data import audit as audit_log
from data.engine import connect
from pages import admin_audit, admin_users
from sharing.views import VIEWS
from tests.auth.helpers import (
    csrf,
    login,
    mailed_link,
    new_client,
    payload,
    server_callbacks,
    signed_in_ok,
)
from tests.conftest import acting_as, create_test_account


@pytest.fixture
def db(seeded_url, use_database):
    use_database(seeded_url)


def text(component) -> str:
    return str(component.children if hasattr(component, "children") else component)


def entries(action: str) -> list[dict]:
    with connect() as conn:
        rows, _ = audit_log.audit_log(conn=conn, action=action, limit=50)
    return rows.to_dict("records")


def test_an_invitation_creates_the_account_and_its_link_sets_the_first_password(db, caplog):
    caplog.set_level(logging.WARNING, logger="beacon.mail")
    with acting_as("admin"):
        message, table = admin_users.invite(
            _clicks=1,
            email="New.Person@School.example",
            name="New Person",
            role="manager",
            region_values=[1, 2],
        )
    assert "Invitation sent to new.person@school.example" in text(message)
    assert "new.person@school.example" in str(table)
    with connect() as conn:
        invited = accounts.account_by_email(conn=conn, email="new.person@school.example")
    assert invited.role == "manager" and invited.region_ids == (1, 2)
    assert invited.password_hash is None
    link = mailed_link(caplog)
    # An invitation, not a password reset someone may not have asked for.
    assert "You are invited to Beacon" in caplog.text and "expires in 7 days" in caplog.text
    assert "If you did not ask for it" not in caplog.text
    assert choose_password(link) == 302
    assert login(new_client(), invited.email, "harbour pencil orbit 77").status_code == 302
    assert entries("user.invited")[0]["detail"]["role"] == "manager"


@pytest.mark.parametrize(
    ("email", "name", "role", "regions", "problem"),
    [
        ("not-an-email", "X", "viewer", [], "valid email"),
        ("a@b.example", "", "viewer", [], "Enter a name"),
        ("a@b.example", "A", "superuser", [], "Choose a role"),
        ("a@b.example", "A", "manager", [999], "regions from the list"),
        ("a@b.example", "A", "manager", ["1 OR 1=1"], "regions from the list"),
    ],
)
def test_a_bad_invitation_gets_a_clear_message_and_creates_nothing(
    db, email, name, role, regions, problem
):
    with acting_as("admin"):
        message, _ = admin_users.invite(
            _clicks=1, email=email, name=name, role=role, region_values=regions
        )
    assert problem in text(message)
    with connect() as conn:
        assert accounts.account_by_email(conn=conn, email="a@b.example") is None


def test_changing_a_role_and_regions_is_audited_with_before_and_after(db):
    target = create_test_account("viewer")
    with acting_as("admin"):
        message, _ = admin_users.save_user(
            _clicks=1, user_id=target.id, role="manager", region_values=[2], active=True
        )
    assert "Saved" in text(message)
    detail = entries("user.changed")[0]["detail"]
    assert detail["role"] == {"before": "viewer", "after": "manager"}
    assert detail["regions"] == {"before": [], "after": [2]}


def test_disabling_a_user_ends_their_sessions(db):
    target = create_test_account("analyst")
    client = new_client()
    login(client, target.email)
    assert signed_in_ok(client)
    with acting_as("admin"):
        message, _ = admin_users.save_user(
            _clicks=1, user_id=target.id, role="analyst", region_values=[], active=False
        )
    assert "every session of it has ended" in text(message)
    assert not signed_in_ok(client)


def test_an_admin_cannot_lock_themselves_out(db):
    with acting_as("admin") as me:
        message, _ = admin_users.save_user(
            _clicks=1, user_id=me.id, role="viewer", region_values=[], active=True
        )
        assert "cannot remove your own admin role" in text(message)
        message, _ = admin_users.save_user(
            _clicks=1, user_id=me.id, role="admin", region_values=[], active=False
        )
        assert "disable yourself" in text(message)


def test_ending_one_of_my_other_sessions(db):
    me = create_test_account("viewer")
    other_browser, this_browser = new_client(), new_client()
    login(other_browser, me.email)
    with connect() as conn:
        other_id = int(accounts.sessions_of(conn=conn, user_id=me.id)["id"].iloc[0])
    login(this_browser, me.email)
    revoke = next(c for c in server_callbacks(this_browser) if "sessions-result" in c["output"])
    body = payload(revoke)
    body["inputs"] = [
        [{"id": {"index": other_id, "type": "sessions-revoke"}, "property": "n_clicks", "value": 1}]
    ]
    body["changedPropIds"] = [f'{{"index":{other_id},"type":"sessions-revoke"}}.n_clicks']
    response = this_browser.post("/_dash-update-component", json=body)
    assert "Session ended." in response.get_data(as_text=True)
    assert not signed_in_ok(other_browser) and signed_in_ok(this_browser)
    assert entries("session.revoked")


def test_audit_filters_by_user_action_and_time(db):
    someone = create_test_account("viewer")
    login(new_client(), someone.email, "wrong password here")
    login(new_client(), someone.email)
    with connect() as conn:
        rows, total = audit_log.audit_log(conn=conn, user_id=someone.id)
        failures, _ = audit_log.audit_log(conn=conn, user_id=someone.id, action="login.failure")
        future, none = audit_log.audit_log(
            conn=conn, user_id=someone.id, since=admin_audit.day("2099-01-01")
        )
    assert total == 2 and set(rows["action"]) == {"login.failure", "login.success"}
    assert failures["action"].tolist() == ["login.failure"]
    assert none == 0 and future.empty


def test_the_audit_grid_sorts_and_filters_entries_and_exports_what_it_shows(db):
    someone = create_test_account("viewer")
    login(new_client(), someone.email, "wrong password here")
    login(new_client(), someone.email)
    grid = {
        "sort": [["action", "asc"]],
        "filter": {"email": {"filterType": "text", "type": "equals", "filter": someone.email}},
        "hide": ["ip_address"],
    }
    view = VIEWS["audit-log"]
    with acting_as("admin"):
        found, count = admin_audit.rows(
            request={
                "startRow": 0,
                "sortModel": [{"colId": "action", "sort": "asc"}],
                "filterModel": grid["filter"],
            },
            query={},
        )
        exported = view.part_by_key["entries"].rows(view.state({"grid": json.dumps(grid)}))
    assert [row["action"] for row in found["rowData"]] == ["login.failure", "login.success"]
    assert count == "2 entries match" and {r["email"] for r in found["rowData"]} == {someone.email}
    assert exported["Action"].tolist() == ["login.failure", "login.success"]
    assert "From" not in exported and "When" in exported


def test_inviting_again_replaces_the_first_link(db, caplog):
    caplog.set_level(logging.WARNING, logger="beacon.mail")

    def invited_link(seen: set[str]) -> str:
        with acting_as("admin"):
            admin_users.invite(
                _clicks=1, email="late@school.example", name="Late", role="viewer",
                region_values=[],
            )  # fmt: skip
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            link = mailed_link(caplog)
            if link not in seen:
                return link
            time.sleep(0.05)
        raise AssertionError("no second link was mailed")

    first = invited_link(set())
    second = invited_link({first})

    assert choose_password(first) != 302  # the older link of two no longer works
    assert choose_password(second) == 302


def choose_password(link: str) -> int:
    """Open a mailed link and choose a password with it: the answer's status (302: done)."""
    client = new_client()
    return client.post(
        "/reset-password",
        data={
            "csrf_token": csrf(client, link),
            "token": link.split("=")[1],
            "password": "harbour pencil orbit 77",
            "confirm": "harbour pencil orbit 77",
        },
    ).status_code

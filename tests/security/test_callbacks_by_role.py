"""Attack the running app: every Dash callback, anonymous and with the wrong role; forged
inputs; injection strings. The callback list comes from the app itself (/_dash-dependencies),
so a callback added later is attacked too."""

from __future__ import annotations

import json

import dash
import pytest

import app as beacon
from auth.access import ROLES
from tests.auth.helpers import login, new_client, payload, server_callbacks
from tests.conftest import create_test_account


@pytest.fixture
def db(seeded_url, use_database):
    use_database(seeded_url)
    return seeded_url


def signed_in(role: str, regions=()):
    account = create_test_account(role, regions)
    client = new_client()
    assert login(client, account.email).status_code == 302
    return client


def cancels(callback: dict) -> dict | None:
    """The background callback whose cancel button this Dash-made cancel callback serves."""
    button = callback["output"].removesuffix(".id")
    for entry in beacon.app.callback_map.values():
        if any(c.get("id") == button for c in (entry.get("background") or {}).get("cancel", [])):
            return entry
    return None


def roles_of(callback: dict) -> tuple[str, ...] | None:
    """The roles a callback allows, from the function registered for it (None: Dash's own).
    Dash's cancel callbacks are held to the roles of the job they cancel."""
    entry = beacon.app.callback_map.get(callback["output"])
    func = entry.get("callback") if entry else None
    if getattr(func, "__name__", "") == "cancel_call":
        func = cancels(callback)["callback"]
    while func is not None and not hasattr(func, "allowed_roles"):
        func = getattr(func, "__wrapped__", None)
    return getattr(func, "allowed_roles", None)


def test_every_callback_of_ours_declares_its_roles(db):
    callbacks = server_callbacks(signed_in("admin"))
    assert len(callbacks) >= 8
    ours = [c for c in callbacks if "_pages_" not in c["output"]]
    missing = [c["output"] for c in ours if roles_of(c) is None]
    assert missing == []


def test_anonymous_requests_to_every_callback_get_401_and_no_data(db):
    callbacks = server_callbacks(signed_in("admin"))
    anonymous = new_client()
    for callback in callbacks:
        response = anonymous.post("/_dash-update-component", json=payload(callback))
        assert response.status_code == 401, callback["output"]
        assert "response" not in response.get_data(as_text=True)
    assert anonymous.get("/_dash-dependencies").status_code == 401
    assert anonymous.get("/_dash-layout").status_code == 401


@pytest.mark.parametrize("role", ROLES)
def test_wrong_role_requests_to_every_callback_get_403_and_no_data(db, role):
    callbacks = server_callbacks(signed_in("admin"))
    client = signed_in(role, regions=(1,))
    refused = 0
    for callback in callbacks:
        allowed = roles_of(callback)
        if allowed is None or role in allowed:
            continue
        response = client.post("/_dash-update-component", json=payload(callback))
        assert response.status_code == 403, callback["output"]
        assert "response" not in response.get_data(as_text=True)
        refused += 1
    assert (refused > 0) == (role != "admin")


def test_the_right_role_gets_an_answer_from_every_callback(db):
    """The same payloads do reach the callbacks for an allowed role: the 401/403 above are real."""
    client = signed_in("admin")
    for callback in server_callbacks(client):
        response = client.post("/_dash-update-component", json=payload(callback))
        assert response.status_code in (200, 204), (callback["output"], response.status_code)


def pages_callback(client) -> dict:
    return next(c for c in server_callbacks(client) if "_pages_content" in c["output"])


@pytest.mark.parametrize("path", ["/admin/users", "/admin/audit"])
def test_a_forged_pathname_does_not_open_an_admin_page(db, path):
    client = signed_in("viewer")
    admin_email = create_test_account("admin").email
    body = payload(
        pages_callback(signed_in("admin")),
        {"pathname": path, "search": "", "hash": "", "href": f"http://localhost{path}"},
    )
    response = client.post("/_dash-update-component", json=body)
    text = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "You do not have access to this page" in text
    assert admin_email not in text and "Invite someone" not in text


def nav_links(node) -> set[str]:
    """Every NavLink href in a Dash layout JSON."""
    found: set[str] = set()
    if isinstance(node, dict):
        if node.get("type") == "NavLink":
            found.add(node["props"]["href"])
        for value in node.values():
            found |= nav_links(value)
    elif isinstance(node, list):
        for value in node:
            found |= nav_links(value)
    return found


def test_the_navigation_lists_only_what_the_role_may_open(db):
    for role in ROLES:
        expected = {
            p["relative_path"]
            for p in dash.page_registry.values()
            if p.get("nav", True) and role in p["roles"]
        }
        shown = nav_links(signed_in(role).get("/_dash-layout").get_json())
        assert shown == expected, role
    assert "/admin/users" not in nav_links(signed_in("manager").get("/_dash-layout").get_json())


def test_a_forged_session_id_ends_nobody_elses_session(db):
    victim = create_test_account("viewer")
    victim_client = new_client()
    login(victim_client, victim.email)
    from data import accounts
    from data.engine import connect

    with connect() as conn:
        victim_session = int(accounts.sessions_of(conn=conn, user_id=victim.id)["id"].iloc[0])
    attacker = signed_in("viewer")
    revoke = next(c for c in server_callbacks(attacker) if "sessions-result" in c["output"])
    body = payload(revoke)
    body["inputs"] = [
        [
            {
                "id": {"type": "sessions-revoke", "index": victim_session},
                "property": "n_clicks",
                "value": 1,
            }
        ]
    ]
    body["changedPropIds"] = [
        json.dumps({"index": victim_session, "type": "sessions-revoke"}, separators=(",", ":"))
        + ".n_clicks"
    ]
    response = attacker.post("/_dash-update-component", json=body)
    assert response.status_code == 200
    assert "already ended" in response.get_data(as_text=True)
    assert victim_client.get("/_dash-layout").status_code == 200


@pytest.mark.parametrize(
    "evil", ["' OR '1'='1", "admin@beacon.demo'--", '" ; DROP TABLE users; --']
)
def test_injection_strings_in_the_sign_in_form_are_just_wrong_passwords(db, evil):
    response = login(new_client(), evil, evil)
    assert response.status_code == 401
    assert signed_in("admin").get("/_dash-layout").status_code == 200  # users table still there


def test_injection_strings_in_audit_filters_match_nothing_and_break_nothing(db):
    client = signed_in("admin")
    callbacks = server_callbacks(client)
    narrow = next(c for c in callbacks if "audit-entries" in c["output"] and "query" in c["output"])
    rows = next(c for c in callbacks if "audit-entries" in c["output"] and "getRows" in c["output"])
    body = payload(narrow, {"value": None, "start_date": "2026-01-01' OR 1=1 --"})
    assert client.post("/_dash-update-component", json=body).status_code == 200
    body = payload(narrow)
    body["inputs"][1]["value"] = "%' OR 1=1 --"
    answer = client.post("/_dash-update-component", json=body).get_json()
    query = next(iter(answer["response"].values()))["data"]
    assert query["action"] == "%' OR 1=1 --"  # kept as text, never as SQL
    evil_sort = [{"colId": "occurred_at; DROP TABLE audit_log", "sort": "asc"}]
    request = {"startRow": 0, "endRow": 100, "sortModel": evil_sort}
    body = payload(rows, {"getRowsRequest": request, "data": query})
    text = client.post("/_dash-update-component", json=body).get_data(as_text=True)
    assert '"rowCount": 0' in text.replace('"rowCount":0', '"rowCount": 0')
    assert "0 entries match" in text

"""Sign-in, sessions, sign-out, reset and rate limits, against the real app and database."""

import logging
from datetime import timedelta

import pytest
from flask import Flask

from auth.requests import now
from auth.setup import init_auth
from auth.tokens import new_token
from data import accounts
from data import audit as audit_log
from data.engine import connect, transaction
from settings import Settings
from tests.auth.helpers import (
    csrf,
    login,
    logout,
    mailed_link,
    new_client,
    replay,
    session_cookie,
    signed_in_ok,
)
from tests.conftest import PASSWORD, create_test_account


@pytest.fixture
def db(sqlite_url, use_database):
    use_database(sqlite_url)
    return sqlite_url


def actions(user_id: int | None = None) -> list[str]:
    with connect() as conn:
        rows, _ = audit_log.audit_log(conn=conn, user_id=user_id, limit=100)
    return rows["action"].tolist()


def test_anonymous_visitors_are_sent_to_sign_in(db):
    client = new_client()
    response = client.get("/admin/users")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/login?next=/admin/users")
    assert client.get("/_dash-layout").status_code == 401
    assert client.get("/healthz").status_code == 200


def test_the_right_password_signs_in_and_goes_back_where_the_user_was(db):
    account = create_test_account("analyst")
    client = new_client()
    token = csrf(client, "/login?next=/admin/audit")
    response = client.post(
        "/login?next=/admin/audit",
        data={"csrf_token": token, "email": account.email.upper(), "password": PASSWORD},
    )
    assert response.status_code == 302 and response.headers["Location"] == "/admin/audit"
    assert signed_in_ok(client)
    assert "login.success" in actions(account.id)


def test_a_wrong_password_and_an_unknown_email_get_the_same_answer(db):
    account = create_test_account("viewer")
    wrong = login(new_client(), account.email, "wrong password here")
    unknown = login(new_client(), "nobody@nowhere.example", "wrong password here")
    assert wrong.status_code == unknown.status_code == 401
    message = "Email or password is wrong."
    assert message in wrong.get_data(as_text=True) and message in unknown.get_data(as_text=True)
    assert actions().count("login.failure") == 2


def test_an_offsite_next_is_ignored(db):
    account = create_test_account("viewer")
    client = new_client()
    token = csrf(client)
    response = client.post(
        "/login?next=//evil.example/x",
        data={"csrf_token": token, "email": account.email, "password": PASSWORD},
    )
    assert response.headers["Location"] == "/"


def test_a_form_without_its_csrf_token_is_refused(db):
    account = create_test_account("viewer")
    response = new_client().post("/login", data={"email": account.email, "password": PASSWORD})
    assert response.status_code == 400


def test_sign_in_starts_a_new_session_and_the_cookie_is_httponly_and_lax(db):
    account = create_test_account("viewer")
    client = new_client()
    csrf(client)
    before = session_cookie(client)
    response = login(client, account.email)
    after = session_cookie(client)
    assert before and after and before != after
    header = next(h for h in response.headers.getlist("Set-Cookie") if "beacon_session" in h)
    assert "HttpOnly" in header and "SameSite=Lax" in header
    assert not replay(before).get("/_dash-layout").status_code == 200


def test_cookies_are_secure_when_served_over_https(monkeypatch):
    monkeypatch.setenv("BEACON_PUBLIC_URL", "https://beacon.example.org")
    server = Flask("secure-check")
    init_auth(server, Settings())
    assert server.config["SESSION_COOKIE_SECURE"] is True


def test_sign_out_ends_every_session_and_refuses_the_old_cookie(empty_url, use_database):
    use_database(empty_url)
    account = create_test_account("manager")
    laptop, phone = new_client(), new_client()
    login(laptop, account.email)
    login(phone, account.email)
    old = session_cookie(laptop)
    assert signed_in_ok(laptop) and signed_in_ok(phone)
    assert logout(laptop).status_code == 302
    assert not signed_in_ok(phone)
    assert replay(old).get("/_dash-layout").status_code == 401
    assert replay(old).post("/_dash-update-component", json={}).status_code == 401


def test_disabling_an_account_ends_its_sessions_at_once(empty_url, use_database):
    use_database(empty_url)
    account = create_test_account("analyst")
    client = new_client()
    login(client, account.email)
    old = session_cookie(client)
    with transaction() as conn:
        accounts.set_active(conn=conn, user_id=account.id, active=False, now=now())
    assert replay(old).get("/_dash-layout").status_code == 401
    assert login(new_client(), account.email).status_code == 401


def reset_link(caplog) -> str:
    return mailed_link(caplog)


def test_password_reset_is_single_use_and_ends_other_sessions(db, caplog):
    account = create_test_account("viewer")
    elsewhere = new_client()
    login(elsewhere, account.email)
    caplog.set_level(logging.WARNING, logger="beacon.mail")
    client = new_client()
    known = client.post(
        "/forgot-password",
        data={"csrf_token": csrf(client, "/forgot-password"), "email": account.email},
    )
    unknown = client.post(
        "/forgot-password",
        data={"csrf_token": csrf(client, "/forgot-password"), "email": "nobody@nowhere.example"},
    )
    assert known.get_data(as_text=True) == unknown.get_data(as_text=True)
    link = reset_link(caplog)
    token = csrf(client, link)

    def set_password(password: str, confirm: str | None = None):
        return client.post(
            "/reset-password",
            data={
                "csrf_token": token,
                "token": link.split("=")[1],
                "password": password,
                "confirm": confirm or password,
            },
        )

    assert set_password("password1234").status_code == 422  # common: refused, link still good
    assert set_password("violet tractor mango 43", "different").status_code == 422
    assert set_password("harbour pencil orbit 77").status_code == 302
    assert set_password("harbour pencil orbit 78").status_code == 400  # used once already
    assert not signed_in_ok(elsewhere)
    assert login(new_client(), account.email, PASSWORD).status_code == 401
    assert login(new_client(), account.email, "harbour pencil orbit 77").status_code == 302
    assert {"password.reset_requested", "password.changed"} <= set(actions(account.id))


def test_an_expired_reset_link_is_refused(db):
    account = create_test_account("viewer")
    token, hashed = new_token()
    with transaction() as conn:
        accounts.create_password_token(
            conn=conn,
            user_id=account.id,
            token_hash=hashed,
            purpose="reset",
            now=now() - timedelta(hours=2),
            expires_at=now() - timedelta(hours=1),
        )
    client = new_client()
    response = client.post(
        "/reset-password",
        data={
            "csrf_token": csrf(client, f"/reset-password?token={token}"),
            "token": token,
            "password": "harbour pencil orbit 77",
            "confirm": "harbour pencil orbit 77",
        },
    )
    assert response.status_code == 400
    assert "expired or was already used" in response.get_data(as_text=True)


def test_sign_in_is_rate_limited_per_account(db, monkeypatch):
    monkeypatch.setenv("BEACON_LOGIN_ACCOUNT_LIMIT", "3 per 15 minutes")
    from settings import get_settings

    get_settings.cache_clear()
    account = create_test_account("viewer")
    for _ in range(3):
        assert login(new_client(), account.email, "not the password").status_code == 401
    blocked = login(new_client(), account.email)  # even the right password waits now
    assert blocked.status_code == 429
    assert "Too many sign-in attempts" in blocked.get_data(as_text=True)
    assert "login.rate_limited" in actions()


def test_signing_in_with_the_right_password_does_not_use_up_the_accounts_limit(db, monkeypatch):
    """Only refused sign-ins count against an account: its owner signing in again and again
    (eight times in two minutes locked them out) is not guessing."""
    monkeypatch.setenv("BEACON_LOGIN_ACCOUNT_LIMIT", "3 per 15 minutes")
    from settings import get_settings

    get_settings.cache_clear()
    account = create_test_account("viewer")
    for _ in range(5):
        assert login(new_client(), account.email).status_code == 302
    for _ in range(3):
        assert login(new_client(), account.email, "not the password").status_code == 401
    assert login(new_client(), account.email).status_code == 429  # guesses still count


def test_colleagues_signing_in_from_one_address_do_not_use_up_its_limit(db, monkeypatch):
    """An office behind one address: its people signing in count nothing against the
    address; guesses from it still do."""
    monkeypatch.setenv("BEACON_LOGIN_IP_LIMIT", "3 per 15 minutes")
    from settings import get_settings

    get_settings.cache_clear()
    colleagues = [create_test_account("viewer") for _ in range(5)]
    for person in colleagues:
        assert login(new_client(), person.email).status_code == 302
    for i in range(3):
        assert login(new_client(), f"guess{i}@nowhere.example", "x" * 12).status_code == 401
    assert login(new_client(), colleagues[0].email).status_code == 429


def test_signing_in_on_a_loop_from_one_address_meets_its_ceiling(db, monkeypatch):
    """Successes do not count against the address's limit of refusals, but every sign-in
    counts against its ceiling: a valid account cannot sign in without end."""
    monkeypatch.setenv("BEACON_LOGIN_IP_CEILING", "4 per 15 minutes")
    from settings import get_settings

    get_settings.cache_clear()
    account = create_test_account("viewer")
    for _ in range(4):
        assert login(new_client(), account.email).status_code == 302
    assert login(new_client(), account.email).status_code == 429


def test_a_forged_x_forwarded_for_does_not_reset_the_address_limit(db, monkeypatch):
    monkeypatch.setenv("BEACON_LOGIN_IP_LIMIT", "3 per 15 minutes")
    from settings import get_settings

    get_settings.cache_clear()
    for i in range(3):
        response = login(
            new_client(),
            f"guess{i}@nowhere.example",
            "x" * 12,
            **{"X-Forwarded-For": f"198.51.100.{i}"},
        )
        assert response.status_code == 401
    response = login(
        new_client(), "guess9@nowhere.example", "x" * 12, **{"X-Forwarded-For": "203.0.113.77"}
    )
    assert response.status_code == 429


def test_a_requests_session_and_account_come_in_one_query(empty_url, use_database):
    """#26: every request reads its session, its account and the account's regions in one
    statement; the account is the one `account_by_id` reads, regions in order."""
    from sqlalchemy import event, insert

    from data.engine import get_engine
    from data.models import Region

    use_database(empty_url)
    with transaction() as conn:
        conn.execute(insert(Region), [{"code": f"R{n}", "name": f"Region {n}"} for n in (1, 2, 3)])
    people = [
        create_test_account("analyst"),
        create_test_account("manager", (3, 1)),
        create_test_account("manager", (2,)),
    ]
    tokens, reads = [], []
    for person in people:
        _, hashed = new_token()
        tokens.append(hashed)
        with transaction() as conn:
            accounts.start_session(
                conn=conn, user_id=person.id, token_hash=hashed, ip=None, user_agent=None, now=now()
            )
        statements: list[str] = []

        def listener(*args, statements=statements):  # type: ignore[no-untyped-def]
            statements.append(args[2])

        event.listen(get_engine(), "before_cursor_execute", listener)
        try:
            with connect() as conn:
                live = accounts.live_session(conn=conn, token_hash=hashed)
        finally:
            event.remove(get_engine(), "before_cursor_execute", listener)
        reads.append([s for s in statements if s.lstrip().upper().startswith("SELECT")])
        with connect() as conn:
            assert live is not None
            assert live.account == accounts.account_by_id(conn=conn, user_id=person.id)
    assert [len(r) for r in reads] == [1, 1, 1]
    assert [p.region_ids for p in people] == [(), (1, 3), (2,)]
    # A revoked session, or a disabled account's, is no session.
    with transaction() as conn:
        accounts.revoke_sessions(conn=conn, user_id=people[1].id, now=now())
        accounts.set_active(conn=conn, user_id=people[2].id, active=False, now=now())
    with connect() as conn:
        live = [accounts.live_session(conn=conn, token_hash=t) for t in tokens]
    assert live[0] is not None and live[1:] == [None, None]


def test_the_header_names_the_regions_a_scoped_user_sees(seeded_engine):
    with connect() as conn:
        regions = accounts.regions_table(conn=conn).set_index("id")["name"]
    manager = create_test_account("manager", (int(regions.index[1]), int(regions.index[0])))
    analyst = create_test_account("analyst")
    shown = {}
    for account in (manager, analyst):
        client = new_client()
        login(client, account.email)
        shown[account.role] = client.get("/_dash-layout").get_data(as_text=True)
    scope = f"{regions.iloc[0]}, {regions.iloc[1]}"
    assert f'"Sees {scope}"' in shown["manager"] and f'"children":"{scope}"' in shown["manager"]
    assert "user-scope" not in shown["analyst"]

"""What every answer tells the browser (CSP, nosniff, referrer, permissions, no server
banner), how large a request may be, and how often a password link may be asked for."""

from __future__ import annotations

import logging
import socketserver
import threading

import pytest
import requests

from settings import get_settings
from tests.auth.helpers import csrf, new_client, server_callbacks
from tests.conftest import create_test_account
from tests.security.conftest import browser_session
from tests.security.test_callbacks_by_role import signed_in


@pytest.fixture
def db(seeded_url, use_database):  # type: ignore[no-untyped-def]
    use_database(seeded_url)
    return seeded_url


def assert_hardened(headers) -> None:  # type: ignore[no-untyped-def]
    policy = headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "object-src 'none'" in policy
    script = next(p for p in policy.split("; ") if p.startswith("script-src"))
    assert "'unsafe-inline'" not in script and "'unsafe-eval'" not in script
    assert "'sha256-" in script  # Dash's own inline scripts, by their hashes
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert "camera=()" in headers["Permissions-Policy"]
    assert headers["X-Frame-Options"] == "SAMEORIGIN"


def test_pages_sign_in_and_callbacks_send_the_security_headers(db):
    client = signed_in("analyst")
    for path in ("/", "/tutor-risk", "/credit/portfolio", "/_dash-layout", "/_dash-dependencies"):
        assert_hardened(client.get(path).headers)
    assert_hardened(new_client().get("/login").headers)
    callback = server_callbacks(client)[0]
    answer = client.post("/_dash-update-component", json={"output": callback["output"]})
    assert_hardened(answer.headers)


def test_the_server_header_names_no_software(live_server):
    answer = requests.get(f"{live_server}/login", timeout=10)
    assert answer.headers["Server"] == "Beacon"
    assert "Werkzeug" not in str(answer.headers) and "Python" not in str(answer.headers)


def test_hsts_is_sent_behind_https_only(db):
    client = new_client()
    assert "Strict-Transport-Security" not in client.get("/login").headers
    secure = client.get("/login", base_url="https://localhost")
    assert secure.headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_a_20_mb_body_is_refused_with_a_friendly_413(db):
    client = signed_in("admin")
    answer = client.post(
        "/_dash-update-component",
        data=b"x" * (20 * 1024 * 1024),
        content_type="application/json",
    )
    assert answer.status_code == 413
    assert "too large" in answer.get_json()["error"] and "Traceback" not in answer.text
    page = new_client().post("/login", data={"email": "x" * (2 * 1024 * 1024)})
    assert page.status_code == 413 and "too large" in page.get_data(as_text=True)


def test_forgot_password_is_rate_limited_per_address(db):
    """Every reset request counts against its address, whatever account it names (30 per
    15 minutes): one address cannot send mail without end."""
    client = new_client()
    token = csrf(client, "/forgot-password")
    limit = int(get_settings().login_ip_limit.split()[0])
    answers = [
        client.post("/forgot-password", data={"csrf_token": token, "email": f"a{i}@b.example"})
        for i in range(limit + 1)
    ]
    assert [a.status_code for a in answers] == [200] * limit + [429]
    assert "Too many requests" in answers[-1].get_data(as_text=True)


def test_one_account_gets_at_most_three_links_in_15_minutes_from_any_address(db):
    """Five reset requests for one account from five addresses are all answered alike (a
    429 keyed on a typed address would let anyone keep a colleague's form refused), but only
    three links are made and mailed; each request is audited, the held-back ones saying so.
    Another account is not held back."""
    import time

    from sqlalchemy import func, select

    from data import audit as audit_log
    from data.engine import connect
    from data.models import PasswordToken

    client = new_client()
    token = csrf(client, "/forgot-password")

    def ask(email: str, address: str) -> int:
        return client.post(
            "/forgot-password",
            data={"csrf_token": token, "email": email},
            environ_base={"REMOTE_ADDR": address},
        ).status_code

    victim, other = create_test_account("viewer"), create_test_account("viewer")
    asked = [ask(victim.email, f"198.51.100.{i}") for i in range(1, 5)]
    asked.append(ask(f"  {victim.email.upper()} ", "198.51.100.9"))  # however it is written
    assert asked == [200] * 5
    assert ask(other.email, "198.51.100.9") == 200

    def requested(user_id: int) -> list:
        with connect() as conn:
            rows, _ = audit_log.audit_log(conn=conn, user_id=user_id, limit=50)
        return [
            d
            for a, d in zip(rows["action"], rows["detail"], strict=True)
            if a == "password.reset_requested"
        ]

    for _ in range(200):  # the links are made off the request path
        if len(requested(victim.id)) == 5 and requested(other.id):
            break
        time.sleep(0.05)
    with connect() as conn:
        links = dict(
            conn.execute(
                select(PasswordToken.user_id, func.count()).group_by(PasswordToken.user_id)
            ).all()
        )
    assert links.get(victim.id) == 3 and links.get(other.id) == 1
    held = [d for d in requested(victim.id) if "links in 15 minutes already" in str(d)]
    assert len(held) == 2


class HeldMailServer:
    """A real SMTP server on loopback that holds every message until told to let go, as a
    slow mail relay would."""

    def __init__(self) -> None:
        self.release, self.received = threading.Event(), []
        outer = self

        class Handler(socketserver.StreamRequestHandler):
            def say(self, line: str) -> None:
                self.wfile.write((line + "\r\n").encode())

            def handle(self) -> None:
                self.say("220 held.test ready")
                while line := self.rfile.readline().decode():
                    verb = line[:4].upper()
                    if verb == "DATA":
                        self.say("354 go on")
                        body = []
                        while (part := self.rfile.readline().decode()) not in (".\r\n", ""):
                            body.append(part)
                        outer.release.wait(30)
                        outer.received.append("".join(body))
                        self.say("250 kept")
                    elif verb == "QUIT":
                        self.say("221 bye")
                        return
                    else:
                        self.say("250 ok")

        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def port(self) -> int:
        return int(self.server.server_address[1])


def test_the_answer_never_waits_for_the_mail_server(db, monkeypatch, caplog):
    caplog.set_level(logging.WARNING, logger="beacon.mail")
    relay = HeldMailServer()
    for name, value in {
        "BEACON_MAIL_BACKEND": "smtp",
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(relay.port),
        "SMTP_STARTTLS": "false",
    }.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    known = create_test_account("viewer")
    client = new_client()
    token = csrf(client, "/forgot-password")
    answers = {
        email: client.post("/forgot-password", data={"csrf_token": token, "email": email})
        for email in (known.email, "nobody@nowhere.example")
    }
    # Both answered, the same, while the relay still holds the known address's mail.
    assert {a.status_code for a in answers.values()} == {200}
    assert len({a.get_data(as_text=True) for a in answers.values()}) == 1
    assert relay.received == []
    relay.release.set()
    for _ in range(200):
        if relay.received:
            break
        threading.Event().wait(0.05)
    assert len(relay.received) == 1 and known.email in relay.received[0]
    assert "http://beacon.test/reset-password?token=" in relay.received[0]
    relay.server.shutdown()
    get_settings.cache_clear()


def test_http_answers_to_a_signed_in_browser_are_hardened_too(live_server):
    person = browser_session(live_server, "viewer")
    assert_hardened(person.get(f"{live_server}/", timeout=10).headers)


def test_eight_links_asked_at_once_make_at_most_three(db):
    """Mail workers asked at once count one after the other (the account's row is locked
    while it counts), so the cap of 3 links in 15 minutes holds under a burst too."""
    from concurrent.futures import ThreadPoolExecutor

    from sqlalchemy import func, select

    from auth.outbox import send_password_link
    from data.engine import connect
    from data.models import PasswordToken

    victim = create_test_account("viewer")

    def ask(_: int) -> str | None:
        try:
            send_password_link(email=victim.email, purpose="reset", ip="198.51.100.7")
        except Exception as error:  # noqa: BLE001 - SQLite may refuse a second writer
            return type(error).__name__
        return None

    with ThreadPoolExecutor(max_workers=8) as pool:
        failed = [e for e in pool.map(ask, range(8)) if e]
    with connect() as conn:
        made = conn.execute(
            select(func.count()).where(PasswordToken.user_id == victim.id)
        ).scalar_one()
    assert 1 <= made <= 3, (made, failed)
    if db.startswith("postgresql"):
        assert made == 3 and not failed

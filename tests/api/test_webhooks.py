"""Webhooks delivered to a real HTTP receiver on this machine: signed, retried after a 500,
on the delivery log, and only to endpoints whose token may see the event."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import select

from actions.base import Actor
from actions.webhooks import emit, register_endpoint
from data import accounts, webhooks
from data.engine import connect, transaction
from data.models import WebhookDelivery, WebhookEndpoint
from jobs import schedule
from jobs.webhooks import MAX_ATTEMPTS, backoff, deliver_due
from settings import get_settings
from tests.api.conftest import as_role, new_token


class Receiver:
    """Records each POST; answers the statuses queued in `answers` first, then 204."""

    def __init__(self) -> None:
        self.received: list[dict[str, object]] = []
        self.answers: list[int] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - the http.server name
                body = self.rfile.read(int(self.headers["Content-Length"])).decode()
                receiver.received.append({"headers": dict(self.headers), "body": body})
                status = receiver.answers.pop(0) if receiver.answers else 204
                self.send_response(status)
                self.end_headers()

            def log_message(self, *_args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"


@pytest.fixture(autouse=True)
def _local_receivers_allowed(monkeypatch):  # type: ignore[no-untyped-def]
    """The receiver runs on this machine, which a deployment refuses by default."""
    monkeypatch.setenv("BEACON_WEBHOOK_ALLOW_LOCAL", "true")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    hub = Receiver()
    thread = threading.Thread(target=hub.server.serve_forever, daemon=True)
    thread.start()
    yield hub
    hub.server.shutdown()


def endpoint_for(receiver: Receiver, role: str, events: list[str], regions=()):  # type: ignore[no-untyped-def]
    _secret, token_id, owner = new_token(role, tuple(regions))
    admin = Actor(user_id=owner, display_name="Owner", role="admin")
    made = register_endpoint(
        actor=admin, name=f"{role} hook", url=receiver.url, token_id=token_id, events=events,
        now=datetime.now(UTC),
    )  # fmt: skip
    assert not hasattr(made, "message"), made
    return made


def verified(secret: str, delivery: dict[str, object]) -> dict[str, object]:
    """What a receiver does: check the signature over "t.body", then read the event."""
    headers, body = delivery["headers"], str(delivery["body"])
    assert isinstance(headers, dict)
    stamp, signature = (part.split("=", 1)[1] for part in headers["Beacon-Signature"].split(","))
    expected = hmac.new(secret.encode(), f"{stamp}.{body}".encode(), hashlib.sha256).hexdigest()
    assert hmac.compare_digest(signature, expected)
    assert abs(int(stamp) - datetime.now(UTC).timestamp()) < 120
    event = json.loads(body)
    assert headers["Beacon-Event"] == event["type"] and headers["Beacon-Delivery"] == event["id"]
    return event


def test_a_finished_import_is_delivered_signed_to_the_receiver(server, receiver):
    hook = endpoint_for(receiver, "admin", ["import.finished"])
    admin = as_role(server, "admin")
    record = {
        "external_id": "LMS-hook-1",
        "tutor_id": "beacon-5",
        "student_id": "beacon-7",
        "scheduled_start": "2026-01-20T15:00:00+00:00",
        "duration_minutes": 60,
        "status": "completed",
    }
    loaded = admin.post("/api/v1/events/tutoring_sessions", json={"records": [record]}).json()
    assert deliver_due().delivered == 1
    (delivery,) = receiver.received
    event = verified(hook.secret, delivery)
    assert event["type"] == "import.finished"
    assert event["data"]["load_id"] == loaded["load_id"] and event["data"]["outcome"] == "loaded"
    with connect() as conn:
        log = webhooks.delivery_log(conn=conn)
    assert log.iloc[0]["status"] == "delivered" and log.iloc[0]["attempts"] == 1
    assert deliver_due().delivered == 0  # sent once


def test_a_500_is_retried_after_the_backoff_and_then_delivered(server, receiver):
    hook = endpoint_for(receiver, "admin", ["refresh.failed"])
    receiver.answers = [500]
    now = datetime.now(UTC)
    with transaction() as conn:
        emit(conn, event="refresh.failed", region_id=None, data={"run_id": 1}, now=now)
    first = deliver_due(now=now)
    assert (first.delivered, first.retrying) == (0, 1)
    with connect() as conn:
        row = webhooks.delivery_log(conn=conn).iloc[0]
    assert row["status"] == "pending" and row["last_status"] == 500 and row["attempts"] == 1
    assert deliver_due(now=now + timedelta(seconds=5)).delivered == 0  # not yet due
    assert deliver_due(now=now + backoff(1) + timedelta(seconds=1)).delivered == 1
    assert len(receiver.received) == 2
    first_body, second_body = (verified(hook.secret, d) for d in receiver.received)
    assert first_body["id"] == second_body["id"]  # the same event, delivered again


def test_a_delivery_gives_up_after_the_last_attempt(server, receiver):
    endpoint_for(receiver, "admin", ["refresh.failed"])
    receiver.answers = [503] * MAX_ATTEMPTS
    moment = datetime.now(UTC)
    with transaction() as conn:
        emit(conn, event="refresh.failed", region_id=None, data={}, now=moment)
    for attempt in range(1, MAX_ATTEMPTS + 1):
        deliver_due(now=moment)
        moment += backoff(attempt) + timedelta(seconds=1)
    with connect() as conn:
        row = webhooks.delivery_log(conn=conn).iloc[0]
    assert row["status"] == "failed" and row["attempts"] == MAX_ATTEMPTS
    assert len(receiver.received) == MAX_ATTEMPTS


def test_events_go_only_where_the_token_s_scope_covers_them(server, receiver):
    with connect() as conn:
        regions = accounts.regions_table(conn=conn)
    own, other = int(regions["id"].iloc[0]), int(regions["id"].iloc[1])
    manager = endpoint_for(receiver, "manager", ["tutor.risk_raised", "refresh.failed"], [own])
    analyst = endpoint_for(receiver, "analyst", ["tutor.risk_raised", "refresh.failed"])
    now = datetime.now(UTC)
    with transaction() as conn:
        mine = emit(conn, event="tutor.risk_raised", region_id=own, data={}, now=now)
        theirs = emit(conn, event="tutor.risk_raised", region_id=other, data={}, now=now)
        system = emit(conn, event="refresh.failed", region_id=None, data={}, now=now)
    assert (mine, theirs, system) == (2, 1, 0)  # refresh.failed is for admins' tokens only
    with connect() as conn:
        to = conn.execute(select(WebhookDelivery.endpoint_id, WebhookDelivery.event)).all()
    assert sorted(to) == sorted(
        [
            (manager.endpoint_id, "tutor.risk_raised"),  # type: ignore[union-attr]
            (analyst.endpoint_id, "tutor.risk_raised"),  # type: ignore[union-attr]
            (analyst.endpoint_id, "tutor.risk_raised"),  # type: ignore[union-attr]
        ]
    )


def test_a_failed_refresh_queues_its_event(server, receiver, monkeypatch):
    from jobs import refresh

    hook = endpoint_for(receiver, "admin", ["refresh.failed"])

    def broken() -> tuple[int, str | None]:
        raise RuntimeError("the warehouse is unreachable")

    monkeypatch.setitem(refresh.STEPS, "refresh", [("Breaking", broken)])
    with pytest.raises(RuntimeError):
        refresh.run(job="refresh")
    deliver_due()
    event = verified(hook.secret, receiver.received[0])
    assert event["type"] == "refresh.failed"
    assert event["data"]["error"] == "RuntimeError"  # the kind only: the text stays inside
    assert "warehouse" not in receiver.received[0]["body"]


def test_registration_takes_https_or_this_machine_only_and_an_admin(server, receiver):
    _secret, token_id, owner = new_token("admin")
    admin = Actor(user_id=owner, display_name="Owner", role="admin")

    def register(url: str, **kw: object) -> object:
        return register_endpoint(
            actor=kw.get("actor", admin), name="x", url=url, token_id=token_id,  # type: ignore[arg-type]
            events=kw.get("events", ["refresh.failed"]), now=datetime.now(UTC),
        )  # fmt: skip

    public = "https://93.184.215.14/hook"  # an address literal: these tests need no DNS
    assert "HTTPS" in register("http://93.184.215.14/hook").message  # type: ignore[attr-defined]
    assert "URL" in register("javascript:alert(1)").message  # type: ignore[attr-defined]
    assert "Events" in register(public, events=["everything"]).message  # type: ignore[attr-defined]
    assert register(public).secret.startswith("whsec_")  # type: ignore[attr-defined]
    viewer = Actor(user_id=owner, display_name="V", role="viewer")
    assert register(public, actor=viewer).denied  # type: ignore[attr-defined]


def test_a_deployment_refuses_private_and_local_addresses(server, monkeypatch):
    from actions.webhooks import url_problem

    monkeypatch.setenv("BEACON_WEBHOOK_ALLOW_LOCAL", "false")
    get_settings.cache_clear()
    for inside in (
        "https://10.0.0.5/hook",
        "https://127.0.0.1/hook",
        "https://169.254.169.254/latest/meta-data",
        "https://[::1]/hook",
        "https://localhost/hook",
    ):
        assert "private network" in str(url_problem(inside)), inside
    assert "HTTPS only" in str(url_problem("http://127.0.0.1:8099/hook"))
    assert url_problem("https://93.184.215.14/hook") is None


def test_a_demoted_owner_s_token_and_webhooks_stop_at_once(server, receiver):
    from sqlalchemy import update

    from data.models import Role, User

    hook = endpoint_for(receiver, "admin", ["refresh.failed"])
    with connect() as conn:
        owner = conn.execute(
            select(WebhookEndpoint.created_by).where(WebhookEndpoint.id == hook.endpoint_id)
        ).scalar_one()
        viewer = conn.execute(select(Role.id).where(Role.name == "viewer")).scalar_one()
    with transaction() as conn:
        emit(conn, event="refresh.failed", region_id=None, data={}, now=datetime.now(UTC))
        conn.execute(update(User).where(User.id == owner).values(role_id=viewer))
    assert deliver_due().delivered == 0 and receiver.received == []  # queued, never sent
    with transaction() as conn:
        assert (
            emit(conn, event="refresh.failed", region_id=None, data={}, now=datetime.now(UTC)) == 0
        )


def test_the_embedded_scheduler_sends_webhooks_in_the_background():
    scheduler = schedule.embedded_scheduler(get_settings())
    job = scheduler.get_job("webhooks")
    assert job is not None and job.trigger.interval == timedelta(seconds=15)

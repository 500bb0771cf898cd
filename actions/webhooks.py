"""Webhooks: admins register an HTTPS endpoint for chosen events, under one API token whose
scope decides what it hears; events are queued in the transaction of what caused them
(`emit`), and jobs.webhooks sends them, signed, with retries."""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import secrets
import socket
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import Connection

from actions.base import Actor, Refused, is_id, record
from data import api_tokens, webhooks
from data.engine import connect, transaction
from data.models.api import WEBHOOK_EVENTS
from settings import get_settings
from vocabulary import ROLES, STAFF

ADMINS = ("admin",)
EVERYONE = ROLES
# Who may hear each event: the roles of the page that shows it.
EVENT_ROLES: dict[str, tuple[str, ...]] = {
    "watchlist.alert_raised": EVERYONE,  # the Watchlist
    "tutor.risk_raised": EVERYONE,  # Tutor risk
    "refresh.failed": ADMINS,  # Admin > Data refresh
    "import.finished": ADMINS,  # Admin > Data import
    "credit.drift_high": STAFF,  # Credit monitoring
}
EVENT_LABELS = {
    "watchlist.alert_raised": "Watchlist alert raised",
    "tutor.risk_raised": "Tutor moved into high or critical risk",
    "refresh.failed": "Refresh failed",
    "import.finished": "Import finished",
    "credit.drift_high": "Credit drift above PSI 0.25",
}
assert set(EVENT_ROLES) == set(EVENT_LABELS) == set(WEBHOOK_EVENTS)


@dataclass(frozen=True)
class NewEndpoint:
    endpoint_id: int
    secret: str  # shown once


def signing_secret(salt: str) -> str:
    """An endpoint's secret, derived from SECRET_KEY: the database alone cannot sign."""
    key = get_settings().secret_key.get_secret_value().encode()  # type: ignore[union-attr]
    return "whsec_" + hmac.new(key, f"webhook:{salt}".encode(), hashlib.sha256).hexdigest()


def sign(secret: str, timestamp: int, body: str) -> str:
    """The Beacon-Signature value: `t=<unix time>,v1=<HMAC-SHA256 of "t.body">`."""
    digest = hmac.new(secret.encode(), f"{timestamp}.{body}".encode(), hashlib.sha256)
    return f"t={timestamp},v1={digest.hexdigest()}"


def url_problem(url: str) -> str | None:
    """A public HTTPS address. Private, loopback, link-local and reserved addresses (what
    the host name resolves to, too) only with BEACON_WEBHOOK_ALLOW_LOCAL, and plain HTTP
    only to this machine then: an admin cannot aim Beacon at the inside of the network."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return "URL: write a full address like https://example.org/beacon-hook."
    if len(url) > 2000 or not parts.hostname or parts.username or parts.password:
        return "URL: write a full address like https://example.org/beacon-hook."
    local_allowed = get_settings().webhook_allow_local
    if parts.scheme != "https" and not (
        parts.scheme == "http" and local_allowed and _loopback(parts.hostname)
    ):
        return "URL: Beacon sends events over HTTPS only."
    addresses = resolved(parts.hostname, port or (443 if parts.scheme == "https" else 80))
    if addresses is None:
        return "URL: that host name does not resolve."
    if not local_allowed and any(not a.is_global for a in addresses):
        return "URL: that address is inside a private network; Beacon sends to public ones."
    return None


def resolved(host: str, port: int) -> list[ipaddress.IPv4Address | ipaddress.IPv6Address] | None:
    """Every address the host name stands for now; None when it does not resolve."""
    try:
        found = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError):
        return None
    return [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in found]


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def register_endpoint(
    *,
    actor: Actor,
    name: str | None,
    url: str | None,
    token_id: object,
    events: object,
    now: datetime,
) -> NewEndpoint | Refused:
    if not actor.may(ADMINS):
        return Refused("Only admins register webhooks.", denied=True, detail={"what": "webhook"})
    name, url = (name or "").strip(), (url or "").strip()
    chosen = list(events) if isinstance(events, list | tuple) else []
    problems = [
        p
        for p in (
            None if 1 <= len(name) <= 80 else "Name: write 1 to 80 characters.",
            url_problem(url),
            None if is_id(token_id) else "Token: choose the API token it sends as.",
            None
            if chosen and set(chosen) <= set(WEBHOOK_EVENTS)
            else "Events: choose at least one event.",
        )
        if p
    ]
    if problems:
        return Refused(" ".join(problems))
    assert isinstance(token_id, int)
    with connect() as conn:
        live = {int(t) for t in api_tokens.live_token_ids(conn=conn, now=now)}
    if token_id not in live:
        return Refused("Token: choose a live API token (not revoked or expired).")
    salt = secrets.token_hex(16)
    with transaction() as conn:
        endpoint_id = webhooks.add_endpoint(
            conn=conn,
            name=name,
            url=url,
            events=sorted(set(chosen)),
            token_id=token_id,
            salt=salt,
            created_by=actor.user_id,
            now=now,
        )
        record(
            conn,
            actor,
            "webhook.registered",
            now=now,
            entity_type="webhook",
            entity_id=endpoint_id,
            name=name,
            url=url,
            events=sorted(set(chosen)),
            token=token_id,
        )
    return NewEndpoint(endpoint_id, signing_secret(salt))


def disable_endpoint(*, actor: Actor, endpoint_id: object, now: datetime) -> str | Refused:
    if not actor.may(ADMINS):
        return Refused("Only admins change webhooks.", denied=True, detail={"what": "webhook"})
    if endpoint_id is None:
        return Refused("Choose the webhook to turn off.")
    if not is_id(endpoint_id):
        return Refused("Choose a webhook from the list.", denied=True, detail={"what": "webhook"})
    assert isinstance(endpoint_id, int)
    with transaction() as conn:
        name = webhooks.disable_endpoint(conn=conn, endpoint_id=endpoint_id, now=now)
        if name is None:
            return Refused("That webhook is off already.")
        record(
            conn, actor, "webhook.disabled", now=now, entity_type="webhook", entity_id=endpoint_id
        )
    return f"Webhook “{name}” is off: nothing more is sent to it."


def emit(
    conn: Connection,
    *,
    event: str,
    region_id: int | None,
    data: dict[str, Any],
    now: datetime,
) -> int:
    """Queue `event` for every live endpoint that chose it and whose token may see it: its
    role may open the page the event belongs to, and a manager's token only hears of its
    own regions (and never of events of no region). In the caller's transaction."""
    if event not in EVENT_ROLES:
        raise ValueError(f"event must be one of {WEBHOOK_EVENTS}; got {event!r}")
    event_id = str(uuid.uuid4())
    body = json.dumps(
        {"id": event_id, "type": event, "occurred_at": now.isoformat(), "data": data},
        default=str,
        separators=(",", ":"),
    )
    deliveries = [
        {"endpoint_id": listener.endpoint_id, "event": event, "event_id": event_id, "body": body}
        for listener in webhooks.listeners(conn=conn, now=now)
        if event in listener.events
        and listener.role in EVENT_ROLES[event]
        and (listener.role != "manager" or region_id in listener.region_ids)
    ]
    return webhooks.enqueue(conn=conn, deliveries=deliveries, now=now)

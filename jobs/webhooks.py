"""Send the queued webhook deliveries: signed, one attempt each per tick, retried with
exponential backoff until the receiver answers 2xx or the attempts run out. Every worker
(the embedded scheduler's thread, or Celery) may run it: a delivery is claimed before it
is sent, so two workers never send it at once."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import requests

from actions.webhooks import sign, signing_secret, url_problem
from data import webhooks
from data.engine import connect, transaction

log = logging.getLogger("beacon.webhooks")
FIRST_RETRY = timedelta(seconds=30)
MAX_ATTEMPTS = 8  # 30 s, 1, 2, 4, 8, 16, 32 minutes: about an hour of retries
TIMEOUT_SECONDS = 10
CLAIM_FOR = timedelta(seconds=TIMEOUT_SECONDS * 3)
PER_TICK = 100


@dataclass(frozen=True)
class Sent:
    delivered: int = 0
    retrying: int = 0
    failed: int = 0


def backoff(attempts: int) -> timedelta:
    """How long after its `attempts`-th failed attempt a delivery is tried again."""
    return FIRST_RETRY * 2 ** (attempts - 1)


def deliver_due(*, now: datetime | None = None) -> Sent:
    moment = now or datetime.now(UTC)
    with connect() as conn:
        due = webhooks.due(conn=conn, now=moment, limit=PER_TICK)
    delivered = retrying = failed = 0
    for item in due:
        # Claimed from now, not from when the tick began: a long tick's last claims hold too.
        until = max(moment, datetime.now(UTC)) + CLAIM_FOR
        with transaction() as conn:
            if not webhooks.claim(conn=conn, delivery_id=item.id, seen_at=moment, until=until):
                continue  # another worker has it
        code, error = _post(item)
        attempts = item.attempts + 1
        if code is not None and 200 <= code < 300:
            status, next_at = "delivered", None
            delivered += 1
        elif attempts >= MAX_ATTEMPTS:
            status, next_at = "failed", None
            failed += 1
        else:
            status, next_at = "pending", moment + backoff(attempts)
            retrying += 1
        with transaction() as conn:
            webhooks.record_attempt(
                conn=conn,
                delivery_id=item.id,
                after=item.attempts,
                status=status,
                attempts=attempts,
                code=code,
                error=error,
                next_attempt_at=next_at,
                now=moment,
            )
    if due:
        log.info("webhooks: %s delivered, %s to retry, %s failed", delivered, retrying, failed)
    return Sent(delivered, retrying, failed)


def _post(item: webhooks.Due) -> tuple[int | None, str | None]:
    problem = url_problem(item.url)  # again at each send: what the name resolves to may change
    if problem:
        return None, problem
    timestamp = int(time.time())
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "Beacon-Webhooks/1",
        "Beacon-Event": item.event,
        "Beacon-Delivery": item.event_id,
        "Beacon-Signature": sign(signing_secret(item.salt), timestamp, item.body),
    }
    try:
        answer = requests.post(
            item.url,
            data=item.body.encode(),
            headers=headers,
            timeout=TIMEOUT_SECONDS,
            allow_redirects=False,
        )
    except Exception as error:  # noqa: BLE001 - any failure to send is this attempt's failure
        return None, f"{type(error).__name__}: could not reach the endpoint"
    if 200 <= answer.status_code < 300:
        return answer.status_code, None
    return answer.status_code, f"answered {answer.status_code}"  # never the body: not ours to keep

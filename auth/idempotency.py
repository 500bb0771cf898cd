"""The idempotency record of API requests: request-level state, like a session row. A key is
claimed before the work starts; its answer is kept for 24 hours; a claim whose request
never finished (a worker killed mid-way) may be taken again after CLAIM_EXPIRES."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from data import api_tokens
from data.engine import transaction

KEPT_FOR = timedelta(hours=24)
CLAIM_EXPIRES = timedelta(minutes=10)


def claim(
    *, token_id: int, key: str, fingerprint: str, now: datetime
) -> api_tokens.KeptAnswer | None:
    with transaction() as conn:
        return api_tokens.claim_key(
            conn=conn,
            token_id=token_id,
            key=key,
            fingerprint=fingerprint,
            now=now,
            kept_since=now - KEPT_FOR,
            claim_since=now - CLAIM_EXPIRES,
        )


def keep(*, token_id: int, key: str, status: int, body: str, headers: dict[str, Any]) -> None:
    with transaction() as conn:
        api_tokens.keep_answer(
            conn=conn, token_id=token_id, key=key, status=status, body=body, headers=headers
        )


def release(*, token_id: int, key: str) -> None:
    with transaction() as conn:
        api_tokens.release_key(conn=conn, token_id=token_id, key=key)

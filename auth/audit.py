"""Write an audit entry for the current request: inside the change's own transaction when
`conn` is given (a change and its record commit or roll back together), else on its own
(sign-in failures, denials, exports: events that change nothing else)."""

from __future__ import annotations

from typing import Any

from flask import has_request_context
from flask_login import current_user
from sqlalchemy import Connection

from auth.requests import client_ip, now
from data import audit as audit_log
from data.engine import transaction


def audit(
    action: str,
    *,
    conn: Connection | None = None,
    user_id: int | None = None,
    entity_type: str | None = None,
    entity_id: int | None = None,
    **detail: Any,
) -> None:
    if user_id is None and has_request_context() and current_user.is_authenticated:
        user_id = current_user.user_id
    if has_request_context() and getattr(current_user, "token_id", None) is not None:
        detail.setdefault("token", current_user.token_id)  # done through an API token
    entry: dict[str, Any] = {
        "action": action,
        "now": now(),
        "user_id": user_id,
        "entity_type": entity_type,
        "entity_id": entity_id,
        "ip": client_ip() if has_request_context() else None,
        "detail": detail,
    }
    if conn is not None:
        audit_log.record(conn=conn, **entry)
        return
    with transaction() as own:
        audit_log.record(conn=own, **entry)

"""Calendar files: a signed-in user's download of a filtered view, and the per-user
subscription address that calendar apps fetch without a session (a secret token)."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from flask import Blueprint, Response, abort, request

from auth.access import region_scope
from auth.audit import audit
from auth.requests import now
from components.ics import calendar_text
from data import schedules
from data.engine import connect
from settings import get_settings

blueprint = Blueprint("calendar", __name__)
MAX_EVENTS = 5_000


def _ics(body: bytes, filename: str) -> Response:
    return Response(
        body,
        mimetype="text/calendar",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@blueprint.get("/schedules/export.ics")
def export() -> Response:
    """The sessions of the view described by the query string, in the user's scope."""
    view = schedules.ScheduleView.from_args(request.args)
    zone = get_settings().timezone
    first, _, since, until = view.moments(datetime.now(ZoneInfo(zone)).date(), zone)
    with connect() as conn:
        sessions, _ = schedules.in_view(
            conn=conn,
            view=view,
            region_ids=region_scope(),
            since=since,
            until=until,
            limit=MAX_EVENTS,
        )
    audit("export.calendar", view=view.query(), sessions=len(sessions))
    body = calendar_text(sessions, name="Beacon sessions", host=request.host, stamp=now())
    return _ics(body, f"beacon-sessions-{first.isoformat()}.ics")


@blueprint.get("/calendar/<token>.ics")
def subscription(token: str) -> Response:
    """What a user hosts, 60 days back and a year ahead; an unknown or revoked token is 404."""
    if len(token) > 100:
        abort(404)
    with connect() as conn:
        user_id = schedules.active_token_user(
            conn=conn, token_hash=hashlib.sha256(token.encode()).hexdigest()
        )
        if user_id is None:
            abort(404)
        moment = now()
        sessions = schedules.hosted_by(
            conn=conn,
            user_id=user_id,
            since=moment - timedelta(days=60),
            until=moment + timedelta(days=365),
        )
    return _ics(
        calendar_text(sessions, name="My Beacon sessions", host=request.host, stamp=moment),
        "beacon.ics",
    )

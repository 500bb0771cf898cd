"""Pre-aggregated tables the pages read instead of raw history.

Data that arrives from outside the app (tutoring sessions) is counted again when the seed
loads it and when the scheduled refresh picks up new data.
"""

from __future__ import annotations

from sqlalchemy import Connection, delete, func, insert, select

from data.models import SessionDay, Tutor, TutoringSession
from data.queries.sql import day_of


def rebuild_session_days(*, conn: Connection) -> None:
    """Recount `session_days` (sessions per UTC day, region and status) from the sessions."""
    day = day_of(TutoringSession.scheduled_start, conn).label("day")
    counted = (
        select(
            day,
            Tutor.region_id,
            TutoringSession.status,
            func.count().label("sessions"),
            func.count(TutoringSession.rating).label("rated"),
            func.coalesce(func.sum(TutoringSession.rating), 0).label("rating_sum"),
        )
        .join(Tutor, Tutor.id == TutoringSession.tutor_id)
        .group_by(day, Tutor.region_id, TutoringSession.status)
    )
    conn.execute(delete(SessionDay))
    conn.execute(
        insert(SessionDay).from_select(
            ["day", "region_id", "status", "sessions", "rated", "rating_sum"], counted
        )
    )

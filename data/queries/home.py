"""What the home page reads for each area, in one cached call per area and scope.

The windows are fixed relative to `end`, the newest whole day with data (`home_end`), so the
scheduled refresh can warm exactly the entries a user's first visit asks for.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

import pandas as pd
from sqlalchemy import Connection

from data.cache import cached
from data.queries import overview
from settings import business_today

CHART_WEEKS = 26
SECTIONS = ("tutoring", "pe", "schedules", "credit")


def home_end(*, conn: Connection) -> pd.Timestamp | None:
    """Midnight (UTC) of the newest whole day with data: the newest day anything happened,
    but never today, a day still in progress (its sessions still to come: counted whole, it
    ended every 30-day window and weekly trend short); None on an empty database."""
    newest = overview.data_as_of(conn=conn)["newest"].max()
    if pd.isna(newest):
        return None
    yesterday = pd.Timestamp.now(tz="UTC").normalize() - pd.Timedelta(days=1)
    return min(newest.normalize(), yesterday)


def _tutoring(conn: Connection, end: pd.Timestamp, scope: Sequence[int] | None) -> dict:
    return {
        "daily": overview.daily_sessions(
            region_ids=scope,
            conn=conn,
            since=end - timedelta(weeks=CHART_WEEKS),
            until=end + timedelta(days=1),
        ),
        # Head-count now: the tutors active today, and those who left in the 90 days to
        # today (a later leaving day is notice given).
        "heads": overview.tutor_counts(
            region_ids=scope,
            conn=conn,
            left_since=business_today() - timedelta(days=89),
            left_until=business_today(),
        ),
    }


def _pe(conn: Connection, end: pd.Timestamp, scope: Sequence[int] | None) -> dict:
    since, until = (end - timedelta(weeks=CHART_WEEKS)).date(), (end + timedelta(days=1)).date()
    return {
        "daily": overview.daily_attendance(region_ids=scope, conn=conn, since=since, until=until),
        "incidents": overview.daily_incidents(
            region_ids=scope, conn=conn, since=since, until=until
        ),
    }


def _schedules(conn: Connection, end: pd.Timestamp, scope: Sequence[int] | None) -> dict:
    return {
        "daily": overview.daily_bookings(
            region_ids=scope,
            conn=conn,
            # From the Monday of the chart's first week (8 weeks and up to 6 days back).
            since=end - timedelta(weeks=9),
            until=end + timedelta(weeks=4, days=1),
        )
    }


def _unmarked_ahead(
    *, conn: Connection, end: pd.Timestamp, region_ids: Sequence[int] | None, now: datetime
) -> dict[str, pd.DataFrame]:
    """The booked sessions of the 7 days after `end` that have ended by `now` without being
    marked ("ended_unmarked": one row, sessions): not still to come, though still
    "scheduled". Read with each answer, not kept with the frames of whole days (the page's
    answer itself is kept until a write to schedules or BEACON_CACHE_SECONDS pass, so it
    may count a session that ended since then as still to come for that long)."""
    ended = overview.ended_unmarked(
        conn=conn,
        since=end + timedelta(days=1),
        until=end + timedelta(days=8),
        by=now,
        region_ids=region_ids,
    )
    return {"ended_unmarked": pd.DataFrame({"sessions": [ended]})}


def _credit(conn: Connection, end: pd.Timestamp, scope: Sequence[int] | None) -> dict:
    return {
        "daily": overview.daily_applications(
            region_ids=scope,
            conn=conn,
            since=end - timedelta(weeks=CHART_WEEKS),
            until=end + timedelta(days=1),
        ),
        "book": overview.active_loan_arrears(conn=conn, region_ids=scope),
    }


READERS: dict[str, Callable[[Connection, pd.Timestamp, Sequence[int] | None], dict]] = {
    "tutoring": _tutoring,
    "pe": _pe,
    "schedules": _schedules,
    "credit": _credit,
}


@cached("tutors", "pe", "schedules", "credit")
def section_frames(
    *, conn: Connection, section: str, end: pd.Timestamp, region_ids: Sequence[int] | None
) -> dict[str, pd.DataFrame]:
    """The frames behind one home section ("tutoring", "pe", "schedules", "credit")."""
    return READERS[section](conn, end, region_ids)


def area_frames(
    *,
    conn: Connection,
    section: str,
    end: pd.Timestamp,
    region_ids: Sequence[int] | None,
    now: datetime,
) -> dict[str, pd.DataFrame]:
    """What one home section's KPIs are computed from (the page and the API alike): its
    cached frames of whole days, and for schedules the sessions ahead that have ended
    unmarked by `now`."""
    frames = section_frames(conn=conn, section=section, end=end, region_ids=region_ids)
    if section == "schedules":
        frames = frames | _unmarked_ahead(conn=conn, end=end, region_ids=region_ids, now=now)
    return frames

"""Utilisation: hours booked per host and per room, and the counts behind the weekly
cancellation and no-show rates, for a window of whole days.

The page's windows (the 28, 56 and 84 whole days before a day) are kept summed per region
(`host_hours`, `room_hours`, `booking_days`) for the day the scheduled refresh last ran,
and the page reads those: a row per host and region instead of every session of the
window, so it does not grow with the bookings (#26). Asked for another window, or before
any window of that day is kept, the sums are computed from the sessions. A write to a
session that starts before the kept day recounts its regions in the same transaction
(data.kept); the kept sums and the sessions give the same answer (tests/data).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pandas as pd
from sqlalchemy import Connection, Date, Integer, Select, case, func, literal, select, union_all

from data.cache import cached
from data.models import BookingDay, HostHours, Room, RoomHours, Schedule, Tutor, User
from data.queries.sql import (
    day_of,
    in_regions,
    lock_for_replace,
    minutes_between,
    replace_rows,
)

WINDOWS = (28, 56, 84)  # the page's periods, in whole days
TOP = 15  # hosts and rooms shown


@dataclass(frozen=True)
class Part:
    """One kept table: the session columns it sums per (`keys`) and its sums, each named as
    the kept table's column, over the sessions `only` picks."""

    table: Any
    keys: Callable[[Connection], list[Any]]
    sums: Callable[[Connection], list[Any]]
    only: Callable[[], list[Any]]


def _booked() -> list[Any]:
    return [Schedule.status != "cancelled"]


def _hours(conn: Connection) -> list[Any]:
    minutes = minutes_between(Schedule.starts_at, Schedule.ends_at, conn)
    return [func.sum(minutes).label("minutes"), func.count().label("sessions")]


def _counts(_conn: Connection) -> list[Any]:
    completed = Schedule.status == "completed"
    return [
        func.count().label("sessions"),
        func.sum(case((Schedule.status == "cancelled", 1), else_=0)).label("cancelled"),
        func.sum(case((completed, Schedule.attendees), else_=0)).label("expected"),
        func.sum(case((completed, Schedule.absent), else_=0)).label("absent"),
    ]


HOSTS = Part(HostHours, lambda _c: [Schedule.host_tutor_id, Schedule.host_user_id], _hours, _booked)
ROOMS = Part(
    RoomHours,
    lambda _c: [Schedule.room_id],
    _hours,
    lambda: [*_booked(), Schedule.room_id.is_not(None)],
)
DAYS = Part(BookingDay, lambda c: [day_of(Schedule.starts_at, c).label("on_day")], _counts, list)
PARTS = (HOSTS, ROOMS, DAYS)


def _live(
    conn: Connection,
    part: Part,
    since: datetime,
    until: datetime,
    *,
    region_ids: Sequence[int] | None,
    per_region: bool,
) -> Select:
    """The part's sums over the sessions that overlap the window (the calendar's rule)."""
    keys = [Schedule.region_id, *part.keys(conn)] if per_region else part.keys(conn)
    stmt = (
        select(*keys, *part.sums(conn))
        .where(Schedule.ends_at > since, Schedule.starts_at < until, *part.only())
        .group_by(*keys)
    )
    return in_regions(stmt, Schedule.region_id, region_ids)


def _kept(
    conn: Connection, part: Part, day: date, days: int, region_ids: Sequence[int] | None
) -> Select:
    """The same sums read from the kept table, summed over the scope's regions."""
    table = part.table
    keys = [getattr(table, key.name) for key in part.keys(conn)]
    sums = [func.sum(getattr(table, s.name)).label(s.name) for s in part.sums(conn)]
    stmt = select(*keys, *sums).where(table.day == day, table.window_days == days).group_by(*keys)
    return in_regions(stmt, table.region_id, region_ids)


def window_of(since: datetime, until: datetime) -> tuple[date, int] | None:
    """(the day a window ends on, its days) when `since` to `until` is one of the kept
    windows: whole UTC days, ending at a midnight."""
    end = until.astimezone(UTC)
    days = (until - since) / timedelta(days=1)
    if end != datetime.combine(end.date(), time(), tzinfo=UTC) or days not in WINDOWS:
        return None
    return end.date(), int(days)


def kept_days(conn: Connection) -> dict[Any, date | None]:
    """The day each kept table holds (None when it holds nothing), in one round trip."""
    row = conn.execute(
        select(*(select(p.table.day).limit(1).scalar_subquery() for p in PARTS))
    ).one()
    return {part.table: day for part, day in zip(PARTS, row, strict=True)}


@cached("schedules")
def utilisation(
    *, conn: Connection, region_ids: Sequence[int] | None, since: datetime, until: datetime
) -> dict[str, pd.DataFrame]:
    """Hours booked per host and per room (cancelled sessions excluded), and per week the
    cancellation rate (of sessions) and the no-show rate (of attendees of completed ones),
    of the sessions that overlap `since` to `until`.

    Frames: hosts (host_name, hours, sessions), rooms (room, room_id, hours, sessions),
    weeks (week datetime64, sessions, cancelled, expected, absent): every week the window
    touches, those without sessions too, so that a chart spans the period it names.
    """
    window = window_of(since, until)
    held = kept_days(conn) if window else {}

    def sums(part: Part) -> Select:
        if window and held[part.table] == window[0]:
            return _kept(conn, part, *window, region_ids)
        return _live(conn, part, since, until, region_ids=region_ids, per_region=False)

    by_host = sums(HOSTS).subquery()
    # Grouped by id, named after the top 15: namesakes are different hosts. Equally busy
    # hosts by their id (a tutor's before a staff member's).
    top = (
        select(by_host)
        .order_by(
            by_host.c.minutes.desc(),
            by_host.c.host_tutor_id.asc().nulls_last(),
            by_host.c.host_user_id.asc().nulls_last(),
        )
        .limit(TOP)
        .subquery()
    )
    hosts = conn.execute(
        select(
            func.coalesce(Tutor.name, User.display_name),
            func.coalesce(top.c.host_tutor_id, top.c.host_user_id),
            top.c.minutes / 60.0,
            top.c.sessions,
        )
        .outerjoin(Tutor, Tutor.id == top.c.host_tutor_id)
        .outerjoin(User, User.id == top.c.host_user_id)
        .order_by(
            top.c.minutes.desc(),
            top.c.host_tutor_id.asc().nulls_last(),
            top.c.host_user_id.asc().nulls_last(),
        )
    ).all()
    by_room = sums(ROOMS).subquery()
    busiest = (
        select(by_room).order_by(by_room.c.minutes.desc(), by_room.c.room_id).limit(TOP).subquery()
    )
    rooms = conn.execute(
        select(Room.name, Room.id, busiest.c.minutes / 60.0, busiest.c.sessions)
        .join(Room, Room.id == busiest.c.room_id)
        .order_by(busiest.c.minutes.desc(), busiest.c.room_id)
    ).all()
    # Per day in SQL (a few dozen rows instead of every session), then per week. Attendees
    # are counted on each session (kept with its attendee rows), not joined.
    days = conn.execute(sums(DAYS)).all()
    return {
        "hosts": _named(hosts, "host_name"),
        "rooms": _named(rooms, "room", key="room_id"),
        "weeks": _weekly_rates(days, since=since, until=until),
    }


def keep_windows(
    *, conn: Connection, part: Part, day: date, region_ids: Sequence[int] | None = None
) -> None:
    """Sum every window ending on `day` per region into the part's kept table, replacing all
    of its rows (or, with `region_ids`, those regions' rows)."""
    table = part.table
    windows = []
    for days in WINDOWS:
        since = datetime.combine(day, time(), tzinfo=UTC) - timedelta(days=days)
        until = since + timedelta(days=days)
        live = _live(conn, part, since, until, region_ids=region_ids, per_region=True).subquery()
        windows.append(
            select(
                literal(day, Date).label("day"),
                literal(days, Integer).label("window_days"),
                *live.c,
            )
        )
    counted = union_all(*windows).subquery()
    stale = [] if region_ids is None else [table.region_id.in_(list(region_ids))]
    replace_rows(conn, table, select(*counted.c), *stale)


def follow_sessions(
    *,
    conn: Connection,
    part: Part,
    schedule_ids: Sequence[int],
    first: date | None,
    region_ids: Sequence[int] = (),
) -> None:
    """After a write to sessions: recount their regions (and `region_ids`, the regions they
    were moved out of) in the kept table, unless it holds nothing or the earliest start the
    write touched (`first`, old or new) is on or after the kept day: no window holds it.

    A session from today on is in no window of any day kept up to today, so such a write
    (a booking ahead, the usual one) takes no lock; one of an earlier day locks the table
    first, so that the day it reads is the day it rewrites, even against a refresh."""
    if first is not None and first >= datetime.now(UTC).date():
        return
    lock_for_replace(conn, part.table)
    held = kept_days(conn)[part.table]
    if held is None or (first is not None and first >= held):
        return
    now_in = select(Schedule.region_id).where(Schedule.id.in_(list(schedule_ids))).distinct()
    regions = set(conn.execute(now_in).scalars()) | set(region_ids)
    if regions:
        keep_windows(conn=conn, part=part, day=held, region_ids=sorted(regions))


def _named(rows: Sequence[Any], name: str, key: str | None = None) -> pd.DataFrame:
    """(name, id, hours, sessions) rows as a frame of name, hours and sessions (and the id as
    column `key`, when named), namesakes told apart by their id ("Sam Lee #812") so that no
    two share a bar."""
    seen = Counter(row[0] for row in rows)
    frame = pd.DataFrame(
        [
            (f"{label} #{ident}" if seen[label] > 1 else label, int(ident), float(h), int(n))
            for label, ident, h, n in rows
        ],
        columns=[name, "id", "hours", "sessions"],
    )
    return frame.rename(columns={"id": key}) if key else frame.drop(columns="id")


def _weekly_rates(days: Sequence[Any], *, since: datetime, until: datetime) -> pd.DataFrame:
    """(day, sessions, cancelled, expected, absent) rows summed per week (starting on
    Monday, ascending): week, sessions, cancelled, expected, absent, and first_day and
    last_day, the week's first and last day with sessions (NaT without). Every week from the
    one holding `since` to the one holding the last moment before `until` is a row."""
    weeks: dict[date, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    first, last = since.date(), (until - timedelta(microseconds=1)).date()
    week = first - timedelta(days=first.weekday())
    while week <= last:
        weeks[week] = [0, 0, 0, 0]
        week += timedelta(days=7)
    held: dict[date, list[date]] = defaultdict(list)
    for day, *counts in days:
        day = day if isinstance(day, date) else date.fromisoformat(str(day))
        monday = day - timedelta(days=day.weekday())
        sums = weeks[monday]
        for i, count in enumerate(counts):
            sums[i] += int(count)
        if counts[0]:
            held[monday].append(day)
    frame = pd.DataFrame(
        [
            (week, *sums, min(held[week], default=None), max(held[week], default=None))
            for week, sums in sorted(weeks.items())
        ],
        columns=["week", "sessions", "cancelled", "expected", "absent", "first_day", "last_day"],
    )
    for column in ("week", "first_day", "last_day"):
        frame[column] = pd.to_datetime(frame[column])
    return frame

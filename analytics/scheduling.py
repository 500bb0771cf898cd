"""Booking rules: business hours, double bookings and the nearest free slot.

A session clashes with another when their times overlap (touching end to start is
fine) and they share the host, the room or any attendee. Cancelled sessions never
clash; the caller leaves them out of `busy`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

BUSY_COLUMNS = ["id", "title", "starts_at", "ends_at", "host", "room_id", "students"]


@dataclass(frozen=True)
class Booking:
    starts_at: datetime
    ends_at: datetime
    host: str  # "tutor:<id>" or "user:<id>"
    room_id: int | None = None
    students: frozenset[int] = field(default_factory=frozenset)
    id: int | None = None  # the session being edited, which cannot clash with itself

    def __post_init__(self) -> None:
        if self.starts_at.tzinfo is None or self.ends_at.tzinfo is None:
            raise ValueError("starts_at and ends_at must be timezone-aware")


@dataclass(frozen=True)
class BusinessHours:
    opens: time = time(8, 0)
    closes: time = time(19, 0)
    days: tuple[int, ...] = (0, 1, 2, 3, 4)  # Monday is 0
    timezone: str = "UTC"

    def __post_init__(self) -> None:
        if self.opens >= self.closes:
            raise ValueError(f"opens must be before closes; got {self.opens}-{self.closes}")
        ZoneInfo(self.timezone)  # an unknown zone fails here, not at the first booking

    def contains(self, starts_at: datetime, ends_at: datetime) -> bool:
        """Whether the session lies within one business day's opening hours, local time."""
        zone = ZoneInfo(self.timezone)
        start, end = starts_at.astimezone(zone), ends_at.astimezone(zone)
        return (
            start < end
            and start.date() == (end - timedelta(microseconds=1)).date()
            and start.weekday() in self.days
            and start.time() >= self.opens
            and (end.time() <= self.closes and end.date() == start.date())
        )

    def describe(self) -> str:
        names = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
        days = f"{names[self.days[0]]}–{names[self.days[-1]]}" if self.days else "no days"
        return f"{days} {self.opens:%H:%M}–{self.closes:%H:%M} ({self.timezone})"


def _sharing(booking: Booking, busy: pd.DataFrame) -> pd.DataFrame:
    """The busy sessions that share the host, the room or an attendee with the booking,
    with a `shared` column naming what."""
    if busy.empty:
        return busy.assign(shared=pd.Series(dtype=object))
    others = busy[busy["id"] != booking.id] if booking.id is not None else busy
    reasons = []
    for host, room, students in others[["host", "room_id", "students"]].itertuples(index=False):
        why = []
        if host == booking.host:
            why.append("host")
        if booking.room_id is not None and room == booking.room_id:
            why.append("room")
        common = booking.students & frozenset(students or ())
        if common:
            why.append(f"{len(common)} attendee{'s' if len(common) > 1 else ''}")
        reasons.append(", ".join(why))
    shared = others.assign(shared=reasons)
    return shared[shared["shared"] != ""]


def clashes(booking: Booking, busy: pd.DataFrame) -> pd.DataFrame:
    """The sessions of `busy` (columns BUSY_COLUMNS) that the booking would double-book,
    each with `shared` ("host", "room", "2 attendees" ...), earliest first."""
    sharing = _sharing(booking, busy)
    start, end = pd.Timestamp(booking.starts_at), pd.Timestamp(booking.ends_at)
    overlap = (sharing["starts_at"] < end) & (sharing["ends_at"] > start)
    return sharing[overlap].sort_values("starts_at").reset_index(drop=True)


def nearest_free_slot(
    booking: Booking,
    busy: pd.DataFrame,
    hours: BusinessHours,
    *,
    not_before: datetime,
    step: timedelta = timedelta(minutes=15),
    horizon: timedelta = timedelta(days=14),
) -> datetime | None:
    """The start nearest to the booking's own (later first on a tie) where a session of the
    same length fits in business hours with no clash, not before `not_before`, within
    `horizon` either way; None when there is none."""
    if step <= timedelta(0):
        raise ValueError(f"step must be positive; got {step}")
    length = booking.ends_at - booking.starts_at
    sharing = _sharing(booking, busy)
    starts, ends = _naive_utc(sharing["starts_at"]), _naive_utc(sharing["ends_at"])
    origin = _aligned(booking.starts_at, step)
    for k in range(0, int(horizon / step) + 1):
        for candidate in _both_ways(origin, k * step):
            if candidate < not_before or not hours.contains(candidate, candidate + length):
                continue
            s, e = _naive_utc(pd.Series([candidate, candidate + length]))
            if not ((starts < e) & (ends > s)).any():
                return candidate
    return None


def _naive_utc(moments: pd.Series) -> np.ndarray:
    if moments.empty:
        return np.array([], dtype="datetime64[ns]")
    utc = pd.to_datetime(moments, utc=True)
    return utc.dt.tz_localize(None).to_numpy(dtype="datetime64[ns]")


def _aligned(moment: datetime, step: timedelta) -> datetime:
    seconds = step.total_seconds()
    epoch = moment.timestamp()
    return datetime.fromtimestamp(epoch - epoch % seconds, tz=moment.tzinfo)


def _both_ways(origin: datetime, offset: timedelta) -> Iterable[datetime]:
    return (origin,) if not offset else (origin + offset, origin - offset)

"""Book, change, complete and cancel sessions.

The database is the judge of double bookings: on PostgreSQL exclusion constraints forbid
two live sessions of one host or one room at overlapping times; on SQLite the check and
the write share one write transaction (BEGIN IMMEDIATE), so no other booking can slip in
between. Either way the loser gets the same answer as a sequential clash.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from sqlalchemy import Connection
from sqlalchemy.exc import IntegrityError

from actions.base import Actor, Refused, record
from analytics.scheduling import Booking, BusinessHours, clashes, nearest_free_slot
from data import activity, schedules
from data.engine import transaction
from settings import get_settings
from vocabulary import MANAGERS

WRITERS = MANAGERS
MAX_ATTENDEES = 40
CLASH_WINDOW = timedelta(days=15)

FIELD_PROBLEMS = {
    "title": "Title: write a title of 1 to 160 characters.",
    "focus": "Focus topic: keep it to 80 characters.",
    "description": "Description: keep it to 2,000 characters.",
    "host": "Host: choose who leads the session.",
    "room_id": "Room: choose a room.",
    "day": "Day: pick the date of the session.",
    "start": "Start: pick a start time.",
    "end": "End: pick an end time.",
    "student_ids": f"Attendees: choose up to {MAX_ATTENDEES} students from the list.",
    "group_id": "Group: choose a group from the list.",
}


class BookingRequest(BaseModel):
    """A session as a person asks for it: local day and times in the business time zone."""

    model_config = ConfigDict(str_strip_whitespace=True)
    title: str = Field(min_length=1, max_length=160)
    focus: str = Field(default="", max_length=80)
    description: str = Field(default="", max_length=2000)
    host: str
    room_id: int
    day: date
    start: time
    end: time
    student_ids: list[int] = Field(default_factory=list, max_length=MAX_ATTENDEES)
    group_id: int | None = None
    session_id: int | None = None  # set when changing an existing session

    @field_validator("host")
    @classmethod
    def _host(cls, value: str) -> str:
        schedules.parse_host(value)
        return value

    def moments(self, zone: str) -> tuple[datetime, datetime]:
        local = ZoneInfo(zone)
        start = datetime.combine(self.day, self.start, local).astimezone(UTC)
        return start, datetime.combine(self.day, self.end, local).astimezone(UTC)


def booking_problem(error: ValidationError) -> str:
    """The first problem of a form, in words a person can act on."""
    first = error.errors()[0]
    name = str(first["loc"][0]) if first["loc"] else ""
    return FIELD_PROBLEMS.get(name, "Check the form and try again.")


@dataclass(frozen=True)
class Booked:
    schedule_id: int
    created: bool


@dataclass(frozen=True)
class Clash:
    """Not booked: what is wrong, the sessions it would double-book and the nearest free slot."""

    problems: list[str]
    clashes: pd.DataFrame
    slot: datetime | None
    length: timedelta


def book_session(
    *, actor: Actor, request: BookingRequest, hours: BusinessHours, now: datetime
) -> Booked | Clash | Refused:
    if not actor.may(WRITERS):
        return Refused("Only admins and managers book sessions.", denied=True)
    starts_at, ends_at = request.moments(hours.timezone)
    length = ends_at - starts_at
    if ends_at <= starts_at:
        return Refused("End: the session must end after it starts.")
    with transaction() as conn:
        checked = _check(conn, actor, request)
        if isinstance(checked, Refused):
            return checked
        before, region_id, student_ids = checked
        booking = Booking(
            starts_at,
            ends_at,
            request.host,
            request.room_id,
            frozenset(student_ids),
            id=int(before["id"]) if before else None,
        )
        was = before["starts_at"] if before else None
        clash = _clash(conn, booking, hours, now, was=was)
        if clash is not None:
            return clash
        fields = request.model_dump(include={"title", "focus", "description", "host", "room_id"})
        fields |= {"region_id": region_id, "starts_at": starts_at, "ends_at": ends_at}
        try:
            with conn.begin_nested():  # a savepoint: the exclusion constraint may refuse it
                schedule_id = _write(conn, actor, before, fields, student_ids, now)
        except IntegrityError as error:
            if not schedules.is_double_booking(error):
                raise
            lost = Clash(["Someone booked this slot a moment ago."], pd.DataFrame(), None, length)
            return _clash(conn, booking, hours, now, was=was) or lost
        _tell(conn, actor, before, fields, schedule_id, now)
        record(
            conn,
            actor,
            "schedule.created" if before is None else "schedule.updated",
            now=now,
            entity_type="schedule",
            entity_id=schedule_id,
            before=before and _plain(before),
            after=_plain(fields | {"students": student_ids}),
        )
    return Booked(schedule_id, created=before is None)


def _check(
    conn: Connection, actor: Actor, request: BookingRequest
) -> tuple[dict[str, Any] | None, int, list[int]] | Refused:
    """Everything named must exist and lie in the actor's regions; edits only of sessions
    still scheduled. Returns the session before, its region and every attendee."""
    scope = list(actor.region_ids) if actor.region_ids is not None else None
    before = (
        schedules.one(conn=conn, schedule_id=request.session_id) if request.session_id else None
    )
    rooms = schedules.rooms(conn=conn, region_ids=scope).set_index("id")
    hosts = set(schedules.hosts(conn=conn, region_ids=scope)["host"])
    members = (
        schedules.group_members(conn=conn, group_id=request.group_id) if request.group_id else []
    )
    student_ids = sorted(set(request.student_ids) | set(members))
    found = schedules.students_by_id(conn=conn, ids=student_ids)
    if (
        (request.session_id and before is None)
        or request.room_id not in rooms.index
        or request.host not in hosts
        or (before and not actor.sees(before["region_id"]))
        or (scope is not None and not found["region_id"].isin(scope).all())
        or len(found) != len(student_ids)
    ):
        return Refused(
            "Not allowed.",
            denied=True,
            detail={"what": "schedule", "host": request.host, "room_id": request.room_id},
        )
    if before and before["status"] != "scheduled":
        return Refused(f"A {before['status']} session cannot be edited.")
    if len(student_ids) > MAX_ATTENDEES:
        return Refused(f"Attendees: at most {MAX_ATTENDEES} per session.")
    return before, int(rooms["region_id"].to_dict()[request.room_id]), student_ids


def _clash(
    conn: Connection, booking: Booking, hours: BusinessHours, now: datetime, *, was: Any
) -> Clash | None:
    """What stops the booking: hours, a start in the past (a new one's, or an edit's that
    moves it: a session already under way keeps its start), and the sessions it clashes with.
    `was` is the start before an edit (None for a new booking)."""
    busy = schedules.busy(
        conn=conn,
        since=booking.starts_at.replace(hour=0, minute=0) - CLASH_WINDOW,
        until=booking.ends_at + CLASH_WINDOW,
        host=booking.host,
        room_id=booking.room_id,
        student_ids=sorted(booking.students),
    )
    problems = []
    if not hours.contains(booking.starts_at, booking.ends_at):
        problems.append(f"Outside business hours ({hours.describe()}).")
    moved = was is None or pd.Timestamp(was) != pd.Timestamp(booking.starts_at)
    if booking.starts_at < now and moved:
        problems.append("The start is in the past.")
    clash = clashes(booking, busy)
    if not clash.empty:
        problems.append("It double-books the sessions below.")
    if not problems:
        return None
    slot = nearest_free_slot(booking, busy, hours, not_before=now)
    return Clash(problems, clash, slot, booking.ends_at - booking.starts_at)


def _write(
    conn: Connection,
    actor: Actor,
    before: dict[str, Any] | None,
    fields: dict[str, Any],
    student_ids: list[int],
    now: datetime,
) -> int:
    if before is None:
        return schedules.create(
            conn=conn, fields=fields, student_ids=student_ids, by=actor.user_id, now=now
        )
    schedules.update_details(
        conn=conn,
        schedule_id=before["id"],
        fields=fields,
        student_ids=student_ids,
        by=actor.user_id,
        now=now,
    )
    return int(before["id"])


def _tell(
    conn: Connection,
    actor: Actor,
    before: dict[str, Any] | None,
    fields: dict[str, Any],
    schedule_id: int,
    now: datetime,
) -> None:
    """The activity event, and a notification to each host who is a Beacon user."""
    names = schedules.host_names(conn=conn, keys=[fields["host"]])
    local = fields["starts_at"].astimezone(ZoneInfo(get_settings().timezone))
    hosts = {h for h in (fields["host"], before and before["host"]) if h and h.startswith("user:")}
    verb = "booked" if before is None else "changed"
    activity.record_event(
        conn=conn,
        actor_id=actor.user_id,
        area="schedules",
        verb="booked" if before is None else "updated",
        entity_type="schedule",
        entity_id=schedule_id,
        region_id=fields["region_id"],
        now=now,
        summary=f"{actor.display_name} {verb} “{fields['title']}” with "
        f"{names.get(fields['host'], 'a host')} on {local:%a %d %b %H:%M}",
        notify=[int(h.split(":")[1]) for h in hosts],
    )


@dataclass(frozen=True)
class Moved:
    schedule_id: int
    status: str


def set_session_status(
    *, actor: Actor, schedule_id: int, status: str, absent: list[int], now: datetime
) -> Moved | Refused:
    """Scheduled -> completed or cancelled, by a writer in scope or the session's own host.
    A session is completed only once it has started; cancelling is undone by booking again."""
    if status not in ("completed", "cancelled"):
        return Refused("Choose Completed or Cancelled.")
    with transaction() as conn:
        session = schedules.one(conn=conn, schedule_id=schedule_id)
        if session is None:
            return Refused("No such session.")
        mine = session["host"] == f"user:{actor.user_id}"
        if not (mine or (actor.may(WRITERS) and actor.sees(session["region_id"]))):
            return Refused(
                "Not allowed.",
                denied=True,
                detail={"what": "schedule status", "schedule_id": schedule_id},
            )
        if status == "completed" and session["starts_at"] > now:
            local = session["starts_at"].astimezone(ZoneInfo(get_settings().timezone))
            return Refused(
                f"This session starts {local:%a %d %b at %H:%M}: it can be marked completed "
                "once it has started."
            )
        absent = [a for a in absent if a in session["students"]] if status == "completed" else []
        moved = schedules.set_status(
            conn=conn,
            schedule_id=session["id"],
            status=status,
            by=actor.user_id,
            now=now,
            absent=absent,
        )
        if not moved:
            return Refused("Someone else changed this session first; reload to see it.")
        host = session["host"]
        activity.record_event(
            conn=conn,
            actor_id=actor.user_id,
            area="schedules",
            verb=status,
            entity_type="schedule",
            entity_id=session["id"],
            region_id=session["region_id"],
            now=now,
            summary=f"{actor.display_name} marked “{session['title']}” {status}",
            notify=[int(host.split(":")[1])] if host.startswith("user:") else [],
        )
        record(
            conn,
            actor,
            f"schedule.{status}",
            now=now,
            entity_type="schedule",
            entity_id=session["id"],
            before={"status": "scheduled"},
            after={"status": status, "no_shows": absent},
        )
    return Moved(session["id"], status)


def _plain(values: dict[str, Any]) -> dict[str, Any]:
    return {k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in values.items()}

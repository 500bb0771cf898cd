"""Booking and moving group sessions through the actions, as the page and the API call them:
an Actor, no Dash context."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from actions.base import Actor, Refused
from actions.schedules import Booked, BookingRequest, Clash, Moved, book_session
from actions.schedules import set_session_status as move
from analytics.scheduling import BusinessHours
from data import schedules
from data.engine import connect
from data.models import ActivityEvent, AuditEntry, Schedule
from settings import get_settings
from tests.conftest import create_test_account

NOW = datetime.now(UTC)


def hours() -> BusinessHours:
    s = get_settings()
    return BusinessHours(s.business_opens, s.business_closes, tuple(s.business_days), s.timezone)


def actor(role: str, regions: tuple[int, ...] | None = (1,)) -> Actor:
    account = create_test_account(role, regions or ())
    return Actor(account.id, account.display_name, role, regions)


def next_monday() -> date:
    today = datetime.now(ZoneInfo(get_settings().timezone)).date()
    return today + timedelta(days=7 - today.weekday())


def request(region_id: int = 1, **changes: object) -> BookingRequest:
    with connect() as conn:
        host = schedules.hosts(conn=conn, region_ids=[region_id])["host"].iloc[0]
        room = int(schedules.rooms(conn=conn, region_ids=[region_id])["id"].iloc[0])
    values = {
        "title": "Catch-up",
        "host": host,
        "room_id": room,
        "day": next_monday(),
        "start": "10:00",
        "end": "11:00",
    } | changes
    return BookingRequest.model_validate(values)


def counted(model, **where: object) -> int:  # type: ignore[no-untyped-def]
    with connect() as conn:
        stmt = select(func.count()).select_from(model)
        for column, value in where.items():
            stmt = stmt.where(getattr(model, column) == value)
        return conn.execute(stmt).scalar_one()


def test_a_booking_is_written_with_its_audit_entry_and_event_and_a_second_one_clashes(
    seeded_copy,
):
    manager = actor("manager")
    booked = book_session(actor=manager, request=request(), hours=hours(), now=NOW)
    assert isinstance(booked, Booked) and booked.created
    assert counted(AuditEntry, action="schedule.created", entity_id=booked.schedule_id) == 1
    assert counted(ActivityEvent, entity_type="schedule", entity_id=booked.schedule_id) == 1
    again = book_session(actor=manager, request=request(title="Twice"), hours=hours(), now=NOW)
    assert isinstance(again, Clash) and again.problems and again.slot is not None
    assert counted(Schedule, title="Twice") == 0


def test_who_may_book_and_where_is_the_actions_own_check(seeded_copy):
    viewer = book_session(actor=actor("viewer"), request=request(), hours=hours(), now=NOW)
    assert isinstance(viewer, Refused) and viewer.denied
    elsewhere = book_session(
        actor=actor("manager", (1,)), request=request(region_id=2), hours=hours(), now=NOW
    )
    assert isinstance(elsewhere, Refused)
    backwards = book_session(
        actor=actor("manager"), request=request(start="11:00", end="10:00"), hours=hours(), now=NOW
    )
    assert isinstance(backwards, Refused) and backwards.message.startswith("End:")
    assert counted(Schedule, title="Catch-up") == 0


def test_a_session_is_completed_only_once_started_and_moved_once(seeded_copy):
    manager = actor("manager")
    booked = book_session(actor=manager, request=request(), hours=hours(), now=NOW)
    assert isinstance(booked, Booked)
    early = move(
        actor=manager, schedule_id=booked.schedule_id, status="completed", absent=[], now=NOW
    )
    assert isinstance(early, Refused) and "once it has started" in early.message
    other = move(
        actor=actor("manager", (2,)),
        schedule_id=booked.schedule_id,
        status="cancelled",
        absent=[],
        now=NOW,
    )
    assert isinstance(other, Refused) and other.denied  # another region's manager
    cancelled = move(
        actor=manager, schedule_id=booked.schedule_id, status="cancelled", absent=[], now=NOW
    )
    assert cancelled == Moved(booked.schedule_id, "cancelled")
    twice = move(
        actor=manager, schedule_id=booked.schedule_id, status="cancelled", absent=[], now=NOW
    )
    assert isinstance(twice, Refused)  # a retried or racing click moves it once
    assert counted(AuditEntry, action="schedule.cancelled", entity_id=booked.schedule_id) == 1


def test_an_edit_may_not_move_a_session_into_the_past_but_one_under_way_keeps_its_start(
    seeded_copy,
):
    """A new booking in the past is refused, and so is an edit that moves one there (it then
    read "scheduled" among last week's completed sessions); a session under way can still be
    changed without moving it."""
    manager = actor("manager")
    booked = book_session(actor=manager, request=request(), hours=hours(), now=NOW)
    assert isinstance(booked, Booked)
    monday = next_monday()
    back = book_session(
        actor=manager,
        request=request(session_id=booked.schedule_id, day=monday - timedelta(days=14)),
        hours=hours(),
        now=NOW,
    )
    assert isinstance(back, Clash) and "The start is in the past." in back.problems
    during = datetime.combine(monday, time(10, 30), ZoneInfo(get_settings().timezone))
    renamed = book_session(
        actor=manager,
        request=request(session_id=booked.schedule_id, title="Catch-up, renamed"),
        hours=hours(),
        now=during.astimezone(UTC),
    )
    assert isinstance(renamed, Booked) and not renamed.created
    assert counted(Schedule, title="Catch-up, renamed") == 1

"""Booking, status moves, calendar files and notifications, through the real callbacks and
routes, on a freshly seeded database of each backend."""

import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import dash
import pytest
from icalendar import Calendar

import app as beacon
from auth.access import AccessDenied
from data import activity, schedules
from data import audit as audit_log
from data.engine import connect
from pages import schedule_booking as booking
from pages import schedules_mine
from settings import get_settings
from tests.auth.helpers import login, new_client
from tests.conftest import AS_OF, acting_as, create_test_account
from tests.unit.dash_context import triggered


@pytest.fixture
def fresh(seeded_copy):  # type: ignore[no-untyped-def]
    """Bookings write: each test gets its own copy of the seeded database."""
    return seeded_copy


def next_monday() -> date:
    today = datetime.now(ZoneInfo(get_settings().timezone)).date()
    return today + timedelta(days=7 - today.weekday())


def students_in(region_id: int) -> list[int]:
    with connect() as conn:
        found = schedules.find_students(conn=conn, region_ids=[region_id], text="", limit=2)
    return found["id"].tolist()


def book(
    host: str,
    *,
    day: date,
    start="10:00",
    end="11:00",
    room=1,
    students=None,
    title="Catch-up",
    session=None,
):
    students = students_in(1) if students is None else students
    return booking.save(
        _clicks=1,
        session_id=session,
        title=title,
        focus="Fractions",
        description="",
        host=host,
        room=room,
        day=day.isoformat(),
        start=start,
        end=end,
        students=list(students),
        group=None,
    )


def text_of(component) -> str:
    return re.sub(
        r"\s+",
        " ",
        str(component.to_plotly_json() if hasattr(component, "to_plotly_json") else component),
    )


def test_bad_input_gets_a_message_naming_the_field(fresh):
    day = next_monday()
    with acting_as("admin"):
        assert "Title:" in text_of(book("tutor:1", day=day, title="")[0])
        assert "End: the session must end after it starts" in text_of(
            book("tutor:1", day=day, start="11:00", end="10:00")[0]
        )
        assert "Host:" in text_of(book("nobody", day=day)[0])
        assert "Outside business hours" in text_of(
            book("tutor:1", day=day, start="06:00", end="07:00")[0]
        )


def test_a_double_booking_names_the_clash_and_suggests_the_nearest_free_slot(fresh):
    day = next_monday()
    with acting_as("admin"):
        first = book("tutor:1", day=day, title="First")
        assert first[2].startswith("/schedules/book?id=")
        message, suggestion, go = book(
            "tutor:1",
            day=day,
            start="10:30",
            end="11:30",
            room=2,
            students=students_in(1)[1:],
            title="Second",
        )
    shown = text_of(message)
    assert "double-books" in shown and "First" in shown and "host" in shown
    assert "Nearest free slot" in shown and go is dash.no_update
    slot = datetime.fromisoformat(suggestion).astimezone(ZoneInfo(get_settings().timezone))
    assert slot.date() == day and slot.strftime("%H:%M") in ("11:00", "09:00", "09:30")
    with acting_as("admin"):
        triggered(booking.ids.use_suggestion)
        filled = booking.use_suggestion(clicks=1, suggestion=suggestion, start="10:30", end="11:30")
        assert filled[0] == day.isoformat()
        again = book(
            "tutor:1",
            day=day,
            start=filled[1],
            end=filled[2],
            room=2,
            students=(3,),
            title="Second",
        )
    assert again[2].startswith("/schedules/book?id=")


def test_booking_with_a_mentor_notifies_them_is_audited_and_in_the_feed(fresh):
    mentor = create_test_account("analyst")
    with acting_as("manager", (1,)) as manager:
        _, _, go = book(f"user:{mentor.id}", day=next_monday())
    new_id = int(go.split("=")[1])
    with connect() as conn:
        count, _ = activity.unread(conn=conn, user_id=mentor.id, region_ids=None)
        feed, _ = activity.feed(conn=conn, region_ids=[1], limit=1)
        entries, _ = audit_log.audit_log(conn=conn, action="schedule.created", limit=1)
    assert count == 1
    assert feed["entity_id"].iloc[0] == new_id and "Catch-up" in feed["summary"].iloc[0]
    assert entries["detail"].iloc[0]["after"]["students"] == sorted(students_in(1))
    assert entries["detail"].iloc[0]["before"] is None
    with connect() as conn:
        assert activity.unread(conn=conn, user_id=manager.id, region_ids=[1])[0] == 0


def test_a_manager_cannot_book_a_room_outside_their_regions(fresh):
    with connect() as conn:
        room = int(schedules.rooms(conn=conn, region_ids=[2])["id"].iloc[0])
    with acting_as("manager", (1,)), pytest.raises(AccessDenied):
        book("tutor:1", day=next_monday(), room=room)


def test_the_host_picker_searches_tutors_in_scope_and_keeps_mentors_and_the_choice(fresh):
    from widgets.pickers import find_hosts

    mentor = create_test_account("analyst")
    with connect() as conn:
        everyone = schedules.hosts(conn=conn, region_ids=[1])
        outside = schedules.hosts(conn=conn, region_ids=[2])
    tutors = everyone[everyone["kind"] == "tutor"]
    name = tutors["name"].iloc[0]
    fragment = name.split()[-1][:4].lower()
    with acting_as("manager", (1,)):
        idle = find_hosts(text="", chosen=None)
        one_letter = find_hosts(text=fragment[:1], chosen=None)
        found = find_hosts(text=fragment, chosen=None)
        kept = find_hosts(text="zz-nobody-zz", chosen=tutors["host"].iloc[0])
        forged = find_hosts(text="%%", chosen="tutor:abc'; DROP TABLE tutors;--")
        elsewhere = find_hosts(
            text=outside[outside["kind"] == "tutor"]["name"].iloc[0], chosen=None
        )
    values = lambda options: {o["value"] for o in options}  # noqa: E731
    mentor_key = f"user:{mentor.id}"
    # Nothing typed (or one letter): the mentors only, no 5,000 tutors.
    assert mentor_key in values(idle) and not any(v.startswith("tutor:") for v in values(idle))
    assert values(one_letter) == values(idle)
    # Two letters on: tutors of the manager's regions whose name has them, and the mentors.
    matched = tutors[tutors["name"].str.lower().str.contains(fragment)]
    assert {o["value"] for o in found if o["value"].startswith("tutor:")} <= set(matched["host"])
    assert 0 < sum(v.startswith("tutor:") for v in values(found)) <= 20
    assert mentor_key in values(found) and any(o["label"].startswith(name) for o in found)
    assert tutors["host"].iloc[0] in values(kept)  # the chosen host stays
    labels = [o["label"] for o in found]
    assert len(labels) == len(set(labels))  # namesakes carry their number
    assert not any(v.startswith("tutor:") for v in values(forged))  # % is no wildcard
    assert not set(outside["host"]) & {v for v in values(elsewhere) if v.startswith("tutor:")}


def started_an_hour_ago(session_id: int) -> None:
    from sqlalchemy import update

    from data.engine import transaction
    from data.models import Schedule

    start = datetime.now(ZoneInfo("UTC")).replace(microsecond=0) - timedelta(hours=1)
    with transaction() as conn:
        conn.execute(
            update(Schedule)
            .where(Schedule.id == session_id)
            .values(starts_at=start, ends_at=start + timedelta(minutes=50))
        )


def test_status_moves_once_by_the_host_with_no_shows_recorded(fresh):
    mentor = create_test_account("analyst")
    with acting_as("admin"):
        _, _, go = book(f"user:{mentor.id}", day=next_monday())
    session_id = int(go.split("=")[1])
    with acting_as("viewer"):
        triggered(booking.ids.complete)
        with pytest.raises(AccessDenied):
            booking.change_status(_complete=1, _cancel=None, session_id=session_id, absent=[])
    from auth.sessions import sign_in

    with beacon.server.test_request_context("/"):
        sign_in(mentor, method="test")
        triggered(booking.ids.complete)
        early, _ = booking.change_status(
            _complete=1, _cancel=None, session_id=session_id, absent=[]
        )
        assert "once it has started" in text_of(early)
        started_an_hour_ago(session_id)
        attendee = students_in(1)[1]
        message, _ = booking.change_status(
            _complete=1, _cancel=None, session_id=session_id, absent=[attendee, 999]
        )
        assert "Marked completed" in text_of(message)
        triggered(booking.ids.cancel)
        message, _ = booking.change_status(
            _complete=None, _cancel=1, session_id=session_id, absent=[]
        )
        assert "Someone else changed" in text_of(message)
    with connect() as conn:
        done = schedules.one(conn=conn, schedule_id=session_id)
        entries, _ = audit_log.audit_log(conn=conn, action="schedule.completed", limit=1)
    assert done["status"] == "completed" and done["status_changed_by_id"] == mentor.id
    assert entries["detail"].iloc[0]["after"] == {"status": "completed", "no_shows": [attendee]}


def events_of(body: bytes) -> dict[str, dict]:
    calendar = Calendar.from_ical(body)
    return {
        str(e["uid"]): {
            "start": e.decoded("dtstart"),
            "summary": str(e["summary"]),
            "status": str(e["status"]),
        }
        for e in calendar.walk("VEVENT")
    }


def test_the_export_holds_exactly_the_filtered_view(fresh):
    account = create_test_account("manager", (1,))
    client = new_client()
    login(client, account.email)
    day = AS_OF - timedelta(days=10)
    response = client.get(f"/schedules/export.ics?view=week&date={day.isoformat()}&room=1")
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    assert "beacon-sessions-" in response.headers["Content-Disposition"]
    view = schedules.ScheduleView.from_args({"view": "week", "date": day.isoformat(), "room": "1"})
    first, following = view.window(day)
    zone = ZoneInfo(get_settings().timezone)
    with connect() as conn:
        expected, _ = schedules.listing(
            conn=conn,
            region_ids=[1],
            room_id=1,
            limit=None,
            since=datetime.combine(first, datetime.min.time(), zone),
            until=datetime.combine(following, datetime.min.time(), zone),
        )
    events = events_of(response.data)
    assert len(expected) > 0
    assert set(events) == {f"schedule-{i}@localhost" for i in expected["id"]}
    one = expected.iloc[0]
    assert events[f"schedule-{one['id']}@localhost"]["start"] == one["starts_at"].to_pydatetime()
    assert new_client().get("/schedules/export.ics").status_code == 302  # sign in first


def test_a_subscription_address_works_without_a_session_until_revoked(fresh):
    mentor = create_test_account("analyst")
    with acting_as("admin"):
        book(f"user:{mentor.id}", day=next_monday(), title="Mentoring")
    from auth.sessions import sign_in

    with beacon.server.test_request_context("/", base_url="http://beacon.test"):
        sign_in(mentor, method="test")
        triggered(schedules_mine.ids.subscribe)
        shown = text_of(schedules_mine.manage_subscription(_new=1, _revoke=None))
        address = re.search(r"http://beacon.test(/calendar/[A-Za-z0-9_-]+\.ics)", shown).group(1)
    anonymous = new_client()
    feed = anonymous.get(address)
    assert feed.status_code == 200
    assert [e["summary"] for e in events_of(feed.data).values()] == ["Mentoring"]
    assert anonymous.get("/calendar/not-a-token.ics").status_code == 404
    with beacon.server.test_request_context("/"):
        sign_in(mentor, method="test")
        triggered(schedules_mine.ids.revoke)
        schedules_mine.manage_subscription(_new=None, _revoke=1)
    assert anonymous.get(address).status_code == 404


def test_the_sessions_export_follows_the_list_grid_only_in_the_list_view(seeded_engine):
    """In the list view the export is the grid's rows and columns; the week and month show
    every session, so their export ignores a grid state left in the address."""
    import json

    from sharing.views import VIEWS

    view = VIEWS["schedules"]
    grid = {"filter": {"title": {"filterType": "text", "type": "contains", "filter": "revision"}}}
    grid["hide"] = ["room"]
    query = {"date": "2026-05-04", "until": "2026-05-10", "grid": json.dumps(grid)}
    with acting_as("viewer"):
        listed = view.part_by_key["sessions"].rows(view.state({**query, "view": "list"}))
        weekly = view.part_by_key["sessions"].rows(view.state({**query, "view": "week"}))
    assert 0 < len(listed) < len(weekly)
    assert listed["Session"].str.lower().str.contains("revision").all()
    assert list(listed)[:2] == ["Session ID", "When"] and "Room" not in listed
    assert not weekly["title"].str.lower().str.contains("revision").all()


def test_the_list_views_heading_names_its_period_and_leaves_the_count_to_the_grid(seeded_engine):
    """The grid counts what it lists under its own column filters too ("N sessions match"),
    so the list's heading gives the period alone; the week gives its count of sessions."""
    from pages import schedules as calendar

    with acting_as("viewer"):
        _, listed, *_ = calendar.draw("list", "2026-05-04", None, None, None, None, "2026-05-10")
        _, weekly, *_ = calendar.draw("week", "2026-05-04", None, None, None, None, None)
    assert listed == "04 May – 10 May 2026"
    assert re.fullmatch(r"04 May – 10 May 2026 · [\d,]+ sessions", weekly)


def test_the_nearest_free_slot_may_be_on_the_day_before(fresh):
    """A host busy all Tuesday: Monday at 18:00 is nearer to Tuesday 08:00 than Wednesday's
    opening (the suggestion used to look only at the same day and later)."""
    monday = next_monday()
    tuesday = monday + timedelta(days=1)
    with acting_as("admin"):
        book("tutor:1", day=tuesday, start="08:00", end="19:00", title="All day")
        _, suggestion, _ = book(
            "tutor:1", day=tuesday, start="08:00", end="09:00", room=2, title="Early"
        )
    slot = datetime.fromisoformat(suggestion).astimezone(ZoneInfo(get_settings().timezone))
    assert (slot.date(), slot.strftime("%H:%M")) == (monday, "18:00")

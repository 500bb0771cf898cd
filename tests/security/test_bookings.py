"""Double bookings and half-saved changes, attacked through the running app: six people
booking one slot at the same moment, and a change whose audit entry cannot be written."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import func, select, text

from data import schedules
from data.engine import connect, transaction
from data.models import Schedule
from tests.security.conftest import browser_session
from tests.unit.test_schedule_pages import next_monday

RACERS = 6


def browser_id(listed: str) -> str | dict:
    """An id as the browser sends it: an All-in-One widget's is listed as JSON, sent as a dict."""
    return json.loads(listed) if listed.startswith("{") else listed


def name(listed: str) -> str:
    """The plain name of a form field (an All-in-One widget's `aio_id`)."""
    found = browser_id(listed)
    return found["aio_id"] if isinstance(found, dict) else found


def save_request(session, base: str, values: dict) -> dict:
    """The booking form's Save, as the browser sends it (from /_dash-dependencies)."""
    deps = session.get(f"{base}/_dash-dependencies", timeout=10).json()
    spec = next(c for c in deps if "book-result.children" in c["output"])
    outputs = [
        {"id": part.rsplit(".", 1)[0], "property": part.rsplit(".", 1)[1]}
        for part in spec["output"].strip(".").split("...")
    ]
    return {
        "output": spec["output"],
        "outputs": outputs,
        "inputs": [{"id": "book-save", "property": "n_clicks", "value": 1}],
        "state": [
            {
                "id": browser_id(s["id"]),
                "property": s["property"],
                "value": values.get(name(s["id"])),
            }
            for s in spec["state"]
        ],
        "changedPropIds": ["book-save.n_clicks"],
    }


def slot_values(title: str) -> dict:
    with connect() as conn:
        host = schedules.hosts(conn=conn, region_ids=[1])["host"].iloc[0]
        room = int(schedules.rooms(conn=conn, region_ids=[1])["id"].iloc[0])
    return {
        "book-title": title,
        "book-host": host,
        "book-room": room,
        "book-day": next_monday().isoformat(),
        "book-start": "10:00",
        "book-end": "11:00",
        "book-students": [],
    }


def live_sessions(title: str) -> int:
    with connect() as conn:
        return conn.execute(
            select(func.count())
            .select_from(Schedule)
            .where(Schedule.title == title, Schedule.status != "cancelled")
        ).scalar_one()


def test_six_people_booking_one_slot_at_once_save_one_session(live_server):
    values = slot_values("Race for the slot")
    people = [browser_session(live_server, "admin") for _ in range(RACERS)]
    bodies = [save_request(p, live_server, values) for p in people]

    def book(pair):
        person, body = pair
        return person.post(f"{live_server}/_dash-update-component", json=body, timeout=60)

    with ThreadPoolExecutor(RACERS) as pool:
        answers = list(pool.map(book, zip(people, bodies, strict=True)))
    assert all(a.status_code == 200 for a in answers), [a.status_code for a in answers]
    texts = [a.text for a in answers]
    assert sum("Saved." in t for t in texts) == 1
    losers = [t for t in texts if "Saved." not in t]
    assert all("double-books" in t and "Nearest free slot" in t for t in losers), losers[:1]
    assert live_sessions("Race for the slot") == 1


def break_the_audit_log() -> None:
    """Every later insert into the audit log fails, as a full disk or a broken trigger would."""
    with transaction() as conn:
        if conn.dialect.name == "sqlite":
            conn.execute(
                text(
                    "CREATE TRIGGER audit_down BEFORE INSERT ON audit_log "
                    "BEGIN SELECT RAISE(ABORT, 'audit log unavailable'); END"
                )
            )
            return
        conn.execute(
            text(
                "CREATE FUNCTION audit_down() RETURNS trigger LANGUAGE plpgsql AS "
                "$$ BEGIN RAISE EXCEPTION 'audit log unavailable'; END $$"
            )
        )
        conn.execute(
            text(
                "CREATE TRIGGER audit_down BEFORE INSERT ON audit_log "
                "FOR EACH ROW EXECUTE FUNCTION audit_down()"
            )
        )


def test_a_change_whose_audit_entry_fails_is_not_saved_and_says_so(live_server):
    person = browser_session(live_server, "admin")  # signing in is audited: before the break
    break_the_audit_log()
    values = slot_values("Booked without a record")
    answer = person.post(
        f"{live_server}/_dash-update-component",
        json=save_request(person, live_server, values),
        timeout=60,
    )
    assert answer.status_code == 200
    assert "nothing was changed" in answer.text and "Saved." not in answer.text
    assert live_sessions("Booked without a record") == 0

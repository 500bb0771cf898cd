"""Double bookings, business hours and the nearest free slot; properties checked by hypothesis."""

from datetime import UTC, datetime, time, timedelta

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analytics.scheduling import BUSY_COLUMNS, Booking, BusinessHours, clashes, nearest_free_slot

MONDAY = datetime(2026, 11, 23, tzinfo=UTC)  # a Monday
HOURS = BusinessHours()


def at(day: int, hour: float) -> datetime:
    return MONDAY + timedelta(days=day, hours=hour)


def busy(*rows) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=BUSY_COLUMNS)
    for column in ("starts_at", "ends_at"):
        frame[column] = pd.to_datetime(frame[column], utc=True)
    return frame


EXISTING = busy(
    (1, "Maths", at(0, 10), at(0, 11), "tutor:1", 5, [100, 101]),
    (2, "Reading", at(0, 10), at(0, 11), "tutor:2", 6, [200]),
    (3, "Cancelled-free", at(0, 13), at(0, 14), "user:9", None, []),
)


def test_a_clash_names_what_is_shared():
    booking = Booking(at(0, 10.5), at(0, 11.5), "tutor:1", room_id=6, students=frozenset({101}))
    found = clashes(booking, EXISTING)
    assert found["id"].tolist() == [1, 2]
    assert found["shared"].tolist() == ["host, 1 attendee", "room"]


def test_touching_sessions_and_other_resources_do_not_clash():
    after = Booking(at(0, 11), at(0, 12), "tutor:1", room_id=5, students=frozenset({100}))
    assert clashes(after, EXISTING).empty
    elsewhere = Booking(at(0, 10), at(0, 11), "tutor:3", room_id=7, students=frozenset({300}))
    assert clashes(elsewhere, EXISTING).empty


def test_an_edited_session_does_not_clash_with_itself():
    same = Booking(at(0, 10), at(0, 11), "tutor:1", room_id=5, students=frozenset({100}), id=1)
    assert clashes(same, EXISTING).empty


def test_business_hours_in_a_time_zone():
    london = BusinessHours(opens=time(8), closes=time(19), timezone="Europe/London")
    assert london.contains(at(0, 8), at(0, 9))
    assert not london.contains(at(0, 7.5), at(0, 8.5))  # opens at 8
    assert not london.contains(at(0, 18.5), at(0, 19.5))  # closes at 19
    assert not london.contains(at(5, 10), at(5, 11))  # Saturday
    assert not london.contains(at(0, 18), at(1, 9))  # over night
    new_york = BusinessHours(timezone="America/New_York")
    assert not new_york.contains(at(0, 8), at(0, 9))  # 03:00 there
    assert new_york.contains(at(0, 14), at(0, 15))
    with pytest.raises(ValueError, match="opens must be before closes"):
        BusinessHours(opens=time(19), closes=time(8))


def test_the_nearest_free_slot_prefers_later_on_a_tie_and_earlier_when_nearer():
    booking = Booking(at(0, 10), at(0, 11), "tutor:1", room_id=5)
    # 11:00 and 09:00 are both an hour away: the later one wins the tie.
    assert nearest_free_slot(booking, EXISTING, HOURS, not_before=at(0, 0)) == at(0, 11)
    afternoon = busy(
        *EXISTING.itertuples(index=False), (4, "Long", at(0, 11), at(0, 13), "tutor:1", None, [])
    )
    assert nearest_free_slot(booking, afternoon, HOURS, not_before=at(0, 0)) == at(0, 9)
    # Never in the past.
    assert nearest_free_slot(booking, afternoon, HOURS, not_before=at(0, 9.5)) == at(0, 13)


def test_no_slot_when_everything_is_taken():
    full = busy((1, "All day", at(0, 0), at(30, 0), "tutor:1", None, []))
    booking = Booking(at(0, 10), at(0, 11), "tutor:1")
    assert nearest_free_slot(booking, full, HOURS, not_before=at(0, 0)) is None


sessions = st.lists(
    st.tuples(
        st.integers(0, 4),  # day
        st.integers(32, 72),  # start in quarter hours (08:00-18:00)
        st.integers(1, 8),  # length in quarter hours
        st.sampled_from(["tutor:1", "tutor:2", "user:3"]),
        st.sampled_from([None, 1, 2]),
        st.frozensets(st.integers(1, 6), max_size=3),
    ),
    max_size=12,
)


def to_busy(rows) -> pd.DataFrame:
    return busy(
        *[
            (i + 1, f"S{i}", at(d, q / 4), at(d, (q + n) / 4), h, r, list(s))
            for i, (d, q, n, h, r, s) in enumerate(rows)
        ]
    )


@settings(max_examples=150, deadline=None)
@given(sessions, sessions)
def test_clashes_are_exactly_the_overlapping_sessions_sharing_a_resource(rows, candidates):
    existing = to_busy(rows)
    for d, q, n, h, r, s in candidates:
        booking = Booking(at(d, q / 4), at(d, (q + n) / 4), h, room_id=r, students=s)
        found = set(clashes(booking, existing)["id"])
        expected = {
            i + 1
            for i, (d2, q2, n2, h2, r2, s2) in enumerate(rows)
            if d2 == d
            and q2 < q + n
            and q < q2 + n2
            and (h2 == h or (r is not None and r2 == r) or bool(s & s2))
        }
        assert found == expected


@settings(max_examples=100, deadline=None)
@given(sessions, st.integers(0, 4), st.integers(32, 72), st.integers(1, 8))
def test_a_suggested_slot_is_free_in_hours_and_as_long(rows, day, quarter, length):
    existing = to_busy(rows)
    booking = Booking(
        at(day, quarter / 4),
        at(day, (quarter + length) / 4),
        "tutor:1",
        room_id=1,
        students=frozenset({1, 2}),
    )
    slot = nearest_free_slot(booking, existing, HOURS, not_before=at(0, 0))
    assert slot is not None  # two weeks always hold a free quarter hour or eight
    moved = Booking(
        slot,
        slot + (booking.ends_at - booking.starts_at),
        "tutor:1",
        room_id=1,
        students=frozenset({1, 2}),
    )
    assert clashes(moved, existing).empty
    assert HOURS.contains(moved.starts_at, moved.ends_at)
    if clashes(booking, existing).empty and HOURS.contains(booking.starts_at, booking.ends_at):
        assert slot == booking.starts_at  # a free request is its own nearest slot

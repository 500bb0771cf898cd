"""The home page's roll-ups equal the same numbers computed in pandas from the generated rows."""

from datetime import UTC, date, datetime, timedelta

import pandas as pd
import pytest

from data.engine import connect
from data.queries import overview
from data.seed import generate
from tests.conftest import AS_OF, SEED

UNTIL = datetime(AS_OF.year, AS_OF.month, AS_OF.day, tzinfo=UTC) + timedelta(days=1)
SINCE = UNTIL - timedelta(days=90)
SCOPE = [1, 3]


@pytest.fixture(scope="module")
def frames():
    return generate("small", SEED, AS_OF)


def in_window(frame: pd.DataFrame, column: str, since, until) -> pd.DataFrame:
    values = frame[column]
    if not isinstance(values.dtype, pd.DatetimeTZDtype):
        values = pd.to_datetime(values).dt.tz_localize("UTC")
    since, until = (pd.Timestamp(t) for t in (since, until))
    since, until = (t if t.tzinfo else t.tz_localize("UTC") for t in (since, until))
    return frame[(values >= since) & (values < until)]


def region_of(frames, name: str) -> pd.Series:
    return frames[name].set_index("id")["region_id"]


@pytest.mark.parametrize("region_ids", [None, SCOPE])
def test_daily_sessions(seeded_engine, frames, region_ids):
    with connect() as conn:
        result = overview.daily_sessions(conn=conn, since=SINCE, until=UNTIL, region_ids=region_ids)
    expected = in_window(frames["tutoring_sessions"], "scheduled_start", SINCE, UNTIL)
    if region_ids:
        expected = expected[expected["tutor_id"].map(region_of(frames, "tutors")).isin(region_ids)]
    assert list(result.columns) == ["day", "status", "sessions", "rated", "rating_sum"]
    assert result.groupby("status")["sessions"].sum().to_dict() == (
        expected["status"].value_counts().to_dict()
    )
    assert result["rating_sum"].sum() == expected["rating"].sum()
    assert result["rated"].sum() == expected["rating"].notna().sum()
    by_day = expected.groupby(expected["scheduled_start"].dt.date).size()
    assert result.groupby(result["day"].dt.date)["sessions"].sum().to_dict() == by_day.to_dict()


def test_tutor_counts(seeded_engine, frames):
    since = AS_OF - timedelta(days=90)
    with connect() as conn:
        result = overview.tutor_counts(conn=conn, left_since=since, region_ids=SCOPE)
        until = since + timedelta(days=30)
        bounded = overview.tutor_counts(
            conn=conn, left_since=since, left_until=until, region_ids=SCOPE
        )
    tutors = frames["tutors"][frames["tutors"]["region_id"].isin(SCOPE)]
    left = pd.to_datetime(tutors["left_on"])
    # A leaving day after the window's end is notice given, not a tutor gone.
    assert bounded["left_recently"].iloc[0] == int(
        left.between(pd.Timestamp(since), pd.Timestamp(until)).sum()
    )
    assert bounded["left_recently"].iloc[0] <= result["left_recently"].iloc[0]
    assert result.to_dict("records") == [
        {
            "active": int((tutors["status"] == "active").sum()),
            "left_recently": int((left >= pd.Timestamp(since)).sum()),
        }
    ]


def test_daily_attendance(seeded_engine, frames):
    with connect() as conn:
        result = overview.daily_attendance(conn=conn, since=SINCE.date(), until=UNTIL.date())
    expected = in_window(frames["pe_attendance"], "session_date", SINCE, UNTIL)
    assert result["present"].sum() == expected["present"].sum()
    assert result["marks"].sum() == len(expected)
    per_day = expected[expected["present"]].groupby("session_date")["student_id"].nunique()
    assert result.set_index(result["day"].dt.date)["students"].to_dict() == per_day.to_dict()


def test_daily_incidents(seeded_engine, frames):
    since, until = date(2025, 6, 1), UNTIL.date()
    with connect() as conn:
        result = overview.daily_incidents(conn=conn, since=since, until=until)
    expected = in_window(frames["safety_incidents"], "occurred_on", since, until)
    assert len(expected) > 0
    assert result.groupby("severity")["incidents"].sum().to_dict() == (
        expected["severity"].value_counts().to_dict()
    )


def test_daily_bookings(seeded_engine, frames):
    until = UNTIL + timedelta(weeks=4)
    with connect() as conn:
        result = overview.daily_bookings(conn=conn, since=SINCE, until=until, region_ids=SCOPE)
    schedules = in_window(frames["schedules"], "starts_at", SINCE, until)
    schedules = schedules[schedules["room_id"].map(region_of(frames, "rooms")).isin(SCOPE)]
    assert result.groupby("status")["bookings"].sum().to_dict() == (
        schedules["status"].value_counts().to_dict()
    )
    hours = (schedules["ends_at"] - schedules["starts_at"]).dt.total_seconds().sum() / 3600
    assert result["hours"].sum() == pytest.approx(hours)


@pytest.mark.parametrize("region_ids", [None, SCOPE])
def test_daily_applications(seeded_engine, frames, region_ids):
    with connect() as conn:
        result = overview.daily_applications(
            conn=conn, since=SINCE, until=UNTIL, region_ids=region_ids
        )
    expected = in_window(frames["credit_applications"], "applied_at", SINCE, UNTIL)
    if region_ids:
        region = expected["customer_id"].map(region_of(frames, "credit_customers"))
        expected = expected[region.isin(region_ids)]
    assert result.groupby("status")["applications"].sum().to_dict() == (
        expected["status"].value_counts().to_dict()
    )
    assert result["amount"].sum() == pytest.approx(expected["amount"].sum())


def test_active_loan_arrears(seeded_engine, frames):
    with connect() as conn:
        result = overview.active_loan_arrears(conn=conn).iloc[0]
    loans = frames["loans"][frames["loans"]["status"] == "active"]
    repayments = frames["repayments"]
    # 30+ days late on the credit data's day (the newest application's): from due, or as
    # stored where that says more.
    day = frames["credit_applications"]["applied_at"].max().date()
    due = pd.to_datetime(repayments["due_on"]).dt.date
    late = repayments[
        repayments["paid_on"].isna()
        & ((due <= day - timedelta(days=30)) | (repayments["days_past_due"] >= 30))
    ]
    assert result["loans"] == len(loans)
    assert result["principal"] == pytest.approx(loans["principal"].sum())
    assert result["in_arrears"] == loans["id"].isin(late["loan_id"]).sum()
    with connect() as conn:
        scoped = overview.active_loan_arrears(conn=conn, region_ids=SCOPE).iloc[0]
    in_scope = loans[loans["customer_id"].map(region_of(frames, "credit_customers")).isin(SCOPE)]
    assert 0 < scoped["loans"] == len(in_scope) < len(loans)
    assert scoped["in_arrears"] == in_scope["id"].isin(late["loan_id"]).sum()


def test_data_as_of_is_the_newest_event(seeded_engine, frames):
    with connect() as conn:
        result = overview.data_as_of(conn=conn).set_index("source")["newest"]
    sessions = frames["tutoring_sessions"]
    held = sessions[sessions["status"] != "scheduled"]["scheduled_start"].max()
    assert result["tutoring_sessions"] == held
    assert result["credit_applications"] == frames["credit_applications"]["applied_at"].max()


def test_every_query_answers_an_empty_database_with_an_empty_frame(empty_url, use_database):
    use_database(empty_url)
    with connect() as conn:
        assert overview.daily_sessions(conn=conn, since=SINCE, until=UNTIL).empty
        assert overview.daily_attendance(conn=conn, since=SINCE.date(), until=UNTIL.date()).empty
        assert overview.daily_incidents(conn=conn, since=SINCE.date(), until=UNTIL.date()).empty
        assert overview.daily_bookings(conn=conn, since=SINCE, until=UNTIL).empty
        assert overview.daily_applications(conn=conn, since=SINCE, until=UNTIL).empty
        assert overview.tutor_counts(conn=conn, left_since=AS_OF).iloc[0].tolist() == [0, 0]
        assert overview.active_loan_arrears(conn=conn).iloc[0].tolist() == [0, 0.0, 0]
        assert overview.data_as_of(conn=conn)["newest"].isna().all()


@pytest.mark.parametrize("back", range(7))
def test_homes_booked_hours_are_twelve_whole_weeks_whatever_the_day(seeded_engine, back):
    """Home's "past 8 and next 4 weeks": 12 Monday-start weeks, each with all 7 of its days (the
    reader read from 8 weeks back, so a 13th first week held a day or none)."""
    from analytics import home_kpis
    from data.queries import home

    end = pd.Timestamp(AS_OF, tz="UTC") - pd.Timedelta(days=back)
    with connect() as conn:
        frames = home.section_frames(conn=conn, section="schedules", end=end, region_ids=SCOPE)
        every = overview.daily_bookings(
            conn=conn,
            region_ids=SCOPE,
            since=end - timedelta(weeks=20),
            until=end + timedelta(weeks=10),
        )
    _, weeks = home_kpis.schedules(frames, end, weeks=12)
    assert len(weeks) == 12 and (weeks["week"].dt.day_name() == "Monday").all()
    days = pd.to_datetime(every["day"]).dt.tz_localize(None)
    for _, row in weeks.iterrows():
        in_week = every[(days >= row["week"]) & (days < row["week"] + pd.Timedelta(days=7))]
        for status, hours in in_week.groupby("status")["hours"].sum().items():
            assert row.get(status, 0) == pytest.approx(hours), (row["week"], status)


@pytest.mark.parametrize("back", [0, 3])
def test_homes_sessions_ahead_are_those_still_to_come_and_not_compared(seeded_engine, back):
    """The week ahead has not had its cancellations yet and the week before has: the card
    counts what is still to come, from today, and gives the week before as context (an
    arrow read +20% where bookings were flat)."""
    from analytics import home_kpis
    from data.queries import home

    end = pd.Timestamp(AS_OF, tz="UTC") - pd.Timedelta(days=back)
    with connect() as conn:
        frames = home.section_frames(conn=conn, section="schedules", end=end, region_ids=SCOPE)
        every = overview.daily_bookings(
            conn=conn,
            region_ids=SCOPE,
            since=end - timedelta(weeks=2),
            until=end + timedelta(weeks=2),
        )
    kpis, _ = home_kpis.schedules(frames, end, weeks=12)
    shown = next(k for k in kpis if k.key == "bookings_next_7_days")
    days = pd.to_datetime(every["day"]).dt.tz_localize(None)
    first = end.tz_localize(None).normalize() + pd.Timedelta(days=1)

    def counted(start: pd.Timestamp, statuses: set[str]) -> int:
        within = every[(days >= start) & (days < start + pd.Timedelta(days=7))]
        return int(within.loc[within["status"].isin(statuses), "bookings"].sum())

    assert (every["status"] == "cancelled").any() and not shown.compare
    assert shown.value == counted(first, {"scheduled"}) > 0
    took_place = counted(
        first - pd.Timedelta(days=7), set(every["status"]) - {"cancelled", "scheduled"}
    )
    assert shown.note == f"{took_place:,} took place in the 7 days before"
    assert (shown.first_day, shown.last_day) == (
        first.date(),
        (first + pd.Timedelta(days=6)).date(),
    )


def test_sessions_that_ended_unmarked_are_not_still_to_come(seeded_engine, frames):
    """A booked session of the days ahead that has ended by now without being marked is
    still "scheduled" but not still to come: the card leaves it out and says how many."""
    from analytics import home_kpis
    from data.queries import home

    end = pd.Timestamp(AS_OF, tz="UTC")
    by = (end + pd.Timedelta(days=1, hours=13)).to_pydatetime()
    since, until = end + pd.Timedelta(days=1), end + pd.Timedelta(days=8)
    s, rooms = frames["schedules"], frames["rooms"]
    s = s[s["room_id"].map(rooms.set_index("id")["region_id"]).isin(SCOPE)]
    starts, ends = (pd.to_datetime(s[c], utc=True) for c in ("starts_at", "ends_at"))
    ahead = s[(starts >= since) & (starts < until) & (s["status"] == "scheduled")]
    ended = int((ends[ahead.index] <= by).sum())
    with connect() as conn:  # what the page and the API read
        frames = home.area_frames(conn=conn, section="schedules", end=end, region_ids=SCOPE, now=by)
    assert int(frames["ended_unmarked"]["sessions"].sum()) == ended > 0 and len(ahead) > ended
    kpis, _ = home_kpis.schedules(frames, end, weeks=12)
    shown = next(k for k in kpis if k.key == "bookings_next_7_days")
    assert shown.value == len(ahead) - ended
    assert shown.note.endswith(f"; {ended:,} ended, not marked yet")

"""Demo data: deterministic, loaded whole on both backends, and driven by real causes."""

from datetime import UTC, datetime, timedelta

import pandas as pd
import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.orm import Session

from data.engine import engine_for
from data.models import Base, DataLoad, Region
from data.seed import AlreadySeededError, generate, seed_database
from data.seed.common import SCALES
from data.seed.credit import credit_frames
from data.seed.tutoring import student_frame, tutoring_frames
from tests.conftest import AS_OF, SEED


@pytest.fixture(scope="module")
def frames():
    return generate("small", SEED, AS_OF)


def test_same_seed_same_rows_other_seed_other_rows(frames):
    again = generate("small", SEED, AS_OF)
    for name, frame in frames.items():
        pd.testing.assert_frame_equal(frame, again[name], obj=name)
    other = generate("small", SEED + 1, AS_OF)
    assert not frames["tutoring_sessions"].equals(other["tutoring_sessions"])


def test_unknown_scale_is_refused_with_the_choices():
    with pytest.raises(
        ValueError, match="scale must be one of small, medium, large, xlarge; got 'huge'"
    ):
        generate("huge", 1, AS_OF)


def test_leavers_show_it_in_their_sessions_weeks_before_they_go(frames):
    tutors = frames["tutors"]
    sessions = frames["tutoring_sessions"].merge(
        tutors[["id", "left_on"]], left_on="tutor_id", right_on="id", suffixes=("", "_tutor")
    )
    sessions = sessions[sessions["left_on"].notna()].copy()
    weeks_before = (
        pd.to_datetime(sessions["left_on"]).dt.tz_localize("UTC") - sessions["scheduled_start"]
    ).dt.days / 7
    late = sessions[weeks_before.between(0, 4)]
    early = sessions[weeks_before.between(12, 30)]
    disrupted = ["no_show", "rescheduled", "cancelled"]
    assert late["status"].isin(disrupted).mean() > 1.8 * early["status"].isin(disrupted).mean()
    assert late["rating"].mean() < early["rating"].mean() - 0.3
    late_volume = len(late) / 4 / late["tutor_id"].nunique()
    early_volume = len(early) / 18 / early["tutor_id"].nunique()
    assert late_volume < 0.8 * early_volume


def test_only_future_sessions_are_scheduled_and_no_further_than_two_weeks_out(frames):
    sessions = frames["tutoring_sessions"]
    tomorrow = pd.Timestamp(AS_OF, tz="UTC") + pd.Timedelta(days=1)
    horizon = pd.Timestamp(AS_OF - timedelta(days=AS_OF.weekday()), tz="UTC") + pd.Timedelta(
        weeks=3
    )
    future = sessions["scheduled_start"] > tomorrow
    assert (sessions.loc[future, "status"] == "scheduled").all()
    assert (sessions.loc[~future, "status"] != "scheduled").all()
    assert sessions["scheduled_start"].max() < horizon


def test_lesson_plans_run_two_weeks_ahead_but_were_all_written_by_yesterday(frames):
    plans = frames["lesson_plans"]
    written = plans["created_at"].dt.tz_convert("UTC").dt.tz_localize(None)
    assert pd.to_datetime(plans["planned_on"]).max() > pd.Timestamp(AS_OF)
    assert written.max() < pd.Timestamp(AS_OF)
    assert (written < pd.to_datetime(plans["planned_on"])).all()


def test_tutors_who_left_have_no_sessions_after_leaving(frames):
    left = frames["tutors"].dropna(subset=["left_on"]).set_index("id")["left_on"]
    sessions = frames["tutoring_sessions"]
    after = sessions[sessions["tutor_id"].isin(left.index)].copy()
    after["left_on"] = pd.to_datetime(after["tutor_id"].map(left)).dt.tz_localize("UTC")
    assert (after["scheduled_start"] < after["left_on"] + pd.Timedelta(days=1)).all()


def test_defaulters_differ_in_their_features(frames):
    loans = frames["loans"].merge(
        frames["credit_applications"],
        left_on="application_id",
        right_on="id",
        suffixes=("", "_app"),
    )
    bad = loans[loans["status"] == "defaulted"]
    good = loans[loans["status"] == "repaid"]
    assert len(bad) >= 20
    assert bad["debt_to_income"].mean() > good["debt_to_income"].mean() + 0.03
    assert bad["delinquencies_2y"].mean() > good["delinquencies_2y"].mean()
    late = frames["repayments"].groupby("loan_id")["days_past_due"].max()
    assert (late.reindex(bad["id"]) >= 90).all()


def test_attendance_drives_skill_progress(frames):
    attendance = frames["pe_attendance"].groupby("student_id")["present"].mean()
    skills = frames["skill_assessments"]
    first, last = skills["assessed_on"].min(), skills["assessed_on"].max()
    score = skills.pivot_table(index="student_id", columns="assessed_on", values="score")
    growth = score[last] - score[first]
    assert growth.corr(attendance.reindex(growth.index)) > 0.3


def test_incidents_follow_the_activity(frames):
    incidents = frames["safety_incidents"]["activity"].value_counts()
    assert incidents.get("dance", 0) < incidents.get("basketball", 0)


@pytest.mark.slow
def test_large_scale_has_a_million_sessions_and_100k_applications():
    size = SCALES["large"]
    students = student_frame(size, SEED, AS_OF)
    assert len(tutoring_frames(size, SEED, AS_OF, students)["tutoring_sessions"]) >= 1_000_000
    assert len(credit_frames(size, SEED, AS_OF)["credit_applications"]) >= 100_000


def test_seed_loads_every_generated_row(seeded_url, frames):
    engine = create_engine(seeded_url)
    with engine.connect() as conn:
        for name, frame in frames.items():
            table = Base.metadata.tables[name]
            assert conn.execute(select(func.count()).select_from(table)).scalar_one() == len(frame)
    engine.dispose()


def test_reseeding_needs_reset_and_keeps_ids_usable(empty_url):
    engine = create_engine(empty_url)
    first = seed_database(engine, scale="small", seed=SEED, as_of=AS_OF)
    with pytest.raises(AlreadySeededError, match="pass --reset"):
        seed_database(engine, scale="small", seed=SEED, as_of=AS_OF)
    second = seed_database(engine, scale="small", seed=SEED, as_of=AS_OF, reset=True)
    assert first.rows == second.rows
    with Session(engine) as session, session.begin():
        region = Region(code="NEW", name="New region")  # id from the sequence, after COPY
        session.add(region)
        session.flush()
        assert region.id == SCALES["small"].regions + 1
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM regions")).scalar_one() == 5
    engine.dispose()


@pytest.mark.db
def test_a_bulk_load_is_not_cut_short_by_the_statement_timeout_and_is_analysed(postgres_url):
    engine = engine_for(postgres_url, 20)  # 20 ms: far less than loading even the small set takes
    report = seed_database(engine, scale="small", seed=SEED, as_of=AS_OF)
    assert report.rows["tutoring_sessions"] > 5_000
    # The planner knows the new rows at once (ANALYZE), not after autovacuum's next round.
    with engine.connect() as conn:
        planned = conn.execute(
            text("SELECT reltuples FROM pg_class WHERE relname = 'tutoring_sessions'")
        ).scalar_one()
    assert planned == report.rows["tutoring_sessions"]


def test_a_demo_seeded_today_has_nothing_happened_after_now():
    """Seeded this morning, the demo shows no session completed this evening: "Data as of"
    and everything dated from it stay at or before now."""
    from datetime import UTC, datetime

    before = pd.Timestamp.now(tz="UTC")
    frames = generate("small", 3, datetime.now(UTC).date())
    soon = before + pd.Timedelta(minutes=1)
    sessions = frames["tutoring_sessions"]
    ends = pd.to_datetime(sessions["scheduled_start"], utc=True) + pd.to_timedelta(
        sessions["duration_minutes"], unit="m"
    )
    happened = sessions["status"] != "scheduled"
    assert ends[happened].max() <= soon  # a session under way is not completed yet
    assert (ends[~happened] > before - pd.Timedelta(minutes=1)).all()
    bookings = frames["schedules"]
    completed = bookings[bookings["status"] == "completed"]
    assert pd.to_datetime(completed["ends_at"], utc=True).max() <= soon
    cancelled = bookings[bookings["status"] == "cancelled"]
    assert pd.to_datetime(cancelled["starts_at"], utc=True).max() <= soon
    assert pd.to_datetime(bookings["status_changed_at"], utc=True).max() <= soon
    assert pd.to_datetime(bookings["created_at"], utc=True).max() <= soon  # 1,915 were ahead
    assert (bookings["created_at"] <= bookings["starts_at"]).all()


def test_no_tutor_has_a_session_before_they_were_hired(frames):
    first = frames["tutoring_sessions"].groupby("tutor_id")["scheduled_start"].min()
    hired = frames["tutors"].set_index("id")["hired_on"]
    first_day = first.dt.tz_convert(None).dt.normalize()
    assert (pd.to_datetime(hired.reindex(first.index)) <= first_day).all()


SCHEMA = text(
    "SELECT tablename || ' ' || indexdef FROM pg_indexes WHERE schemaname = current_schema()"
    " UNION ALL SELECT conrelid::regclass || ' ' || conname || ' ' || pg_get_constraintdef(oid)"
    " FROM pg_constraint WHERE connamespace = current_schema()::regnamespace ORDER BY 1"
)


@pytest.mark.db
def test_a_big_load_builds_its_indexes_and_keys_after_and_leaves_the_schema_as_it_was(
    postgres_url, frames
):
    """#26: a load of REBUILD_ROWS rows or more drops the table's secondary indexes and
    foreign keys and makes them again from their own definitions, in the load's transaction:
    the schema is the same after, the keys still check, and a failed load leaves nothing."""
    from data.bulk import bulk_insert

    engine = create_engine(postgres_url)
    with engine.connect() as conn:
        before = conn.execute(SCHEMA).scalars().all()
    tables = Base.metadata.tables
    with engine.begin() as conn:
        for name in ("regions", "tutors", "students"):
            bulk_insert(conn, tables[name], frames[name])
        sessions = frames["tutoring_sessions"].assign(
            external_id=lambda f: "beacon-" + f["id"].astype(str)
        )
        assert bulk_insert(conn, tables["tutoring_sessions"], sessions, rebuild=True) == len(
            sessions
        )
    with engine.connect() as conn:
        assert conn.execute(SCHEMA).scalars().all() == before
        plan = (
            conn.execute(
                text("EXPLAIN SELECT id FROM tutoring_sessions WHERE external_id = 'beacon-7'")
            )
            .scalars()
            .all()
        )
        assert "ix_tutoring_sessions_external_id" in " ".join(plan)
    # A row whose tutor does not exist: the foreign key, made again, refuses the whole load.
    orphan = sessions.head(3).assign(id=lambda f: f["id"] + 10**7, tutor_id=10**6)
    orphan = orphan.assign(external_id=lambda f: "beacon-" + f["id"].astype(str))
    with pytest.raises(Exception, match="fk_tutoring_sessions_tutor_id_tutors"):  # noqa: PT011
        with engine.begin() as conn:
            bulk_insert(conn, tables["tutoring_sessions"], orphan, rebuild=True)
    with engine.connect() as conn:
        assert conn.execute(SCHEMA).scalars().all() == before  # rolled back whole
        count = conn.execute(text("SELECT count(*) FROM tutoring_sessions")).scalar_one()
    assert count == len(sessions)
    engine.dispose()


def test_a_repaid_loan_owes_no_instalment(frames):
    loans, repayments = frames["loans"], frames["repayments"]
    repaid = repayments[repayments["loan_id"].isin(loans.loc[loans["status"] == "repaid", "id"])]
    assert len(repaid) and repaid["paid_on"].notna().all()
    unpaid = repayments[repayments["paid_on"].isna()]
    assert set(loans.loc[loans["id"].isin(unpaid["loan_id"]), "status"]) <= {"active", "defaulted"}


def test_the_demo_never_replaces_an_organisations_own_data(empty_url):
    """`seed --reset` had emptied a database with an organisation's loaded data, its admins
    and its audit log; and `seed` over credit data alone failed with a duplicate key."""
    engine = create_engine(empty_url)
    with Session(engine) as session, session.begin():
        session.add(Region(code="LDN", name="London", external_id="LDN"))
    for reset in (False, True):
        with pytest.raises(AlreadySeededError, match="own data .regions such as 'LDN'.*new, empty"):
            seed_database(engine, scale="small", seed=SEED, as_of=AS_OF, reset=reset)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT code FROM regions")).scalars().all() == ["LDN"]
    engine.dispose()


def test_a_loaded_demo_package_is_an_organisations_data_too(empty_url):
    engine = create_engine(empty_url)
    seed_database(engine, scale="small", seed=SEED, as_of=AS_OF)
    with Session(engine) as session, session.begin():
        session.add(
            DataLoad(
                started_at=datetime.now(UTC),
                by="ops@example.org",
                source="command",
                dry_run=False,
                skip_bad_rows=False,
                outcome="loaded",
            )
        )
    with pytest.raises(AlreadySeededError, match=r"own data \(1 load of its files\)"):
        seed_database(engine, scale="small", seed=SEED, as_of=AS_OF, reset=True)
    engine.dispose()

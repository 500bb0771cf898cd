"""The scoring job on a real database, and the queries the risk pages read back."""

from datetime import UTC, datetime

import pandas as pd
import pytest
from sqlalchemy import func, select

from data import tutor_risk
from data.engine import connect, transaction
from data.grid import SortKey
from data.models import ModelVersion, TutorRiskScore
from jobs import tutor_risk as job
from settings import get_settings


@pytest.fixture(scope="module")
def scored(seeded_url):
    from tests.conftest import pointed_at

    with pointed_at(seeded_url):
        first = job.run(weeks=4)
        second = job.run(weeks=4)
    return seeded_url, first, second


def test_a_run_stores_an_active_model_with_its_card_and_weekly_scores(scored, use_database):
    url, first, second = scored
    use_database(url)
    with connect() as conn:
        model = tutor_risk.active_model(conn=conn)
        versions = conn.execute(
            select(ModelVersion.version, ModelVersion.is_active).where(
                ModelVersion.area == "tutor_risk"
            )
        ).all()
        dates = conn.execute(
            select(func.count(func.distinct(TutorRiskScore.as_of))).where(
                TutorRiskScore.model_version_id == model["id"]
            )
        ).scalar_one()
    assert model["version"] == second.version != first.version
    assert sum(active for _, active in versions) == 1
    assert dates == 5  # as-of and the four weeks before
    assert {"roc_auc", "pr_auc", "brier", "calibration", "tested_on"} <= set(model["metrics"])
    assert second.scored_rows > 0


def test_band_history_and_score_counts_agree_with_the_stored_rows(scored, use_database):
    url, _, _ = scored
    use_database(url)
    with connect() as conn:
        model = tutor_risk.active_model(conn=conn)
        history = tutor_risk.band_history(conn=conn, model_id=model["id"])
        latest = history["as_of"].max()
        counts = tutor_risk.score_counts(
            conn=conn, model_id=model["id"], as_of=latest.to_pydatetime()
        )
        stored = conn.execute(
            select(func.count())
            .select_from(TutorRiskScore)
            .where(
                TutorRiskScore.model_version_id == model["id"],
                TutorRiskScore.as_of == latest.to_pydatetime(),
            )
        ).scalar_one()
    assert history[history["as_of"] == latest]["tutors"].sum() == stored == counts["tutors"].sum()
    assert set(history["band"]) <= {"low", "medium", "high", "critical"}


def test_the_kept_band_counts_equal_counting_every_score(scored, use_database):
    from data.kept import recount_loaded
    from data.models import RiskBandCount, Tutor

    url, _, _ = scored
    use_database(url)

    def counted(region_ids):
        statement = (
            select(
                TutorRiskScore.as_of,
                TutorRiskScore.band,
                func.count().label("tutors"),
                func.sum(TutorRiskScore.probability).label("expected"),
            )
            .join(Tutor, Tutor.id == TutorRiskScore.tutor_id)
            .where(TutorRiskScore.model_version_id == model["id"])
            .group_by(TutorRiskScore.as_of, TutorRiskScore.band)
        )
        if region_ids:
            statement = statement.where(Tutor.region_id.in_(region_ids))
        with connect() as conn:
            raw = pd.DataFrame(
                conn.execute(statement).all(), columns=["as_of", "band", "tutors", "expected"]
            )
        raw["as_of"] = pd.to_datetime(raw["as_of"], utc=True)
        return raw.sort_values(["as_of", "band"]).reset_index(drop=True)

    def kept(region_ids):
        with connect() as conn:
            frame = tutor_risk.band_history.__wrapped__(
                conn=conn, model_id=model["id"], region_ids=region_ids
            )
        return frame.sort_values(["as_of", "band"]).reset_index(drop=True)

    with connect() as conn:
        model = tutor_risk.active_model(conn=conn)
        # Each stored version (at least both runs') keeps its own counts.
        kept_versions = select(func.distinct(RiskBandCount.model_version_id))
        scored_versions = select(func.distinct(TutorRiskScore.model_version_id))
        kept_ids = set(conn.execute(kept_versions).scalars())
        assert kept_ids == set(conn.execute(scored_versions).scalars()) and len(kept_ids) >= 2

    def scores_counted(region_ids, as_of):  # what score_counts read before it was kept
        statement = (
            select(TutorRiskScore.score, TutorRiskScore.band, func.count().label("tutors"))
            .join(Tutor, Tutor.id == TutorRiskScore.tutor_id)
            .where(TutorRiskScore.model_version_id == model["id"], TutorRiskScore.as_of == as_of)
            .group_by(TutorRiskScore.score, TutorRiskScore.band)
        )
        if region_ids:
            statement = statement.where(Tutor.region_id.in_(region_ids))
        with connect() as conn:
            raw = pd.DataFrame(conn.execute(statement).all(), columns=["score", "band", "tutors"])
        return raw.sort_values(["score", "band"]).reset_index(drop=True)

    def scores_kept(region_ids, as_of):
        with connect() as conn:
            frame = tutor_risk.score_counts.__wrapped__(
                conn=conn, model_id=model["id"], as_of=as_of, region_ids=region_ids
            )
        return frame.sort_values(["score", "band"]).reset_index(drop=True)

    for scope in (None, [1], [1, 2]):
        pd.testing.assert_frame_equal(kept(scope), counted(scope), check_dtype=False)
        for as_of in kept(scope)["as_of"].unique()[-2:]:
            day = pd.Timestamp(as_of).to_pydatetime()
            pd.testing.assert_frame_equal(scores_kept(scope, day), scores_counted(scope, day))
    # A tutor moved to another region behind the app's back: the recount follows.
    with transaction() as conn:
        moved = conn.execute(select(Tutor.id).where(Tutor.region_id == 1)).scalars().first()
        conn.execute(Tutor.__table__.update().where(Tutor.id == moved).values(region_id=2))
        recount_loaded(conn=conn)
    try:
        pd.testing.assert_frame_equal(kept([1]), counted([1]), check_dtype=False)
        newest = pd.Timestamp(kept([1])["as_of"].max()).to_pydatetime()
        pd.testing.assert_frame_equal(scores_kept([1], newest), scores_counted([1], newest))
    finally:
        with transaction() as conn:
            conn.execute(Tutor.__table__.update().where(Tutor.id == moved).values(region_id=1))
            recount_loaded(conn=conn)


def test_the_risk_table_filters_sorts_and_pages_in_the_database(scored, use_database):
    url, _, _ = scored
    use_database(url)
    with connect() as conn:
        model = tutor_risk.active_model(conn=conn)
        latest = tutor_risk.band_history(conn=conn, model_id=model["id"])["as_of"].max()
        args = dict(conn=conn, model_id=model["id"], as_of=latest.to_pydatetime())
        everyone, total = tutor_risk.risk_table(**args, limit=1000)
        first_page, same_total = tutor_risk.risk_table(**args, limit=5)
        second_page, _ = tutor_risk.risk_table(**args, limit=5, offset=5)
        north, north_total = tutor_risk.risk_table(**args, region_ids=[1], limit=1000)
        maths, _ = tutor_risk.risk_table(**args, subject="Maths", limit=1000)
        by_name, _ = tutor_risk.risk_table(**args, sort=tutor_risk.RISK_SORTS["name"], limit=1000)
        injected, none = tutor_risk.risk_table(**args, subject="Maths' OR '1'='1", limit=10)
    assert total == same_total == len(everyone)
    assert everyone["score"].is_monotonic_decreasing
    assert (
        first_page["tutor_id"].tolist() + second_page["tutor_id"].tolist()
        == everyone["tutor_id"].head(10).tolist()
    )
    assert set(north["region"]) == {"N"} and 0 < north_total < total
    assert set(maths["subject"]) == {"Maths"}
    assert by_name["name"].tolist() == sorted(by_name["name"])
    assert none == 0 and injected.empty
    assert isinstance(everyone["top_factors"].iloc[0], list)


def test_the_risk_tables_kept_count_and_indexed_order_equal_counting_and_sorting_every_score(
    scored, use_database
):
    url, _, _ = scored
    use_database(url)
    future = datetime(2100, 1, 1, tzinfo=UTC)  # narrows nothing, but the count is then live
    with connect() as conn:
        model = tutor_risk.active_model(conn=conn)
        latest = tutor_risk.band_history(conn=conn, model_id=model["id"])["as_of"].max()
        args = dict(conn=conn, model_id=model["id"], as_of=latest.to_pydatetime())
        totals = {}
        for scope in (None, [1], [2, 3]):
            for band in (None, "critical", "low"):
                chosen = dict(args, region_ids=scope, band=band, limit=0)
                _, kept = tutor_risk.risk_table(**chosen)
                _, counted = tutor_risk.risk_table(**chosen, hired_before=future)
                assert kept == counted, (scope, band)
                totals[(str(scope), band)] = kept
        assert totals[("None", None)] > totals[("[1]", None)] > totals[("[1]", "low")] > 0
        default, _ = tutor_risk.risk_table(**args, limit=10_000)
        asked, _ = tutor_risk.risk_table(**args, sort=[SortKey("score", True)], limit=10_000)
        page, _ = tutor_risk.risk_table(**args, limit=7, offset=20)
    expected = default.sort_values(
        ["probability", "name", "tutor_id"], ascending=[False, True, True]
    )["tutor_id"].tolist()
    assert default["tutor_id"].tolist() == asked["tutor_id"].tolist() == expected
    assert page["tutor_id"].tolist() == expected[20:27]


def test_the_job_says_so_when_there_is_nothing_to_learn_from(empty_url, use_database):
    use_database(empty_url)
    with pytest.raises(job.NotEnoughHistory, match="no tutoring sessions"):
        job.run()


def test_job_history_window_reads_only_recent_sessions(seeded_url, use_database):
    use_database(seeded_url)
    since = pd.Timestamp("2026-01-01", tz="UTC")
    with connect() as conn:
        sessions = tutor_risk.session_history(conn=conn, since=since.to_pydatetime())
    assert sessions["scheduled_start"].min() >= since
    assert list(sessions.columns) == [
        "tutor_id",
        "student_id",
        "scheduled_start",
        "status",
        "rating",
    ]


def test_a_run_alerts_each_region_with_newly_critical_tutors(scored, use_database):
    from analytics.tutor_risk import newly_critical
    from data import activity

    url, _, _ = scored
    use_database(url)
    with connect() as conn:
        model = tutor_risk.active_model(conn=conn)
        scores = pd.DataFrame(
            conn.execute(
                select(TutorRiskScore.tutor_id, TutorRiskScore.as_of, TutorRiskScore.band).where(
                    TutorRiskScore.model_version_id == model["id"]
                )
            ).all(),
            columns=["tutor_id", "as_of", "band"],
        )
        roster = tutor_risk.tutor_roster(conn=conn).set_index("id")
        alerts, _ = activity.feed(conn=conn, region_ids=None, area="tutor_risk", limit=100)
    regions = set(roster.loc[newly_critical(scores).tolist(), "region_id"])
    latest = alerts[alerts["verb"] == "alert"].head(len(regions))
    assert set(latest["entity_id"]) == regions


def test_a_risk_alert_reaches_the_regions_managers_only(scored, use_database):
    from data import activity
    from tests.conftest import create_test_account

    url, _, _ = scored
    use_database(url)
    here, elsewhere = create_test_account("manager", (1,)), create_test_account("manager", (2,))
    with connect() as conn:
        roster = tutor_risk.tutor_roster(conn=conn)
    two = roster[roster["region_id"] == 1].head(2)
    with transaction() as conn:
        job.alert_regions(conn, roster, two["id"])
    with connect() as conn:
        told, _ = activity.unread(conn=conn, user_id=here.id, region_ids=[1])
        not_told, _ = activity.unread(conn=conn, user_id=elsewhere.id, region_ids=[2])
        mine = activity.notifications(conn=conn, user_id=here.id, region_ids=[1], limit=1)
    assert told == 1 and not_told == 0
    assert mine["summary"].iloc[0].startswith("2 tutors became critical: " + two["name"].iloc[0])


def test_only_demo_data_as_seeded_is_set_against_the_generators_limits(seeded_copy):
    """The limits need the generator's hidden state: they are computed when this database
    was seeded as a demo (its record in the instance folder) and its roster is still the
    generator's; not for a record of another database, nor once tutors were added."""
    from data.engine import get_engine
    from data.models import Tutor
    from data.seed import provenance
    from tests.conftest import AS_OF, SEED

    record = get_settings().instance_dir / provenance.RECORD
    with connect() as conn:
        sessions = tutor_risk.session_history(conn=conn, since=datetime(2025, 1, 1, tzinfo=UTC))

    def roster() -> pd.DataFrame:
        with connect() as conn:
            return tutor_risk.tutor_roster(conn=conn)

    snapshot = pd.DataFrame(
        {"tutor_id": [1, 2, 3], "as_of": [pd.Timestamp("2026-05-05", tz="UTC")] * 3}
    )
    try:
        assert job.demo_limits(sessions, roster()) is None  # no record
        provenance.remember(get_engine(), scale="small", seed=SEED, as_of=AS_OF)
        limits = job.demo_limits(sessions, roster())
        assert limits is not None
        answer = limits(snapshot)
        assert set(answer) == {"observable", "decision"}
        assert all(len(p) == 3 and ((0 <= p) & (p <= 1)).all() for p in answer.values())
        with transaction() as conn:
            conn.execute(
                Tutor.__table__.insert().values(
                    name="New Tutor",
                    email="new.tutor@tutors.example.org",
                    region_id=1,
                    subject="Maths",
                    hired_on=AS_OF,
                    status="active",
                    weekly_capacity=4,
                )
            )
        assert job.demo_limits(sessions, roster()) is None  # no longer the generator's roster
    finally:
        record.unlink(missing_ok=True)

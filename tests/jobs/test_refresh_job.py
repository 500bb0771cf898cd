"""The refresh job on a real database: what it recomputes, what it records, the cache it
warms, and the lease and slots that make it run once whoever starts it."""

from __future__ import annotations

import os
import socket
import threading
import time
from datetime import UTC, datetime

import pandas as pd
import pytest
from sqlalchemy import create_engine, func, insert, select

from actions.imports import LoadRequest, LoadResult, load_data
from data import cache, credit, jobs, tutor_risk
from data.engine import connect, transaction
from data.models import CreditApplication, CreditLatestScore, CreditScore, JobRun, Region
from data.queries import home
from data.seed import seed_database
from jobs import refresh, schedule, summaries
from settings import get_settings
from tests.conftest import AS_OF, SEED, create_test_account, new_database, pointed_at


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.db)])
def trained_url(request, tmp_path_factory):  # type: ignore[no-untyped-def]
    """A database of this module's own (the job writes): seeded, models trained once."""
    url = new_database(
        request.param,
        str(tmp_path_factory.mktemp("refresh")),
        lambda: request.getfixturevalue("postgres_server"),
    )
    seed_database(create_engine(url), scale="small", seed=SEED, as_of=AS_OF)
    with pointed_at(url):
        assert refresh.run(job="retrain").status == "succeeded"
    return url


@pytest.fixture
def db(trained_url, use_database):  # type: ignore[no-untyped-def]
    use_database(trained_url)
    return trained_url


def runs_of(job: str | None = None):  # type: ignore[no-untyped-def]
    with connect() as conn:
        return jobs.runs(conn=conn, limit=500, job=job)


def new_application() -> int:
    """An application arriving from outside the app: no score yet."""
    with transaction() as conn:
        model = conn.execute(select(CreditApplication).limit(1)).mappings().one()
        fields = {
            k: v
            for k, v in model.items()
            if k not in ("id", "external_id", "status", "decided_at", "applied_at")
        }
        return int(
            conn.execute(
                insert(CreditApplication)
                .values(**fields, status="submitted", applied_at=datetime.now(UTC))
                .returning(CreditApplication.id)
            ).scalar_one()
        )


def test_a_refresh_scores_new_applications_and_records_the_run(db):
    application_id = new_application()
    result = refresh.run(job="refresh")
    assert result.status == "succeeded" and result.rows >= 1
    with connect() as conn:
        model = credit.active_model(conn=conn)
        scored = conn.execute(
            select(func.count()).where(
                CreditScore.application_id == application_id,
                CreditScore.model_version_id == model["id"],
            )
        ).scalar_one()
    assert scored == 1
    row = runs_of().iloc[0]
    assert (row["id"], row["job"], row["trigger"], row["status"]) == (
        result.run_id,
        "refresh",
        "manual",
        "succeeded",
    )
    assert row["rows"] == result.rows and row["finished_at"] >= row["started_at"]
    assert "cache entries warm" in row["detail"]


def test_the_latest_scores_follow_each_new_score(db):
    """The pre-aggregated latest scores equal ranking every score, before and after a new
    application of a known customer is scored."""
    application_id = new_application()
    assert refresh.run(job="refresh").status == "succeeded"
    with connect() as conn:
        model_id = credit.active_model(conn=conn)["id"]
        kept = pd.read_sql(
            select(CreditLatestScore).where(CreditLatestScore.model_version_id == model_id), conn
        )
        ranked = pd.read_sql(credit._ranked_latest(model_id, None), conn)
        customer = conn.execute(
            select(CreditApplication.customer_id).where(CreditApplication.id == application_id)
        ).scalar_one()
    key = ["customer_id"]
    columns = ["customer_id", "application_id", "score", "band"]
    assert len(kept) == len(ranked) > 0
    assert (
        kept.sort_values(key)[columns]
        .reset_index(drop=True)
        .equals(ranked.sort_values(key)[columns].reset_index(drop=True))
    )
    assert kept.set_index("customer_id").loc[customer, "application_id"] == application_id


def test_a_refresh_warms_the_main_pages_for_every_scope(db):
    manager = create_test_account("manager", (2, 3))
    assert refresh.run(job="refresh").status == "succeeded"
    misses = cache.stats["miss"]
    with connect() as conn:
        end = home.home_end(conn=conn)
        model = tutor_risk.active_model(conn=conn)
        for scope in (None, list(manager.region_ids)):
            for section in home.SECTIONS:
                home.section_frames(conn=conn, section=section, end=end, region_ids=scope)
            tutor_risk.band_history(conn=conn, model_id=model["id"], region_ids=scope)
    assert cache.stats["miss"] == misses


def test_a_refresh_keeps_the_monitoring_report_the_page_reads(db):
    started = datetime.now(UTC)
    assert refresh.run(job="refresh").status == "succeeded"
    with connect() as conn:
        scorecard = credit.active_model(conn=conn)
        kept, computed_at = credit.monitoring_report(conn=conn, model_id=scorecard["id"])
    assert computed_at >= started
    fresh = summaries.credit_monitoring(
        model_id=scorecard["id"], test_from=scorecard["metrics"]["split"]["test_from"]
    )
    assert set(kept) == set(fresh) == {"drift", "monthly", "bad_rates"}
    for name, frame in fresh.items():
        assert len(frame) > 0, name
        pd.testing.assert_frame_equal(
            kept[name].reset_index(drop=True),
            frame.reset_index(drop=True),
            check_dtype=False,
            check_index_type=False,
        )


def test_tutors_are_rescored_at_the_next_refresh_after_a_load(db, tmp_path):
    assert "tutor scores are up to date" in (refresh.run(job="refresh").detail or "")
    with connect() as conn:
        trained = tutor_risk.active_model(conn=conn)["id"]
        region = conn.execute(select(Region.external_id, Region.code, Region.name).limit(1)).one()
    (tmp_path / "regions.csv").write_text(
        f"external_id,code,name\n{region.external_id},{region.code},{region.name}\n"
    )
    loaded = load_data(
        actor=None,
        request=LoadRequest(files=[(tmp_path / "regions.csv", "regions.csv")]),
        now=datetime.now(UTC),
    )
    assert isinstance(loaded, LoadResult) and loaded.outcome == "loaded"
    after = refresh.run(job="refresh")
    assert "tutor scores are up to date" not in (after.detail or "")
    with connect() as conn:
        assert tutor_risk.active_model(conn=conn)["id"] != trained


def test_progress_is_reported_step_by_step(db):
    seen: list[tuple[int, int, str]] = []
    refresh.run(job="refresh", progress=lambda done, total, step: seen.append((done, total, step)))
    total = len(refresh.STEPS["refresh"])
    assert [s[0] for s in seen] == list(range(total + 1))
    assert seen[0][2] == "Loading the drop folder" and seen[-1] == (total, total, "Done")


def test_a_run_while_another_holds_the_lease_does_nothing(db):
    alive = f"{socket.gethostname()}:{os.getppid()}"  # a process that is running
    with transaction() as conn:
        assert jobs.take_lease(conn=conn, holder=alive, now=datetime.now(UTC), seconds=600)
    try:
        result = refresh.run(job="refresh")
        assert result.status == "skipped"
        assert runs_of().iloc[0]["status"] == "skipped"
        with connect() as conn:
            assert jobs.lease_holder(conn=conn)[0] == alive
    finally:
        with transaction() as conn:
            jobs.release_lease(conn=conn, holder=alive)


def test_a_runner_that_died_is_taken_over_and_its_run_marked_interrupted(db):
    dead = f"{socket.gethostname()}:999999"
    now = datetime.now(UTC)
    with transaction() as conn:
        orphan = jobs.claim_run(
            conn=conn,
            job="refresh",
            trigger="manual",
            slot="orphan",
            requested_by=None,
            runner=dead,
            now=now,
        )
        assert jobs.take_lease(conn=conn, holder=dead, now=now, seconds=600)
    assert refresh.run(job="refresh").status == "succeeded"
    left = runs_of().set_index("id").loc[orphan]
    assert (left["status"], left["detail"]) == ("failed", "interrupted: the runner stopped")


def test_a_slot_runs_once(db):
    first = refresh.run(job="refresh", trigger="schedule", slot="refresh@2026-01-01T00:00:00")
    second = refresh.run(job="refresh", trigger="schedule", slot="refresh@2026-01-01T00:00:00")
    assert first.status == "succeeded" and second.status == "duplicate"
    with connect() as conn:
        rows = conn.execute(
            select(func.count()).where(JobRun.slot == "refresh@2026-01-01T00:00:00")
        ).scalar_one()
    assert rows == 1


def test_two_schedulers_run_each_refresh_once(db, monkeypatch):
    """Two web workers in embedded mode each start a scheduler: each slot still runs once."""
    monkeypatch.setenv("BEACON_REFRESH_SECONDS", "3")
    get_settings.cache_clear()
    outcomes: list[str] = []
    lock = threading.Lock()

    def listen(event):  # type: ignore[no-untyped-def]
        if event.job_id != "refresh":  # the webhook sender ticks on the same scheduler
            return
        with lock:
            outcomes.append(event.retval.status if event.retval else "error")

    before = set(runs_of("refresh")["id"])
    schedulers = [schedule.embedded_scheduler(get_settings()) for _ in range(2)]
    for scheduler in schedulers:
        scheduler.add_listener(listen, mask=2**12)  # EVENT_JOB_EXECUTED
        scheduler.start()
    time.sleep(7.5)
    for scheduler in schedulers:
        scheduler.shutdown(wait=True)
    get_settings.cache_clear()
    fired = runs_of("refresh")
    fired = fired[~fired["id"].isin(before) & (fired["trigger"] == "schedule")]
    assert len(fired) >= 2, outcomes
    # Each slot ran once; the other scheduler's tick for it was refused as a duplicate. A
    # tick may also be skipped while that scheduler's previous run still runs (a loaded
    # machine), so not every slot need show a refusal, but the schedulers did collide.
    assert outcomes.count("succeeded") == len(fired), outcomes
    assert 1 <= outcomes.count("duplicate") <= len(fired), outcomes
    assert set(outcomes) <= {"succeeded", "duplicate"}, outcomes
    assert set(fired["status"]) == {"succeeded"}


def test_a_failing_step_is_recorded_with_its_error_and_frees_the_lease(db, monkeypatch):
    def broken() -> tuple[int, str | None]:
        raise RuntimeError("the warehouse is unreachable")

    monkeypatch.setitem(refresh.STEPS, "refresh", [("Breaking", broken)])
    with pytest.raises(RuntimeError):
        refresh.run(job="refresh")
    row = runs_of().iloc[0]
    assert (row["status"], row["detail"], row["step"]) == (
        "failed",
        "RuntimeError: the warehouse is unreachable",
        "Breaking",
    )
    with connect() as conn:
        assert jobs.lease_holder(conn=conn)[0] is None


def test_a_run_whose_host_died_is_marked_interrupted_when_its_lease_runs_out(db):
    """Another machine's runner cannot be asked whether it lives: its lease expiring says so."""
    elsewhere = "worker-host-that-died:4242"
    long_ago = datetime.now(UTC) - pd.Timedelta(hours=2)
    with transaction() as conn:
        orphan = jobs.claim_run(
            conn=conn,
            job="refresh",
            trigger="schedule",
            slot="host-died",
            requested_by=None,
            runner=elsewhere,
            now=long_ago,
        )
        assert jobs.take_lease(conn=conn, holder=elsewhere, now=long_ago, seconds=600)
    assert refresh.run(job="refresh").status == "succeeded"
    left = runs_of().set_index("id").loc[orphan]
    assert (left["status"], left["detail"]) == ("failed", "interrupted: the runner stopped")


def admin_notifications(user_id: int):  # type: ignore[no-untyped-def]
    from data import activity

    with connect() as conn:
        return activity.notifications(conn=conn, user_id=user_id, region_ids=None, limit=5)


def test_a_failed_scheduled_refresh_notifies_every_admin(db, monkeypatch):
    admin = create_test_account("admin")
    manager = create_test_account("manager", (1,))

    def broken() -> tuple[int, str | None]:
        raise RuntimeError("the warehouse is unreachable")

    monkeypatch.setitem(refresh.STEPS, "refresh", [("Breaking", broken)])
    with pytest.raises(RuntimeError):
        refresh.run(job="refresh", trigger="schedule", slot="refresh@failing")
    told = admin_notifications(admin.id)
    run_id = int(runs_of().iloc[0]["id"])
    assert told.iloc[0]["summary"] == (
        "The scheduled refresh failed: RuntimeError: the warehouse is unreachable"
    )
    assert (told.iloc[0]["entity_type"], told.iloc[0]["entity_id"]) == ("job_run", run_id)
    assert admin_notifications(manager.id).empty  # the system's trouble is the admins'

    with pytest.raises(RuntimeError):  # a manual run failing is seen by whoever started it
        refresh.run(job="refresh")
    assert len(admin_notifications(admin.id)) == 1


def test_a_scheduled_run_beat_could_not_queue_is_recorded_and_told(db):
    from jobs.beat import record_missed_fire

    admin = create_test_account("admin")
    # a fixed moment: the module's other scheduled runs (3 s slots) may have claimed now's slot
    moment = datetime(2031, 5, 6, 7, 8, 9, tzinfo=UTC)
    down = ConnectionError("Error 111 connecting to 127.0.0.1:6379")
    record_missed_fire("refresh", down, moment=moment)
    record_missed_fire("refresh", ConnectionError("again"), moment=moment)  # one per slot
    missed = runs_of()
    missed = missed[missed["detail"].fillna("").str.startswith("missed:")]
    assert len(missed) == 1
    assert missed.iloc[0]["status"] == "failed" and missed.iloc[0]["trigger"] == "schedule"
    assert "the job queue (Redis) could not be reached" in missed.iloc[0]["detail"]
    assert (
        admin_notifications(admin.id)
        .iloc[0]["summary"]
        .startswith("The scheduled refresh did not run")
    )


def test_a_step_longer_than_the_lease_keeps_its_lease(db, monkeypatch):
    """The lease is renewed while a step works, so nobody takes a slow run for a dead one."""
    monkeypatch.setattr(refresh, "LEASE_SECONDS", 2)
    taken_meanwhile: list[bool] = []

    def slow() -> tuple[int, str | None]:
        time.sleep(3)  # past the 2 s lease
        with transaction() as conn:
            other = jobs.take_lease(
                conn=conn, holder="someone-else:1", now=datetime.now(UTC), seconds=2
            )
        taken_meanwhile.append(other)
        return 0, None

    monkeypatch.setitem(refresh.STEPS, "refresh", [("Slow", slow)])
    assert refresh.run(job="refresh").status == "succeeded"
    assert taken_meanwhile == [False]


def test_a_beat_started_while_redis_is_down_records_the_due_run_within_seconds(db, tmp_path):
    """Celery's beat connects once, retrying a hundred times 2-30 s apart; a beat started
    during a Redis outage waited minutes and recorded nothing (a scale-out CI run). Ours
    gives up in seconds, so the due refresh fails at once and is on record as missed."""
    from celery import Celery

    from jobs.beat import BeaconScheduler
    from tests.postgres import _free_port

    closed = f"redis://127.0.0.1:{_free_port()}/0"  # nothing listens there
    queue = Celery("beacon-test", broker=closed, backend=closed)
    queue.conf.broker_connection_timeout = 1
    beat = BeaconScheduler(app=queue, schedule_filename=str(tmp_path / "beat"), lazy=True)

    def missed() -> int:
        return int(runs_of()["detail"].fillna("").str.startswith("missed:").sum())

    # A slot is on record once: another test may have recorded this slot's refresh already.
    slot = schedule.refresh_slot(datetime.now(UTC), get_settings().refresh_seconds)
    with transaction() as conn:
        conn.execute(JobRun.__table__.delete().where(JobRun.slot == slot))
    before = missed()
    started = time.monotonic()
    assert beat.producer is None  # no connection: no producer, and no long wait
    entry = beat.Entry(name="refresh", task="beacon.refresh", schedule=60, app=queue)
    queue.task(name="beacon.refresh")(lambda: None)
    with pytest.raises(Exception):  # noqa: B017, PT011 - kombu's own connection error
        beat.apply_async(entry, producer=beat.producer, advance=False)
    assert time.monotonic() - started < 20
    assert missed() == before + 1

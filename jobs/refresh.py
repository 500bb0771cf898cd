"""The scheduled refresh and the nightly retrain (`python -m beacon refresh`, `... train`).

refresh (every BEACON_REFRESH_SECONDS): pick up new data (the cache moves on), rescore tutors
when new sessions arrived, score new credit applications with the active scorecard, raise
credit alerts, and warm the cache of the main pages for every role and region scope.
retrain (daily at BEACON_RETRAIN_AT): retrain both models, rescore everything, then warm.

Whoever starts it (APScheduler in the embedded app, Celery beat and a worker, the admin's
"Refresh now", this command), one run works at a time: a lease in the database. A scheduled
run also claims its slot, so two schedulers firing the same slot record one run.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
from sqlalchemy import Connection

from actions import webhooks
from analytics.card import assess_with
from analytics.credit_features import credit_features
from data import (
    accounts,
    activity,
    cache,
    credit,
    jobs,
    kept,
    load_history,
    tutor_risk,
)
from data.engine import connect, transaction
from data.queries import home
from data.queries.overview import data_as_of
from data.runners import runner_name, stopped_runners
from jobs import credit_alerts, drop_folder, summaries
from settings import business_today, get_settings

Progress = Callable[[int, int, str], None]
log = logging.getLogger("beacon.jobs")
LEASE_SECONDS = 600


@dataclass
class RunResult:
    run_id: int | None
    status: str  # succeeded, failed, skipped, or duplicate (the slot was claimed elsewhere)
    rows: int
    seconds: float
    detail: str


def _now() -> datetime:
    return datetime.now(UTC)


def run(
    *,
    job: str = "refresh",
    trigger: str = "manual",
    slot: str | None = None,
    requested_by: int | None = None,
    progress: Progress | None = None,
) -> RunResult:
    if job not in ("refresh", "retrain"):
        raise ValueError(f"job must be refresh or retrain; got {job!r}")
    started = time.perf_counter()
    me = runner_name()
    with transaction() as conn:
        run_id = jobs.claim_run(
            conn=conn,
            job=job,
            trigger=trigger,
            slot=slot or f"manual-{uuid.uuid4().hex}",
            requested_by=requested_by,
            runner=me,
            now=_now(),
        )
    if run_id is None:
        return RunResult(None, "duplicate", 0, 0.0, f"slot {slot} already ran")
    with transaction() as conn:
        holder, expires = jobs.lease_holder(conn=conn)
        stopped = stopped_runners(jobs.running_runners(conn=conn) | {holder or ""})
        if holder and expires is not None and expires < _now():
            stopped.add(holder)  # its host died: it stopped renewing the lease
        jobs.interrupt_runs(conn=conn, runners=stopped, now=_now())
        load_history.interrupt_loads(conn=conn, now=_now())  # a killed `beacon load`, too
        leased = jobs.take_lease(
            conn=conn, holder=me, now=_now(), seconds=LEASE_SECONDS, dead=stopped
        )
        if not leased:
            detail = "another run was in progress; this one did nothing"
            jobs.finish_run(
                conn=conn, run_id=run_id, status="skipped", rows=0, detail=detail, now=_now()
            )
            return RunResult(run_id, "skipped", 0, time.perf_counter() - started, detail)
    steps = STEPS[job]
    rows, notes = 0, []
    renewing = keep_lease(me)
    try:
        for done, (label, step) in enumerate(steps):
            if progress:
                progress(done, len(steps), label)
            with transaction() as conn:
                jobs.record_step(conn=conn, run_id=run_id, step=label, rows=rows)
                jobs.take_lease(conn=conn, holder=me, now=_now(), seconds=LEASE_SECONDS)
            written, note = step()
            rows += written
            if note:
                notes.append(note)
        if progress:
            progress(len(steps), len(steps), "Done")
        status, detail = "succeeded", "; ".join(notes)
    except Exception as error:  # recorded for the admin page, then re-raised for the logs
        status, detail = "failed", f"{type(error).__name__}: {error}"[:2000]
        raise
    finally:
        renewing.set()
        with transaction() as conn:
            jobs.finish_run(
                conn=conn,
                run_id=run_id,
                status=status,
                rows=rows,
                detail=detail or None,
                now=_now(),
            )
            jobs.release_lease(conn=conn, holder=me)
            if status == "failed" and trigger == "schedule":
                tell_admins(
                    conn, entity=("job_run", run_id), what=f"The scheduled {job} failed", why=detail
                )
            if status == "failed":
                webhooks.emit(
                    conn,
                    event="refresh.failed",
                    region_id=None,
                    now=_now(),
                    # The error's kind only: its text may hold SQL and values, not for outside.
                    data={
                        "run_id": run_id,
                        "job": job,
                        "trigger": trigger,
                        "error": (detail or "").split(":")[0] or None,
                    },
                )
    return RunResult(run_id, status, rows, time.perf_counter() - started, detail or "")


def keep_lease(holder: str) -> threading.Event:
    """Renew the lease every quarter of its length while a run works, so that a long step is
    never taken for a dead runner (whose lease ran out). Set the event to stop."""
    stop = threading.Event()

    def renew() -> None:
        while not stop.wait(LEASE_SECONDS / 4):
            try:
                with transaction() as conn:
                    jobs.take_lease(conn=conn, holder=holder, now=_now(), seconds=LEASE_SECONDS)
            except Exception:  # noqa: BLE001 - the next step renews it as well
                log.warning("could not renew the jobs lease", exc_info=True)

    threading.Thread(target=renew, name="beacon-lease", daemon=True).start()
    return stop


def tell_admins(conn: Connection, *, entity: tuple[str, int], what: str, why: str | None) -> None:
    """A notification for every admin about a run or a load (`entity`: its type and id)."""
    activity.record_event(
        conn=conn,
        actor_id=None,
        area="system",
        verb="failed",
        entity_type=entity[0],
        entity_id=entity[1],
        region_id=None,
        summary=f"{what}: {why or 'no reason recorded'}",
        now=_now(),
        notify=accounts.admin_ids(conn=conn),
    )


def record_missed(*, job: str, slot: str, why: str) -> int | None:
    """A scheduled run that could not even be queued (Redis down) is still on record, and
    the admins hear of it. None when that slot is on record already."""
    with transaction() as conn:
        run_id = jobs.claim_run(
            conn=conn,
            job=job,
            trigger="schedule",
            slot=slot,
            requested_by=None,
            runner="beat",
            now=_now(),
        )
        if run_id is None:
            return None
        detail = f"missed: {why}"[:2000]
        jobs.finish_run(
            conn=conn, run_id=run_id, status="failed", rows=0, detail=detail, now=_now()
        )
        tell_admins(
            conn, entity=("job_run", run_id), what=f"The scheduled {job} did not run", why=why
        )
    return run_id


def load_drop_folder() -> tuple[int, str | None]:
    """The files in BEACON_IMPORT_DIR, loaded as one load (jobs.drop_folder); the admins hear
    of a drop that was refused, with where its files and report went."""
    folder = get_settings().import_dir
    if not folder:
        return 0, None
    picked = drop_folder.pick_up(folder=Path(folder), now=_now())
    result = picked.result
    if result is None:
        waiting = picked.held_back
        if waiting:  # it had said nothing, and the files came in a run later
            one = len(waiting) == 1
            count = "1 file" if one else f"{len(waiting)} files"
            return 0, (
                f"drop folder: {count} held back, {'it is' if one else 'one'} still being "
                f"written (changed in the last {drop_folder.SETTLE_SECONDS} s); the next run "
                f"loads {'it' if one else 'them'}"
            )
        return 0, None
    files = f"{len(picked.files)} file{'' if len(picked.files) == 1 else 's'}"
    note = f"drop folder: {files} {result.outcome}"
    if result.outcome != "loaded":
        where = picked.moved_to or folder
        why = (
            f"{result.problems[0].reason}; the files are back in {where} for the next run"
            if result.retry
            else f"{result.problem_total:,} problem{'' if result.problem_total == 1 else 's'}, "
            f"listed in report.csv in {where}"
            if result.outcome == "rejected"
            else f"{result.problems[0].reason}; the files are in {where}"
        )
        with transaction() as conn:
            tell_admins(conn, entity=("data_load", result.load_id), what=note, why=why)
    return result.written, note


def pick_up_new_data() -> tuple[int, str | None]:
    """Data loaded from outside (not through the app's writes) shows from now on: the
    kept daily counts (data.kept) are recounted and every cached read starts afresh."""
    with transaction() as conn:
        kept.recount_loaded(conn=conn)
    cache.changed(*cache.AREAS)
    return 0, None


def rescore_tutors_if_new_sessions() -> tuple[int, str | None]:
    """New sessions, or a load since the model was trained (it may have corrected or added
    older history that the newest session's date does not show)."""
    with connect() as conn:
        model = tutor_risk.active_model(conn=conn)
        newest = data_as_of(conn=conn).set_index("source")["newest"].get("tutoring_sessions")
        scored = tutor_risk.latest_scored_at(conn=conn, model_id=model["id"]) if model else None
        loaded = load_history.last_loaded_at(conn=conn)
    if newest is None or pd.isna(newest):
        return 0, "no tutoring sessions to score"
    loaded_since = loaded is not None and model and pd.Timestamp(model["trained_at"]) < loaded
    if scored is not None and pd.Timestamp(scored) > newest and not loaded_since:
        return 0, "tutor scores are up to date"
    return retrain_tutors()


def retrain_tutors() -> tuple[int, str | None]:
    # Training imports scikit-learn (with SciPy, 80 MB): only the process that trains pays.
    from jobs import tutor_risk as tutor_risk_job

    try:
        report = tutor_risk_job.run()
    except tutor_risk_job.NotEnoughHistory as reason:
        return 0, f"tutor risk not scored: {reason}"
    return report.scored_rows, None


def score_new_applications() -> tuple[int, str | None]:
    with connect() as conn:
        model = credit.active_model(conn=conn)
        if model is None:
            return 0, "no credit model yet: the nightly retrain trains one"
        fresh = credit.unscored_applications(conn=conn, model_id=model["id"])
    if fresh.empty:
        return 0, None
    assessed = assess_with(model["metrics"]["card"], credit_features(fresh))
    scores = pd.DataFrame(
        {
            "application_id": fresh["application_id"],
            "scored_at": _now(),
            "pd": assessed["pd"].to_numpy(),
            "score": assessed["score"].to_numpy(),
            "band": assessed["band"].to_numpy(),
            "reason_codes": [[{"code": c} for c in r] for r in assessed["reasons"]],
        }
    )
    with transaction() as conn:
        return credit.store_scores(conn=conn, model_id=model["id"], scores=scores), None


def keep_loan_standings() -> tuple[int, str | None]:
    """Each active loan's standing on the data's day under the active scorecard, which the
    watchlist and the alerts read, and the loan book Home reads."""
    with connect() as conn:
        newest = data_as_of(conn=conn).set_index("source")["newest"].get("credit_applications")
        model = credit.active_model(conn=conn)
    if newest is None or pd.isna(newest):
        return 0, "no credit applications yet"
    with transaction() as conn:
        standing = kept.rebuild(
            "loan_standings",
            conn=conn,
            change=kept.Change(
                tables=kept.BY_TABLE["loan_standings"].sources,
                model_id=model["id"] if model else None,
                as_of=newest.to_pydatetime(),
            ),
        )
        # Home's 30+ days late ages with the data's day, as the standings do; the
        # watchlist's order is of the standings.
        kept.rebuild("loan_book", conn=conn)
        kept.rebuild("watch_loans", conn=conn)
    return standing, None


def raise_credit_alerts() -> tuple[int, str | None]:
    return credit_alerts.run(), None


def retrain_credit() -> tuple[int, str | None]:
    from jobs import credit_scoring  # scikit-learn, as retrain_tutors

    try:
        outcome = credit_scoring.run()
    except credit_scoring.NotEnoughOutcomes as reason:
        return 0, f"credit not scored: {reason}"
    return outcome.scored, None


def warm_cache() -> tuple[int, str | None]:
    """Fill the cache for the pages people open first, for every scope in use: everyone
    (admins, analysts, viewers) and each manager's regions."""
    with connect() as conn:
        scopes: list[list[int] | None] = [None] + [
            list(s) for s in accounts.manager_scopes(conn=conn)
        ]
        end = home.home_end(conn=conn)
        tutor_model = tutor_risk.active_model(conn=conn)
        entries = 0
        for scope in scopes:
            if end is not None:
                for section in home.SECTIONS:
                    home.section_frames(conn=conn, section=section, end=end, region_ids=scope)
                    entries += 1
            if tutor_model:
                history = tutor_risk.band_history(
                    conn=conn, model_id=tutor_model["id"], region_ids=scope
                )
                if not history.empty:
                    newest = history["as_of"].max().to_pydatetime()
                    tutor_risk.score_counts(
                        conn=conn, model_id=tutor_model["id"], as_of=newest, region_ids=scope
                    )
                    tutor_risk.left_since_scored(
                        conn=conn,
                        model_id=tutor_model["id"],
                        as_of=newest,
                        today=business_today(),
                        region_ids=scope,
                    )
                entries += 3
    return 0, f"{entries} cache entries warm for {len(scopes)} scopes"


def keep_pricing_sums() -> tuple[int, str | None]:
    """The pricing window ending today summed per region, score and band under the active
    scorecard, which the pricing page reads."""
    with connect() as conn:
        model = credit.active_model(conn=conn)
    if model is None:
        return 0, "no credit model yet"
    with transaction() as conn:
        sums = kept.rebuild(
            "score_sums",
            conn=conn,
            change=kept.Change(
                tables=kept.BY_TABLE["score_sums"].sources,
                model_id=model["id"],
                as_of=datetime.now(UTC),
            ),
        )
    return sums, None


def keep_monitoring_report() -> tuple[int, str | None]:
    """The active scorecard's drift, score spread and bad rates, kept for the monitoring page."""
    with connect() as conn:
        model = credit.active_model(conn=conn)
    if model is None:
        return 0, "no credit model to monitor"
    summaries.keep_credit_monitoring(
        model_id=model["id"], test_from=model["metrics"]["split"]["test_from"]
    )
    return 0, None


STEPS: dict[str, list[tuple[str, Callable[[], tuple[int, str | None]]]]] = {
    "refresh": [
        ("Loading the drop folder", load_drop_folder),
        ("Picking up new data", pick_up_new_data),
        ("Scoring tutors (when new sessions arrived)", rescore_tutors_if_new_sessions),
        ("Scoring new credit applications", score_new_applications),
        ("Keeping the loan standings", keep_loan_standings),
        ("Keeping the pricing sums", keep_pricing_sums),
        ("Raising credit alerts", raise_credit_alerts),
        ("Keeping the credit monitoring report", keep_monitoring_report),
        ("Warming the cache", warm_cache),
    ],
    "retrain": [
        ("Picking up new data", pick_up_new_data),
        ("Retraining tutor risk and scoring tutors", retrain_tutors),
        ("Retraining the credit scorecard and scoring applications", retrain_credit),
        ("Keeping the loan standings", keep_loan_standings),
        ("Keeping the pricing sums", keep_pricing_sums),
        ("Keeping the credit monitoring report", keep_monitoring_report),
        ("Warming the cache", warm_cache),
    ],
}

"""The generator's own probability of leaving within 30 days: the physical limit the tutor
risk model is measured against (bench/tutor_risk.py)."""

from datetime import date

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import roc_auc_score

from analytics.tutor_features import snapshots
from data.seed.common import SCALES, happened_by
from data.seed.tutoring import (
    leave_process,
    student_frame,
    true_leave_probability,
    tutoring_frames,
)

WEEK0 = pd.Timestamp("2026-01-05", tz="UTC")  # a Monday


def test_the_limit_by_hand():
    """Run-ins are 4 to 10 weeks. Decided in week 10, seen on week 12's Monday: it leaves in
    weeks 13-16 (30 days) with run-ins 4, 5 or 6: 3 of 7. Undecided on that Monday: a
    decision takes 4 weeks to become a departure, too late. Six days later (week 12.86),
    deciding next week (chance 0.1) with a run-in of 4 leaves in week 17, inside the window."""
    process = pd.DataFrame(
        {"hazard": [0.2, 0.1], "start": [0, 0], "decide_week": [10, 100], "run_in": [5, 5]},
        index=pd.Index([1, 2], name="tutor_id"),
    )
    monday, sunday = WEEK0 + pd.Timedelta(weeks=12), WEEK0 + pd.Timedelta(weeks=12, days=6)
    seen = pd.DataFrame({"tutor_id": [1, 2, 2], "as_of": [monday, monday, sunday]})
    assert true_leave_probability(process, WEEK0, seen) == pytest.approx([3 / 7, 0, 0.1 / 7])
    # Decided in week 7 and still here in week 12: the run-in is at least 6 weeks (6-10);
    # leaving in weeks 13-16 takes 6 to 9: 4 of 5.
    process.loc[1, "decide_week"] = 7
    assert true_leave_probability(process, WEEK0, seen.head(1))[0] == pytest.approx(4 / 5)


def test_on_the_generator_the_limit_is_calibrated_and_ranks_almost_perfectly():
    size, as_of = SCALES["small"], date(2026, 11, 30)
    frames = tutoring_frames(size, 3, as_of, student_frame(size, 3, as_of))
    sessions = frames["tutoring_sessions"]
    sessions = sessions[sessions["scheduled_start"] < happened_by(as_of)]
    first = sessions["scheduled_start"].min().normalize()
    days = pd.date_range(
        first + pd.Timedelta(days=60), happened_by(as_of) - pd.Timedelta(days=30), freq="5D"
    )
    seen = snapshots(sessions, frames["tutors"], days)
    process, week0 = leave_process(size, 3, as_of)
    p = true_leave_probability(process, week0, seen)
    y = seen["left_30d"].to_numpy()
    assert y.sum() >= 50
    # As many leave as it expects, within four standard deviations of the sum.
    assert abs(p.sum() - y.sum()) <= 4 * np.sqrt((p * (1 - p)).sum())
    assert roc_auc_score(y, p) >= 0.98


def _steady_or_fading(fading: bool) -> pd.DataFrame:
    """Five completed sessions a week for 20 weeks, or the last six weeks fading as a tutor
    who decided to leave six weeks ago would (down to one session)."""
    rows = []
    for week in range(20):
        n = 5 if not fading or week < 14 else max(1, 5 - (week - 13))
        for k in range(n):
            start = WEEK0 + pd.Timedelta(weeks=week, days=k % 5, hours=15)
            rows.append((1, start, "completed", 4))
    return pd.DataFrame(rows, columns=["tutor_id", "scheduled_start", "status", "rating"])


def test_the_observable_limit_reads_the_decision_from_the_sessions():
    """It does not know the decision: a steady tutor is very unlikely to leave within 30 days
    by its sessions, a fading one very likely; the decision limit, which knows of a decision
    that has left no trace yet, gives the steady one 2 in 7."""
    from data.seed.observable_limit import observable_leave_probability

    process = pd.DataFrame(
        {
            "hazard": [0.01],
            "start": [0],
            "decide_week": [19],  # decided in the snapshot's own week: no trace yet
            "run_in": [4],
            "quality": [4.3],
            "rate": [5.0],
            "hired_week": [-100],
            "base_noshow": [0.03],
        },
        index=pd.Index([1], name="tutor_id"),
    )
    seen = pd.DataFrame({"tutor_id": [1], "as_of": [WEEK0 + pd.Timedelta(weeks=20)]})
    steady = observable_leave_probability(process, WEEK0, _steady_or_fading(False), seen)[0]
    fading = observable_leave_probability(process, WEEK0, _steady_or_fading(True), seen)[0]
    assert steady < 0.02 < 0.5 < fading
    # Knowing the decision (week 19), leaving in weeks 21-24 takes a run-in of 4 or 5: 2 in 7.
    assert true_leave_probability(process, WEEK0, seen)[0] == pytest.approx(2 / 7)


def test_on_the_generator_the_observable_limit_is_calibrated_and_below_the_decision_limit():
    from data.seed.observable_limit import observable_leave_probability

    size, as_of = SCALES["small"], date(2026, 11, 30)
    frames = tutoring_frames(size, 3, as_of, student_frame(size, 3, as_of))
    sessions = frames["tutoring_sessions"]
    sessions = sessions[sessions["scheduled_start"] < happened_by(as_of)]
    days = pd.date_range(happened_by(as_of) - pd.Timedelta(days=400), periods=12, freq="28D")
    seen = snapshots(sessions, frames["tutors"], days)
    process, week0 = leave_process(size, 3, as_of)
    p = observable_leave_probability(process, week0, sessions, seen)
    y = seen["left_30d"].to_numpy()
    assert y.sum() >= 10
    assert abs(p.sum() - y.sum()) <= 4 * np.sqrt((p * (1 - p)).sum())
    decision = roc_auc_score(y, true_leave_probability(process, week0, seen))
    assert 0.7 < roc_auc_score(y, p) < decision

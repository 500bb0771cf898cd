"""The tutor features read once into arrays for every date give the answers of the pandas
implementation they replaced (kept below as the reference), on demo data and on a frame
with unrated, unheld and unknown tutors' sessions."""

from collections.abc import Iterable
from datetime import date

import numpy as np
import pandas as pd
import pytest

from analytics.tutor_features import (
    FEATURES,
    HELD,
    RECENT,
    USUAL,
    WINDOWS,
    _employed_on,
    _moment_and_day,
    left_within,
    snapshots,
    tutor_features,
)
from data.seed import generate


def _count(frame: pd.DataFrame, index: pd.Index) -> pd.Series:
    return frame.groupby("tutor_id").size().reindex(index, fill_value=0).astype(float)


def reference_features(sessions, tutors, as_of):  # type: ignore[no-untyped-def]
    """The previous implementation, one pandas pass over every session for each date."""
    as_of, day = _moment_and_day(as_of)
    staff = tutors[_employed_on(tutors, day)].set_index("id")
    past = sessions[
        (sessions["scheduled_start"] < as_of)
        & sessions["tutor_id"].isin(staff.index)
        & sessions["status"].isin(HELD)
    ]
    age_days = (as_of - past["scheduled_start"]).dt.total_seconds() / 86_400
    out = pd.DataFrame(index=staff.index)
    out.index.name = "tutor_id"
    for window in WINDOWS:
        out[f"sessions_{window}d"] = _count(past[age_days < window], out.index)
    for window in (30, 90):
        recent = past[age_days < window]
        held = _count(recent, out.index).replace(0, np.nan)
        for rate, status in (
            ("no_show", "no_show"),
            ("reschedule", "rescheduled"),
            ("cancel", "cancelled"),
        ):
            out[f"{rate}_rate_{window}d"] = (
                _count(recent[recent["status"] == status], out.index) / held
            )
        out[f"rating_{window}d"] = recent.groupby("tutor_id")["rating"].mean().reindex(out.index)
    out["rating_trend"] = out["rating_30d"] - out["rating_90d"]
    out["volume_trend"] = out["sessions_30d"] / (out["sessions_90d"] / 3).replace(0, np.nan)
    firsts = past.sort_values("scheduled_start").drop_duplicates(["tutor_id", "student_id"])
    firsts = firsts[(as_of - firsts["scheduled_start"]).dt.days < 90]
    out["first_session_completion_90d"] = (
        firsts.assign(done=firsts["status"] == "completed")
        .groupby("tutor_id")["done"]
        .mean()
        .reindex(out.index)
    )
    out["tenure_days"] = (day - pd.to_datetime(staff["hired_on"])).dt.days
    last = past.groupby("tutor_id")["scheduled_start"].max().reindex(out.index)
    out["days_since_last_session"] = ((as_of - last).dt.total_seconds() / 86_400).fillna(
        out["tenure_days"]
    )
    completed_30 = _count(past[(age_days < 30) & (past["status"] == "completed")], out.index)
    out["load_30d"] = completed_30 / (staff["weekly_capacity"] * 30 / 7)
    usual = past[(age_days >= USUAL[0]) & (age_days < USUAL[1])]
    usual_days = (out["tenure_days"] - USUAL[0]).clip(lower=0, upper=USUAL[1] - USUAL[0])
    usual_held = _count(usual, out.index)
    pace = usual_held / usual_days.replace(0, np.nan)
    usual_missed = _count(usual[usual["status"] != "completed"], out.index) / usual_held.replace(
        0, np.nan
    )
    usual_rating = usual.groupby("tutor_id")["rating"].mean().reindex(out.index)
    for window in RECENT:
        recent = past[age_days < window]
        held = _count(recent, out.index)
        expected = pace * window
        out[f"volume_z_{window}d"] = (held - expected) / np.sqrt(expected + 0.5)
        missed = _count(recent[recent["status"] != "completed"], out.index)
        out[f"missed_change_{window}d"] = missed / held.replace(0, np.nan) - usual_missed
        rating = recent.groupby("tutor_id")["rating"].mean().reindex(out.index)
        out[f"rating_change_{window}d"] = rating - usual_rating
    return out[FEATURES].astype(float)


def reference_snapshots(sessions, tutors, dates: Iterable[pd.Timestamp]):  # type: ignore[no-untyped-def]
    frames = []
    for as_of in dates:
        features = reference_features(sessions, tutors, as_of)
        features["left_30d"] = left_within(tutors, as_of).reindex(features.index)
        features["as_of"] = pd.Timestamp(as_of)
        frames.append(features.reset_index())
    return pd.concat(frames, ignore_index=True)


@pytest.fixture(scope="module")
def demo():  # type: ignore[no-untyped-def]
    frames = generate("small", 5, date(2026, 6, 15))
    return frames["tutoring_sessions"], frames["tutors"]


def test_snapshots_are_the_reference_snapshots_on_demo_data(demo):  # type: ignore[no-untyped-def]
    sessions, tutors = demo
    dates = pd.date_range("2025-01-06", "2026-06-08", freq="14D", tz="UTC")
    got, want = snapshots(sessions, tutors, dates), reference_snapshots(sessions, tutors, dates)
    assert len(got) > 1_000 and got["left_30d"].sum() > 10
    # The same rows and columns; sums of ratings may differ in the last bit (pandas adds
    # them with compensation), so values are compared to 1e-12.
    pd.testing.assert_frame_equal(got, want, check_exact=False, rtol=1e-12, atol=1e-12)


def test_odd_sessions_read_alike(demo):  # type: ignore[no-untyped-def]
    """Unrated sessions, statuses that are not held, sessions of a tutor the tutors frame
    does not hold, a session exactly at the date, and a date between sessions."""
    sessions, tutors = demo
    odd = sessions.copy()
    odd.loc[odd.index[::3], "rating"] = np.nan
    odd.loc[odd.index[1::17], "status"] = "scheduled"
    stranger = odd.iloc[:40].assign(tutor_id=int(tutors["id"].max()) + 1)
    at = pd.Timestamp("2026-02-10 09:30", tz="UTC")
    exact = odd.iloc[:5].assign(scheduled_start=at)
    odd = pd.concat([odd, stranger, exact], ignore_index=True)
    for as_of in (at, pd.Timestamp("2025-03-01", tz="UTC"), pd.Timestamp("2026-06-14 23:59")):
        pd.testing.assert_frame_equal(
            tutor_features(odd, tutors, as_of),
            reference_features(odd, tutors, as_of),
            check_exact=False,
            rtol=1e-12,
            atol=1e-12,
        )


def test_a_pairs_first_session_at_one_moment_is_the_completed_one_in_any_row_order(demo):  # type: ignore[no-untyped-def]
    """A booking cancelled and made again in the same slot: the pair's first session is the
    one that took place, whichever row comes first (the reference's pick was arbitrary)."""
    _, tutors = demo
    tutor = int(tutors.loc[tutors["left_on"].isna(), "id"].iloc[0])
    at = pd.Timestamp("2026-05-04 15:00", tz="UTC")
    slot = pd.DataFrame(
        {
            "tutor_id": [tutor, tutor],
            "student_id": [7, 7],
            "scheduled_start": [at, at],
            "status": ["cancelled", "completed"],
            "rating": [np.nan, 5.0],
        }
    )
    as_of = pd.Timestamp("2026-06-01", tz="UTC")
    for rows in (slot, slot.iloc[::-1]):
        features = tutor_features(rows, tutors, as_of)
        assert features.loc[tutor, "first_session_completion_90d"] == 1.0
        assert features.loc[tutor, "sessions_30d"] == 2.0  # both were held sessions


def test_a_session_without_a_start_is_not_counted(demo):  # type: ignore[no-untyped-def]
    sessions, tutors = demo
    as_of = pd.Timestamp("2026-03-02", tz="UTC")
    undated = sessions.iloc[:3].copy()
    undated["scheduled_start"] = pd.Series(pd.NaT, undated.index, sessions["scheduled_start"].dtype)
    pd.testing.assert_frame_equal(
        tutor_features(pd.concat([sessions, undated], ignore_index=True), tutors, as_of),
        tutor_features(sessions, tutors, as_of),
    )

"""Features of each tutor at a date, from their session history up to that date only.

`tutor_features(sessions, tutors, as_of)` looks at nothing on or after `as_of`: not
later sessions, not the tutor's leave date. The leakage test holds it to that.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

WINDOWS = (7, 30, 90)
HELD = ("completed", "no_show", "rescheduled", "cancelled")
# A tutor's last two weeks against their own usual: the usual is read 8 weeks to a year back,
# before a decision to leave (4-10 weeks before leaving) could have changed it. One window:
# windows of 7, 14 and 28 days together measured no better, and their weights took opposite
# signs, so a tutor working more than usual could be told that was a reason for risk.
RECENT = (14,)
USUAL = (56, 365)
FEATURES = [
    *[f"sessions_{w}d" for w in WINDOWS],
    *[f"{rate}_rate_{w}d" for rate in ("no_show", "reschedule", "cancel") for w in (30, 90)],
    "rating_30d",
    "rating_90d",
    "rating_trend",
    "volume_trend",
    "first_session_completion_90d",
    "tenure_days",
    "days_since_last_session",
    "load_30d",
    *[f"volume_z_{w}d" for w in RECENT],
    *[f"missed_change_{w}d" for w in RECENT],
    *[f"rating_change_{w}d" for w in RECENT],
]
# Which way each feature reads as a reason to worry. A tutor's factor is named only when
# their value lies that way of the average: a weight fitted beside a correlated feature can
# point the other way (more sessions in 90 days correcting the volume trend), and "Sessions
# in the last 90 days: 70" is no reason a manager can act on. Load is left out: a heavy
# load raises the risk of deciding to leave, and leaving lowers the load.
RISKY_WHEN: dict[str, str] = {
    **dict.fromkeys(
        [
            *[f"sessions_{w}d" for w in WINDOWS],
            "rating_30d",
            "rating_90d",
            "rating_trend",
            "volume_trend",
            "first_session_completion_90d",
            "tenure_days",
            *[f"volume_z_{w}d" for w in RECENT],
            *[f"rating_change_{w}d" for w in RECENT],
        ],
        "low",
    ),
    **dict.fromkeys(
        [
            *[
                f"{rate}_rate_{w}d"
                for rate in ("no_show", "reschedule", "cancel")
                for w in (30, 90)
            ],
            "days_since_last_session",
            *[f"missed_change_{w}d" for w in RECENT],
        ],
        "high",
    ),
}
LABELS = {
    "sessions_7d": "Sessions in the last 7 days",
    "sessions_30d": "Sessions in the last 30 days",
    "sessions_90d": "Sessions in the last 90 days",
    "no_show_rate_30d": "No-show rate, 30 days",
    "no_show_rate_90d": "No-show rate, 90 days",
    "reschedule_rate_30d": "Reschedule rate, 30 days",
    "reschedule_rate_90d": "Reschedule rate, 90 days",
    "cancel_rate_30d": "Cancellation rate, 30 days",
    "cancel_rate_90d": "Cancellation rate, 90 days",
    "rating_30d": "Average rating, 30 days",
    "rating_90d": "Average rating, 90 days",
    "rating_trend": "Rating trend (30 vs 90 days)",
    "volume_trend": "Session volume trend (30 days vs 90-day pace)",
    "first_session_completion_90d": "First sessions completed, 90 days",
    "tenure_days": "Tenure",
    "days_since_last_session": "Days since the last session",
    "load_30d": "Load against capacity, 30 days",
    **{
        f"volume_z_{w}d": f"Sessions in the last {w} days against the tutor's usual pace"
        for w in RECENT
    },
    **{
        f"missed_change_{w}d": f"Missed sessions, last {w} days, against the tutor's usual share"
        for w in RECENT
    },
    **{
        f"rating_change_{w}d": f"Rating, last {w} days, against the tutor's usual rating"
        for w in RECENT
    },
}


def tutor_features(
    sessions: pd.DataFrame, tutors: pd.DataFrame, as_of: pd.Timestamp
) -> pd.DataFrame:
    """One row per tutor employed at `as_of` (hired before it, not yet left), FEATURES as columns.

    sessions: tutor_id, student_id, scheduled_start (UTC), status, rating.
    tutors: id, hired_on, left_on, weekly_capacity.
    """
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
    _against_usual(out, past, age_days)
    return out[FEATURES].astype(float)


def _against_usual(out: pd.DataFrame, past: pd.DataFrame, age_days: pd.Series) -> None:
    """Each tutor's last RECENT days against their usual (USUAL days back): held sessions as
    a z-score against their usual daily pace, the share not completed and the mean rating as
    changes from the usual share and rating. A tutor who disengages before leaving shows it
    here first; the season moves everyone alike."""
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
        # No session held: no share to compare (never "fewer missed than usual").
        out[f"missed_change_{window}d"] = missed / held.replace(0, np.nan) - usual_missed
        rating = recent.groupby("tutor_id")["rating"].mean().reindex(out.index)
        out[f"rating_change_{window}d"] = rating - usual_rating


def employed(tutors: pd.DataFrame, as_of: pd.Timestamp) -> int:
    """How many tutors are employed at `as_of` (hired before it, not yet left): the tutors
    `tutor_features` scores."""
    return int(_employed_on(tutors, _moment_and_day(as_of)[1]).sum())


def _employed_on(tutors: pd.DataFrame, day: pd.Timestamp) -> pd.Series:
    hired = pd.to_datetime(tutors["hired_on"])
    left = pd.to_datetime(tutors["left_on"])
    return (hired < day) & ~(left <= day)


def _moment_and_day(as_of: pd.Timestamp) -> tuple[pd.Timestamp, pd.Timestamp]:
    """As-of as a UTC moment, and its calendar day (naive) for comparing with dates."""
    moment = pd.Timestamp(as_of)
    moment = moment.tz_localize("UTC") if moment.tzinfo is None else moment.tz_convert("UTC")
    return moment, moment.tz_localize(None).normalize()


def _count(frame: pd.DataFrame, index: pd.Index) -> pd.Series:
    return frame.groupby("tutor_id").size().reindex(index, fill_value=0).astype(float)


def left_within(tutors: pd.DataFrame, as_of: pd.Timestamp, days: int = 30) -> pd.Series:
    """1 where the tutor left in (as_of, as_of + days], else 0; indexed by tutor id."""
    _, day = _moment_and_day(as_of)
    left = pd.to_datetime(tutors["left_on"])
    leaves = (left > day) & (left <= day + pd.Timedelta(days=days))
    return pd.Series(leaves.astype(int).to_numpy(), index=tutors["id"], name="left_30d")


def snapshots(
    sessions: pd.DataFrame, tutors: pd.DataFrame, dates: Iterable[pd.Timestamp]
) -> pd.DataFrame:
    """Features and the 30-day outcome at several dates, stacked: a training or test set."""
    frames = []
    for as_of in dates:
        features = tutor_features(sessions, tutors, as_of)
        features["left_30d"] = left_within(tutors, as_of).reindex(features.index)
        features["as_of"] = pd.Timestamp(as_of)
        frames.append(features.reset_index())
    return pd.concat(frames, ignore_index=True)

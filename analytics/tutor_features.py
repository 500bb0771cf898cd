"""Features of each tutor at a date, from their session history up to that date only.

`tutor_features(sessions, tutors, as_of)` looks at nothing on or after `as_of`: not
later sessions, not the tutor's leave date. The leakage test holds it to that.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

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
    return _features_at(_Held.of(sessions, tutors), tutors, as_of)


def features_by_date(
    sessions: pd.DataFrame, tutors: pd.DataFrame, dates: Iterable[pd.Timestamp]
) -> Iterator[tuple[pd.Timestamp, pd.DataFrame]]:
    """`tutor_features` at each date, the sessions read once for all of them."""
    held = _Held.of(sessions, tutors)
    for as_of in dates:
        yield as_of, _features_at(held, tutors, as_of)


@dataclass(frozen=True, eq=False)
class _Held:
    """The held sessions (HELD statuses) as arrays, read once for every date."""

    tutor: np.ndarray  # the tutor's position in `tutors`
    start: np.ndarray  # nanoseconds since the epoch, UTC
    status: np.ndarray
    rating: np.ndarray  # NaN where unrated
    first: np.ndarray  # the tutor's first held session with that student

    @classmethod
    def of(cls, sessions: pd.DataFrame, tutors: pd.DataFrame) -> _Held:
        held = sessions[sessions["status"].isin(HELD) & sessions["scheduled_start"].notna()]
        start = held["scheduled_start"].dt.tz_convert("UTC").dt.as_unit("ns").astype("int64")
        # A pair's first session: the earliest, and of sessions at the same moment (a booking
        # cancelled and made again in its slot) a completed one, whatever the rows' order.
        order = np.lexsort((held["status"].to_numpy() != "completed", start.to_numpy()))
        first = np.empty(len(held), dtype=bool)
        first[order] = ~held[["tutor_id", "student_id"]].iloc[order].duplicated().to_numpy()
        return cls(
            tutor=pd.Index(tutors["id"]).get_indexer(held["tutor_id"]),
            start=start.to_numpy(),
            status=held["status"].to_numpy(dtype=object),
            rating=pd.to_numeric(held["rating"], errors="coerce").to_numpy(dtype=float),
            first=first,
        )


def _features_at(held: _Held, tutors: pd.DataFrame, as_of: pd.Timestamp) -> pd.DataFrame:
    as_of, day = _moment_and_day(as_of)
    employed = _employed_on(tutors, day).to_numpy()
    staff = tutors[employed].set_index("id")
    n = len(staff)
    of_tutor = np.full(len(tutors) + 1, -1)  # a tutor's row in `staff`; the last place: none
    of_tutor[np.flatnonzero(employed)] = np.arange(n)
    row = of_tutor[held.tutor]
    past = (held.start < as_of.value) & (row >= 0)
    row, status, rating = row[past], held.status[past], held.rating[past]
    age = (as_of.value - held.start[past]) / 1_000_000_000 / 86_400
    completed = status == "completed"

    def count(mask: np.ndarray) -> np.ndarray:
        return np.bincount(row[mask], minlength=n).astype(float)

    def share(part: np.ndarray, whole: np.ndarray) -> np.ndarray:
        return count(part & whole) / _nan_if_zero(count(whole))

    def mean_rating(mask: np.ndarray) -> np.ndarray:
        rated = mask & ~np.isnan(rating)
        total = np.bincount(row[rated], weights=rating[rated], minlength=n)
        return total / _nan_if_zero(count(rated))

    out: dict[str, np.ndarray] = {}
    for window in WINDOWS:
        out[f"sessions_{window}d"] = count(age < window)
    for window in (30, 90):
        recent = age < window
        for rate, name in (
            ("no_show", "no_show"),
            ("reschedule", "rescheduled"),
            ("cancel", "cancelled"),
        ):
            out[f"{rate}_rate_{window}d"] = share(status == name, recent)
        out[f"rating_{window}d"] = mean_rating(recent)
    out["rating_trend"] = out["rating_30d"] - out["rating_90d"]
    out["volume_trend"] = out["sessions_30d"] / _nan_if_zero(out["sessions_90d"] / 3)
    out["first_session_completion_90d"] = share(completed, held.first[past] & (age < 90))
    tenure = (day - pd.to_datetime(staff["hired_on"])).dt.days.to_numpy(dtype=float)
    out["tenure_days"] = tenure
    since_last = np.full(n, np.inf)
    np.minimum.at(since_last, row, age)
    out["days_since_last_session"] = np.where(np.isinf(since_last), tenure, since_last)
    capacity = staff["weekly_capacity"].to_numpy(dtype=float)
    out["load_30d"] = count((age < 30) & completed) / (capacity * 30 / 7)

    # Each tutor's last RECENT days against their usual (USUAL days back): held sessions as
    # a z-score against their usual daily pace, the share not completed and the mean rating
    # as changes from the usual share and rating. A tutor who disengages before leaving
    # shows it here first; the season moves everyone alike.
    usual = (age >= USUAL[0]) & (age < USUAL[1])
    usual_days = np.clip(tenure - USUAL[0], 0, USUAL[1] - USUAL[0])
    pace = count(usual) / _nan_if_zero(usual_days)
    usual_missed = share(~completed, usual)
    usual_rating = mean_rating(usual)
    for window in RECENT:
        recent = age < window
        expected = pace * window
        out[f"volume_z_{window}d"] = (count(recent) - expected) / np.sqrt(expected + 0.5)
        # No session held: no share to compare (never "fewer missed than usual").
        out[f"missed_change_{window}d"] = share(~completed, recent) - usual_missed
        out[f"rating_change_{window}d"] = mean_rating(recent) - usual_rating
    frame = pd.DataFrame({f: out[f] for f in FEATURES}, index=staff.index, dtype=float)
    frame.index.name = "tutor_id"
    return frame


def _nan_if_zero(values: np.ndarray) -> np.ndarray:
    return np.where(values == 0, np.nan, values)


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
    for as_of, features in features_by_date(sessions, tutors, dates):
        features["left_30d"] = left_within(tutors, as_of).reindex(features.index)
        features["as_of"] = pd.Timestamp(as_of)
        frames.append(features.reset_index())
    return pd.concat(frames, ignore_index=True)

"""What to do about a tutor at risk: interventions from their own top factors."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import numpy as np
import pandas as pd

from analytics.tutor_features import RECENT

HELD = ("completed", "no_show", "rescheduled", "cancelled")

# Which intervention answers which factor, and why, in words a manager can act on.
PLAYBOOK = {
    "no_show_rate_30d": ("scheduling_support", "Sessions are being missed"),
    "no_show_rate_90d": ("scheduling_support", "Sessions have been missed for months"),
    "reschedule_rate_30d": ("scheduling_support", "Many sessions are being moved"),
    "reschedule_rate_90d": ("scheduling_support", "Sessions keep being moved"),
    "cancel_rate_30d": ("retention_interview", "Many sessions were cancelled lately"),
    "cancel_rate_90d": ("retention_interview", "Sessions are often cancelled"),
    "rating_30d": ("coaching", "Recent ratings are low"),
    "rating_90d": ("coaching", "Ratings have been low for months"),
    "rating_trend": ("coaching", "Ratings are falling"),
    "first_session_completion_90d": ("peer_mentoring", "First sessions with new students go badly"),
    "load_30d": ("workload_review", "The load is far from the tutor's capacity"),
    "volume_trend": ("retention_interview", "Session volume is dropping"),
    "sessions_7d": ("retention_interview", "Hardly any sessions this week"),
    "sessions_30d": ("retention_interview", "Few sessions this month"),
    "sessions_90d": ("retention_interview", "Few sessions this quarter"),
    "days_since_last_session": ("retention_interview", "No session for a while"),
    "tenure_days": ("peer_mentoring", "New in the role"),
    **{
        f"volume_z_{days}d": ("retention_interview", f"Fewer sessions than usual, last {days} days")
        for days in RECENT
    },
    **{
        f"missed_change_{days}d": (
            "scheduling_support",
            f"More sessions missed than usual, last {days} days",
        )
        for days in RECENT
    },
    **{
        f"rating_change_{days}d": ("coaching", f"Ratings below the usual, last {days} days")
        for days in RECENT
    },
}
DUE_IN_DAYS = {"critical": 3, "high": 7, "medium": 14, "low": 30}


@dataclass(frozen=True)
class Recommendation:
    kind: str
    reason: str
    due_on: date


def left_by(left_on: Any, today: date) -> date | None:
    """The day a tutor left, when it is on or before today; None while they are still here.
    A departure dated later is notice given, and still worth a call. A missing date (None,
    NaN, NaT) is a tutor still here."""
    if left_on is None or left_on != left_on:
        return None
    return left_on if left_on <= today else None


def recommend(top_factors: list[dict[str, Any]], band: str, today: date) -> list[Recommendation]:
    """One recommendation per intervention kind, strongest factor first; recognition for a
    low-risk tutor with good ratings; nothing for a low-risk tutor otherwise."""
    if band not in DUE_IN_DAYS:
        raise ValueError(f"band must be one of {list(DUE_IN_DAYS)}; got {band!r}")
    due = today + timedelta(days=DUE_IN_DAYS[band])
    if band == "low":
        return []
    chosen: dict[str, Recommendation] = {}
    for factor in top_factors:
        kind, reason = PLAYBOOK.get(factor["feature"], ("retention_interview", factor["label"]))
        chosen.setdefault(kind, Recommendation(kind, reason, due))
    return list(chosen.values()) or [
        Recommendation("retention_interview", "Risk is raised without one clear cause", due)
    ]


def recognition(rating_30d: float | None, band: str, today: date) -> Recommendation | None:
    """Thank the tutors who keep it up: low risk and a 30-day rating of 4.7 or better."""
    if band == "low" and rating_30d is not None and rating_30d >= 4.7:
        return Recommendation(
            "recognition",
            "Consistently excellent ratings",
            today + timedelta(days=DUE_IN_DAYS["low"]),
        )
    return None


WINDOW_DAYS = 30  # an effect is read this long after the intervention ends
MATCHES = 25  # similar tutors per intervention, to compare with
MIN_MEASURED = 5  # fewer measured interventions of a kind are too few to mean anything
FRESH_DAYS = 14  # a score older than this at an intervention's start does not describe it


@dataclass(frozen=True)
class _ScoreGrid:
    """Every tutor's scores on a grid of score dates, each cell the newest score at or
    before that date (NaN before the first), with the date it was given."""

    dates: pd.DatetimeIndex
    tutors: pd.Index
    score: np.ndarray  # tutors x dates
    band: np.ndarray
    given: np.ndarray  # when the score in the cell was given, in seconds (`seconds`)

    @classmethod
    def of(cls, scores: pd.DataFrame) -> _ScoreGrid:
        frame = scores.assign(given=seconds(pd.to_datetime(scores["as_of"], utc=True)))
        wide = frame.pivot_table(
            index="tutor_id", columns="as_of", values=["score", "given"], aggfunc="last"
        ).ffill(axis=1)
        bands = frame.pivot_table(
            index="tutor_id", columns="as_of", values="band", aggfunc="last"
        ).ffill(axis=1)
        return cls(
            dates=pd.DatetimeIndex(wide["score"].columns),
            tutors=wide.index,
            score=wide["score"].to_numpy(dtype=float),
            band=bands.reindex(index=wide.index, columns=wide["score"].columns).to_numpy(),
            given=wide["given"].to_numpy(dtype=float),
        )

    def at(self, moment: pd.Timestamp) -> int | None:
        """The column of the newest score date at or before `moment`."""
        column = int(self.dates.searchsorted(moment, side="right")) - 1
        return column if column >= 0 else None


EPOCH = pd.Timestamp(0, tz="UTC")


def seconds(moments: Any) -> Any:
    """UTC moments (a Timestamp or a Series) as seconds since 1970, for array comparisons."""
    if isinstance(moments, pd.Series):
        return (moments - EPOCH).dt.total_seconds()
    return (pd.Timestamp(moments) - EPOCH).total_seconds()


def matched_controls(
    finished: pd.DataFrame,
    scores: pd.DataFrame,
    intervened: pd.DataFrame,
    *,
    as_of: pd.Timestamp,
    days: int = WINDOW_DAYS,
    matches: int = MATCHES,
) -> pd.DataFrame:
    """Up to `matches` similar tutors for each finished intervention whose window has closed
    by `as_of`: tutors in the same risk band at its start (by a score at most FRESH_DAYS
    old), nearest in score, scored again after it ended and by the window's close, and with
    no intervention of their own from `days` before its start to the window's close.

    finished: tutor_id, created_at, completed_at (one row per intervention; the index names
    it). scores: tutor_id, as_of, score, band (every tutor in scope). intervened: tutor_id,
    created_at (every intervention in scope). Columns: intervention (the index of
    `finished`), tutor_id.
    """
    pairs: list[tuple[Any, int]] = []
    if finished.empty or scores.empty:
        return pd.DataFrame(pairs, columns=["intervention", "tutor_id"])
    grid = _ScoreGrid.of(scores)
    window, fresh = pd.Timedelta(days=days), pd.Timedelta(days=FRESH_DAYS)
    for index, item in finished.iterrows():
        started, ended = pd.Timestamp(item["created_at"]), pd.Timestamp(item["completed_at"])
        closes = ended + window
        start, close = grid.at(started), grid.at(closes)
        if closes > as_of or start is None or close is None:
            continue
        known = grid.given[:, start] >= seconds(started - fresh)
        rescored = grid.given[:, close] > seconds(ended)
        own = grid.tutors.get_indexer(pd.Index([item["tutor_id"]]))[0]
        if own < 0 or not (known[own] and rescored[own]):
            continue
        busy = intervened[
            (intervened["created_at"] >= started - window) & (intervened["created_at"] <= closes)
        ]["tutor_id"]
        peers = (
            known
            & rescored
            & (grid.band[:, start] == grid.band[own, start])
            & ~grid.tutors.isin(busy)
        )
        peers[own] = False
        distance = np.abs(grid.score[:, start] - grid.score[own, start])
        candidates = np.flatnonzero(peers)
        nearest = candidates[np.argsort(distance[candidates], kind="stable")[:matches]]
        pairs.extend((index, int(grid.tutors[k])) for k in nearest)
    return pd.DataFrame(pairs, columns=["intervention", "tutor_id"])


def effectiveness(
    finished: pd.DataFrame,
    scores: pd.DataFrame,
    sessions: pd.DataFrame,
    controls: pd.DataFrame,
    *,
    as_of: pd.Timestamp,
    days: int = WINDOW_DAYS,
) -> pd.DataFrame:
    """What each kind of finished intervention changed, read `days` after it ended, against
    its similar tutors (`matched_controls`) over the same dates.

    Per intervention and for each of its similar tutors: risk change = the newest score by
    the window's close (given after the end) minus the score at the start; activity change
    = held sessions in the `days` after the end minus in the `days` before the start. The
    effect is the intervention's change minus its similar tutors' mean change (both over
    the same tutors). One whose window has not closed by `as_of` is "too early"; one
    without similar tutors (or scores) is not measured.

    finished: tutor_id, kind, created_at, completed_at. scores: tutor_id, as_of, score.
    sessions: tutor_id, scheduled_start, status (the intervened and their similar tutors).
    Columns: kind, measured, too_early, risk_change, similar_risk_change, risk_effect,
    activity_change, similar_activity_change, activity_effect, similar_tutors (different
    tutors compared with), enough (measured >= MIN_MEASURED).
    """
    columns = [
        "kind",
        "measured",
        "too_early",
        "risk_change",
        "similar_risk_change",
        "risk_effect",
        "activity_change",
        "similar_activity_change",
        "activity_effect",
        "similar_tutors",
        "enough",
    ]
    if finished.empty:
        return pd.DataFrame(columns=columns)
    window = pd.Timedelta(days=days)
    grid = _ScoreGrid.of(scores) if not scores.empty else None
    held = sessions[sessions["status"].isin(HELD)]
    times = {
        tutor: np.sort(seconds(pd.to_datetime(rows["scheduled_start"], utc=True)).to_numpy())
        for tutor, rows in held.groupby("tutor_id")
    }
    by_intervention = controls.groupby("intervention")["tutor_id"].apply(list).to_dict()

    def held_between(tutor: int, first: pd.Timestamp, until: pd.Timestamp) -> int:
        mine = times.get(tutor)
        if mine is None:
            return 0
        low, high = np.searchsorted(mine, [seconds(first), seconds(until)])
        return int(high - low)

    rows = []
    for index, item in finished.iterrows():
        started, ended = pd.Timestamp(item["created_at"]), pd.Timestamp(item["completed_at"])
        row: dict[str, Any] = {"kind": item["kind"], "too_early": ended + window > as_of}
        peers = by_intervention.get(index, [])
        start = grid.at(started) if grid is not None else None
        close = grid.at(ended + window) if grid is not None else None
        if not row["too_early"] and peers and grid is not None and None not in (start, close):
            group = grid.tutors.get_indexer(pd.Index([item["tutor_id"], *peers]))
            risk = grid.score[group, close] - grid.score[group, start]
            activity = np.array(
                [
                    held_between(t, ended, ended + window)
                    - held_between(t, started - window, started)
                    for t in [item["tutor_id"], *peers]
                ]
            )
            row |= {
                "risk_change": risk[0],
                "similar_risk_change": risk[1:].mean(),
                "activity_change": activity[0],
                "similar_activity_change": activity[1:].mean(),
                "similar": tuple(peers),
            }
        rows.append(row)
    each = pd.DataFrame(rows)
    for column in columns[3:9]:
        if column not in each:
            each[column] = float("nan")
    if "similar" not in each:
        each["similar"] = None
    each["measured"] = each["risk_change"].notna()
    summary = (
        each.groupby("kind")
        .agg(
            measured=("measured", "sum"),
            too_early=("too_early", "sum"),
            risk_change=("risk_change", "mean"),
            similar_risk_change=("similar_risk_change", "mean"),
            activity_change=("activity_change", "mean"),
            similar_activity_change=("similar_activity_change", "mean"),
            similar_tutors=("similar", _distinct),
        )
        .reset_index()
    )
    summary["risk_effect"] = summary["risk_change"] - summary["similar_risk_change"]
    summary["activity_effect"] = summary["activity_change"] - summary["similar_activity_change"]
    summary["measured"] = summary["measured"].astype(int)
    summary["too_early"] = summary["too_early"].astype(int)
    summary["enough"] = summary["measured"] >= MIN_MEASURED
    return summary[columns]


def _distinct(groups: pd.Series) -> int:
    """How many different tutors the interventions of a kind were compared with."""
    return len({t for group in groups if isinstance(group, tuple) for t in group})

"""What to do about a tutor at risk: interventions from their own top factors."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pandas as pd

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
}
DUE_IN_DAYS = {"critical": 3, "high": 7, "medium": 14, "low": 30}


@dataclass(frozen=True)
class Recommendation:
    kind: str
    reason: str
    due_on: date


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


def _score_at(scores: pd.DataFrame, tutors: pd.Index, moment: pd.Timestamp) -> pd.Series:
    """Each tutor's newest score at or before `moment` (NaN without one), by tutor_id."""
    known = scores[scores["as_of"] <= moment]
    newest = known.sort_values("as_of").groupby("tutor_id").tail(1).set_index("tutor_id")
    return newest["score"].reindex(tutors)


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
    by `as_of`: tutors of the same risk band at its start, nearest in score, who had no
    intervention of their own before the window closed.

    finished: tutor_id, created_at, completed_at (one row per intervention; the index names
    it). scores: tutor_id, as_of, score, band (every tutor in scope). intervened: tutor_id,
    created_at (every intervention in scope). Columns: intervention (the index of
    `finished`), tutor_id.
    """
    window = pd.Timedelta(days=days)
    pairs: list[tuple[Any, int]] = []
    tutors = pd.Index(scores["tutor_id"].unique(), name="tutor_id")
    for index, item in finished.iterrows():
        started, closes = pd.Timestamp(item["created_at"]), pd.Timestamp(item["completed_at"])
        closes += window
        if closes > as_of:
            continue
        known = scores[scores["as_of"] <= started]
        at_start = known.sort_values("as_of").groupby("tutor_id").tail(1).set_index("tutor_id")
        if item["tutor_id"] not in at_start.index:
            continue
        own = at_start.loc[item["tutor_id"]]
        busy = set(intervened.loc[intervened["created_at"] <= closes, "tutor_id"])
        peers = at_start[(at_start["band"] == own["band"]) & ~at_start.index.isin(busy)]
        nearest = (peers["score"] - own["score"]).abs().sort_values(kind="stable")
        pairs.extend((index, int(t)) for t in nearest.index[:matches] if t in tutors)
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
    similar tutors (`matched_controls`) over the same dates.

    Per intervention: risk change = score at the window's close minus score at the start;
    activity change = held sessions in the `days` after the end minus in the `days` before
    the start. The same for its similar tutors (their mean); the effect is the difference.
    An intervention whose window has not closed by `as_of` is "too early"; one with no
    score after its end, or no similar tutor, is not measured.

    finished: tutor_id, kind, created_at, completed_at. scores: tutor_id, as_of, score.
    sessions: tutor_id, scheduled_start, status (the intervened and their similar tutors).
    Columns: kind, measured, too_early, risk_change, similar_risk_change, risk_effect,
    activity_change, similar_activity_change, activity_effect, similar_tutors, enough
    (measured >= MIN_MEASURED). similar_tutors counts different tutors.
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
    held = sessions[sessions["status"].isin(HELD)]
    rows = []
    for index, item in finished.iterrows():
        started, ended = pd.Timestamp(item["created_at"]), pd.Timestamp(item["completed_at"])
        row: dict[str, Any] = {"kind": item["kind"], "too_early": ended + window > as_of}
        peers = controls.loc[controls["intervention"] == index, "tutor_id"].tolist()
        if not row["too_early"] and peers:
            group = pd.Index([item["tutor_id"], *peers], name="tutor_id")
            after_end = scores[scores["as_of"] > ended]
            change = _score_at(after_end, group, ended + window) - _score_at(scores, group, started)
            before = held[
                (held["scheduled_start"] < started) & (held["scheduled_start"] >= started - window)
            ]
            after = held[
                (held["scheduled_start"] >= ended) & (held["scheduled_start"] < ended + window)
            ]
            activity = after.groupby("tutor_id").size().reindex(group, fill_value=0) - (
                before.groupby("tutor_id").size().reindex(group, fill_value=0)
            )
            if pd.notna(change.iloc[0]) and change.iloc[1:].notna().any():
                row |= {
                    "risk_change": change.iloc[0],
                    "similar_risk_change": change.iloc[1:].mean(),
                    "activity_change": activity.iloc[0],
                    "similar_activity_change": activity.iloc[1:].mean(),
                    "similar": tuple(change.iloc[1:].dropna().index),
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

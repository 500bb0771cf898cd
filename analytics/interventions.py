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


def effectiveness(
    finished: pd.DataFrame, scores: pd.DataFrame, sessions: pd.DataFrame, *, days: int = 30
) -> pd.DataFrame:
    """Risk and activity before and after each finished intervention, averaged by kind.

    finished: tutor_id, kind, created_at, completed_at. scores: tutor_id, as_of, score.
    sessions: tutor_id, scheduled_start, status. Before = the last score at or before the
    start and the held sessions in the `days` before it; after = the first score at or after
    the finish (else the latest) and the held sessions in the `days` after it.
    Columns: kind, interventions, risk_before, risk_after, risk_change, sessions_before,
    sessions_after, activity_change.
    """
    columns = [
        "kind",
        "interventions",
        "risk_before",
        "risk_after",
        "risk_change",
        "sessions_before",
        "sessions_after",
        "activity_change",
    ]
    if finished.empty:
        return pd.DataFrame(columns=columns)
    window = pd.Timedelta(days=days)
    held = sessions[sessions["status"].isin(HELD)]
    rows = []
    for item in finished.to_dict("records"):
        tutor, started = item["tutor_id"], pd.Timestamp(item["created_at"])
        ended = pd.Timestamp(item["completed_at"])
        mine = scores[scores["tutor_id"] == tutor].sort_values("as_of")
        before = mine[mine["as_of"] <= started]["score"]
        after = mine[mine["as_of"] >= ended]["score"]
        latest = mine["score"].iloc[-1] if len(mine) else None
        times = held[held["tutor_id"] == tutor]["scheduled_start"]
        rows.append(
            {
                "kind": item["kind"],
                "risk_before": before.iloc[-1] if len(before) else None,
                "risk_after": after.iloc[0] if len(after) else latest,
                "sessions_before": int(((times < started) & (times >= started - window)).sum()),
                "sessions_after": int(((times >= ended) & (times < ended + window)).sum()),
            }
        )
    each = pd.DataFrame(rows)
    summary = (
        each.groupby("kind")
        .agg(
            interventions=("kind", "size"),
            risk_before=("risk_before", "mean"),
            risk_after=("risk_after", "mean"),
            sessions_before=("sessions_before", "mean"),
            sessions_after=("sessions_after", "mean"),
        )
        .reset_index()
    )
    summary["risk_change"] = summary["risk_after"] - summary["risk_before"]
    summary["activity_change"] = summary["sessions_after"] - summary["sessions_before"]
    return summary[columns]

"""PE programme analytics: attendance and its forecast, skill gaps against grade benchmarks,
the performance forecast, curriculum coverage and activity recommendations per class."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd

from analytics.forecast import trend_forecast
from vocabulary import SEVERITY_WEIGHTS

SKILLS = ("locomotor", "ball_handling", "balance", "endurance", "teamwork")
# Expected mean score per grade at the end of the school year (the curriculum's benchmark).
# They sit on 5-point steps so the share of students below is exact from 5-point bins.
GRADE_BENCHMARKS = {1: 35, 2: 40, 3: 40, 4: 45, 5: 50, 6: 50, 7: 55, 8: 60}
# What each activity trains, strongest first.
ACTIVITY_SKILLS = {
    "football": ("ball_handling", "teamwork", "endurance"),
    "basketball": ("ball_handling", "teamwork", "locomotor"),
    "volleyball": ("ball_handling", "teamwork"),
    "rounders": ("ball_handling", "locomotor", "teamwork"),
    "athletics": ("locomotor", "endurance"),
    "gymnastics": ("balance", "locomotor"),
    "dance": ("balance", "endurance"),
}

# What each activity is played with: words an item's name holds ("Footballs", "Cones").
ACTIVITY_EQUIPMENT = {
    "football": ("football", "cone", "bib"),
    "basketball": ("basketball", "cone", "bib"),
    "volleyball": ("volleyball", "net", "bib"),
    "rounders": ("rounders", "bat", "cone"),
    "athletics": ("hurdle", "cone", "stopwatch", "skipping"),
    "gymnastics": ("mat", "beam"),
    "dance": ("mat", "skipping"),
}


def equipment_for(activities: list[str], items: list[str]) -> list[str]:
    """The items (in their order) that the activities are played with, by the words of their
    names; all of them when no name says (an organisation's own item names)."""
    words = {w for a in activities for w in ACTIVITY_EQUIPMENT.get(a, ())}
    matched = [i for i in items if any(w in i.lower() for w in words)]
    return matched or items


def weekly_attendance(daily: pd.DataFrame) -> pd.Series:
    """Attendance rate per week (Monday) from daily `expected` and `present` marks."""
    if daily.empty:
        return pd.Series(dtype=float)
    week = daily["day"].dt.to_period("W-SUN").dt.start_time
    sums = daily.groupby(week)[["expected", "present"]].sum()
    return (sums["present"] / sums["expected"]).rename("rate")


def attendance_forecast(daily: pd.DataFrame, *, weeks: int = 4) -> pd.DataFrame:
    """Weekly attendance rate and a trend forecast for the next `weeks` weeks, within [0, 1].
    Columns as `trend_forecast`."""
    if weeks < 1:
        raise ValueError(f"weeks must be at least 1; got {weeks}")
    rate = weekly_attendance(daily)
    if rate.empty:
        return pd.DataFrame(columns=["period", "value", "kind", "low", "high"])
    future = pd.date_range(rate.index[-1] + pd.Timedelta(weeks=1), periods=weeks, freq="7D")
    out = trend_forecast(rate, future=future)
    out[["value", "low", "high"]] = out[["value", "low", "high"]].clip(0, 1)
    return out


def skill_gaps(
    distribution: pd.DataFrame, benchmarks: dict[int, float] | None = None
) -> pd.DataFrame:
    """Mean score per grade and skill against the grade's benchmark, from 5-point bins.

    `distribution` has grade, skill, bin, n, total (see data.queries.pe.skill_distribution).
    Returns grade, skill, students, mean, benchmark, gap (benchmark - mean: positive means
    behind), share_below (students under the benchmark / students), sorted by gap.
    """
    targets: dict[int, float] = dict(GRADE_BENCHMARKS if benchmarks is None else benchmarks)
    columns = ["grade", "skill", "students", "mean", "benchmark", "gap", "share_below"]
    if distribution.empty:
        return pd.DataFrame(columns=columns)
    d = distribution.assign(benchmark=distribution["grade"].map(targets))
    d = d.dropna(subset=["benchmark"])
    d["below"] = np.where(d["bin"] * 5 + 5 <= d["benchmark"], d["n"], 0)
    out = d.groupby(["grade", "skill"]).agg(
        students=("n", "sum"),
        total=("total", "sum"),
        below=("below", "sum"),
        benchmark=("benchmark", "first"),
    )
    out["mean"] = out["total"] / out["students"]
    out["gap"] = out["benchmark"] - out["mean"]
    out["share_below"] = out["below"] / out["students"]
    return out.reset_index()[columns].sort_values("gap", ascending=False, ignore_index=True)


def skill_means(class_means: pd.DataFrame) -> pd.DataFrame:
    """Student-weighted mean per skill and assessment day, from per-class means.
    Columns: skill, assessed_on, mean, n."""
    weighted = class_means.assign(total=class_means["mean"] * class_means["n"])
    out = weighted.groupby(["skill", "assessed_on"])[["total", "n"]].sum().reset_index()
    out["mean"] = out["total"] / out["n"]
    return out[["skill", "assessed_on", "mean", "n"]]


def performance_forecast(class_means: pd.DataFrame, *, weeks: int = 8) -> pd.DataFrame:
    """Each skill's mean score over the assessments in range, extended `weeks` weeks ahead.

    Columns: skill, period, value, kind, low, high (see `trend_forecast`)."""
    if weeks < 1:
        raise ValueError(f"weeks must be at least 1; got {weeks}")
    parts = []
    for skill, rows in skill_means(class_means).groupby("skill"):
        series = rows.set_index("assessed_on")["mean"]
        future = pd.date_range(series.index.max(), periods=3, freq=f"{weeks * 7 // 2}D")[1:]
        parts.append(trend_forecast(series, future=future).assign(skill=skill))
    if not parts:
        return pd.DataFrame(columns=["skill", "period", "value", "kind", "low", "high"])
    out = pd.concat(parts, ignore_index=True)
    out[["value", "low", "high"]] = out[["value", "low", "high"]].clip(0, 100)
    return out[["skill", "period", "value", "kind", "low", "high"]]


def curriculum_coverage(plans: pd.DataFrame, *, until: pd.Timestamp) -> pd.DataFrame:
    """How the lessons taught up to `until` spread over the skills, against an even share.

    Columns: skill, lessons, share, target, status ("under" below half the target share,
    "over" above twice of it, else "ok"), upcoming (lessons planned after `until`)."""
    taught = plans[plans["planned_on"] <= until]
    ahead = plans[plans["planned_on"] > until]
    out = pd.DataFrame({"skill": list(SKILLS)})
    out["lessons"] = out["skill"].map(taught["focus_skill"].value_counts()).fillna(0).astype(int)
    out["upcoming"] = out["skill"].map(ahead["focus_skill"].value_counts()).fillna(0).astype(int)
    total = out["lessons"].sum()
    out["share"] = out["lessons"] / total if total else 0.0
    out["target"] = 1 / len(SKILLS)
    out["status"] = np.select(
        [out["share"] < out["target"] / 2, out["share"] > out["target"] * 2],
        ["under", "over"],
        "ok",
    )
    return out


def activity_recommendations(
    class_means: pd.DataFrame, incidents: pd.DataFrame, *, per_class: int = 2
) -> pd.DataFrame:
    """For each class, the activities that train its weakest skills, least risky first on ties.

    `class_means` as data.queries.pe.class_skill_means (the latest day per class is used),
    `incidents` as incident_counts. An activity scores the benchmark gaps of the skills it
    trains (the first skill counts fully, later ones half) minus 0.5 point per weighted
    incident the class had in it. Columns: class_id, class_name, activity, score, reason.
    """
    columns = ["class_id", "class_name", "activity", "score", "reason"]
    if class_means.empty:
        return pd.DataFrame(columns=columns)
    latest = class_means[
        class_means["assessed_on"]
        == class_means.groupby("class_id")["assessed_on"].transform("max")
    ]
    gaps = latest.assign(gap=latest["grade"].map(GRADE_BENCHMARKS) - latest["mean"])
    # Plain dicts: a lookup in a MultiIndex Series cost 30 µs, 14,000 of them at xlarge.
    gap = gaps.set_index(["class_id", "skill"])["gap"].to_dict()
    weighted = incidents.assign(w=incidents["severity"].map(SEVERITY_WEIGHTS) * incidents["n"])
    risk = weighted.groupby(["class_id", "activity"])["w"].sum().to_dict()
    rows = []
    for class_id, name in (
        gaps[["class_id", "class_name"]].drop_duplicates().itertuples(index=False)
    ):
        for activity, skills in ACTIVITY_SKILLS.items():
            parts = [(s, float(gap.get((class_id, s), 0.0))) for s in skills]
            behind = [(s, g) for s, g in parts if g > 0]
            score = sum(max(g, 0) * (1 if i == 0 else 0.5) for i, (_, g) in enumerate(parts))
            score -= 0.5 * float(risk.get((class_id, activity), 0.0))
            reason = (
                "Trains "
                + ", ".join(f"{s.replace('_', ' ')} ({g:.1f} below benchmark)" for s, g in behind)
                if behind
                else "Keeps skills that are at benchmark ticking over"
            )
            rows.append((class_id, name, activity, score, reason))
    out = pd.DataFrame(rows, columns=columns)
    out = out.sort_values(["class_id", "score", "activity"], ascending=[True, False, True])
    return out.groupby("class_id").head(per_class).reset_index(drop=True)


def next_lesson_day(held_on: list[date], planned: set[date], *, today: date) -> date:
    """The day to plan a class's next lesson for: its first lesson weekday after today (the
    weekdays of `held_on`, its recent lessons) with no plan yet; tomorrow when it has held
    none lately. A draft had offered tomorrow, a Tuesday, to a class that meets on Mondays
    and Thursdays."""
    weekdays = {day.weekday() for day in held_on}
    ahead = [today + timedelta(days=n) for n in range(1, 29)]
    lesson_days = [d for d in ahead if not weekdays or d.weekday() in weekdays]
    # Every lesson day of four weeks planned already: the first of them all the same.
    return next((d for d in lesson_days if d not in planned), lesson_days[0])

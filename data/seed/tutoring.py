"""Tutors, students and two years of tutoring sessions, driven by a hidden leave process.

Each tutor has a weekly hazard of deciding to leave, raised by low quality, a
heavy load and short tenure. From the decision on, the tutor disengages over
4 to 10 weeks until the leave date: fewer sessions, more no-shows, reschedules
and cancellations, falling ratings. So the signal shows in the session history
weeks before a tutor goes, and tutors still disengaging at `as_of` are the
ones a risk model should find.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from data.seed.common import (
    HISTORY_WEEKS,
    Scale,
    happened_by,
    person_names,
    rng_for,
    week_starts,
)

SUBJECTS = np.array(["Maths", "English", "Science", "Languages", "Coding", "Music"])
FUTURE_WEEKS = 2
DECISION_GRACE_WEEKS = 4  # no tutor decides to leave in their first four weeks
RUN_IN_WEEKS = (4, 10)  # from the decision to the leave date, uniformly
# How a tutor disengages over the run-in, at progress 0 (the decision week) to 1 (leaving):
VOLUME_DROP = 0.75  # weekly sessions x (1 - 0.75 progress)
RESCHEDULE, CANCEL = 0.05, 0.025  # base chances of a reschedule and a cancellation
NO_SHOW_RISE, RESCHEDULE_RISE, CANCEL_RISE = 0.08, 0.12, 0.07  # each + rise x progress
RATING_DROP, RATING_SD = 1.1, 0.6  # ratings ~ Normal(quality - 1.1 progress, 0.6), rounded
RAMP_WEEKS, RAMP_FLOOR = 6, 0.3  # a new tutor's volume ramps up from 30% over six weeks
WORKDAYS = 5  # sessions fall Monday to Friday


def season_of(iso_week: np.ndarray) -> np.ndarray:
    """The volume of a week of the year: 55% in the summer break, 40% at the turn of it."""
    season = np.where((iso_week >= 27) & (iso_week <= 34), 0.55, 1.0)
    return np.where((iso_week >= 52) | (iso_week == 1), 0.4, season)


def status_chances(
    base_noshow: np.ndarray, progress: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The chances of a no-show, a reschedule and a cancellation at a run-in progress."""
    return (
        base_noshow + NO_SHOW_RISE * progress,
        RESCHEDULE + RESCHEDULE_RISE * progress,
        CANCEL + CANCEL_RISE * progress,
    )


def student_frame(scale: Scale, seed: int, as_of: date) -> pd.DataFrame:
    rng = rng_for(seed, "students")
    n = scale.students
    enrolled = pd.Timestamp(as_of) - pd.to_timedelta(rng.integers(0, 3 * 365, n), unit="D")
    return pd.DataFrame(
        {
            "id": np.arange(1, n + 1),
            "name": person_names(rng, n),
            "region_id": rng.integers(1, scale.regions + 1, n),
            "grade": rng.integers(1, 13, n),
            "enrolled_on": enrolled.date,
        }
    )


def _hidden_traits(rng: np.random.Generator, n: int, n_weeks: int) -> dict[str, np.ndarray]:
    """Each tutor's hidden traits and leave process, drawn in a fixed order (the rest of the
    generator draws from the same `rng` after them). Week numbers count from the first week
    of the history."""
    quality = np.clip(rng.normal(4.3, 0.35, n), 3.0, 4.95)
    capacity = rng.integers(2, 9, n)
    rate = capacity * rng.uniform(0.5, 0.9, n)
    load = rate / capacity
    hired_week = np.where(
        rng.random(n) < 0.55, -rng.integers(1, 260, n), rng.integers(0, n_weeks - 8, n)
    )
    base_noshow = rng.beta(2, 45, n)

    # Weekly hazard of deciding to leave: the causal drivers of churn.
    log_hazard = (
        np.log(0.0045) - 1.3 * (quality - 4.3) + 1.6 * (load - 0.7) + 1.8 * base_noshow * 10 / 4
    )
    hazard = np.clip(np.exp(log_hazard), 1e-4, 0.5)
    start = np.maximum(hired_week, 0)
    # The decision comes a geometric number of weeks (at least one) after the first four.
    decide_week = start + rng.geometric(hazard) + DECISION_GRACE_WEEKS
    run_in = rng.integers(RUN_IN_WEEKS[0], RUN_IN_WEEKS[1] + 1, n)
    return {
        "quality": quality,
        "capacity": capacity,
        "rate": rate,
        "hired_week": hired_week,
        "base_noshow": base_noshow,
        "hazard": hazard,
        "start": start,
        "decide_week": decide_week,
        "run_in": run_in,
    }


def tutoring_frames(
    scale: Scale, seed: int, as_of: date, students: pd.DataFrame
) -> dict[str, pd.DataFrame]:
    rng = rng_for(seed, "tutoring")
    n = scale.tutors
    weeks = week_starts(as_of, HISTORY_WEEKS, FUTURE_WEEKS)
    n_weeks = len(weeks)
    now_week = HISTORY_WEEKS  # index of as_of's week

    hidden = _hidden_traits(rng, n, n_weeks)
    quality, capacity, rate, hired_week, base_noshow = (
        hidden[k] for k in ("quality", "capacity", "rate", "hired_week", "base_noshow")
    )
    start, decide_week, run_in = hidden["start"], hidden["decide_week"], hidden["run_in"]
    leave_week = decide_week + run_in
    leaves = leave_week <= now_week
    last_week = np.where(leaves, leave_week, n_weeks)

    wk = np.arange(n_weeks)[None, :]
    active = (wk >= start[:, None]) & (wk < last_week[:, None])
    progress = np.clip((wk - decide_week[:, None]) / run_in[:, None], 0, 1)
    progress = np.where(wk >= decide_week[:, None], progress, 0.0)
    season = season_of(weeks.isocalendar().week.to_numpy())
    tenure_ramp = np.clip((wk - hired_week[:, None] + 1) / RAMP_WEEKS, RAMP_FLOOR, 1.0)
    lam = rate[:, None] * (1 - VOLUME_DROP * progress) * season[None, :] * tenure_ramp
    counts = np.where(active, rng.poisson(lam), 0)

    tutor_idx, week_idx = np.nonzero(counts)
    reps = counts[tutor_idx, week_idx]
    t = np.repeat(tutor_idx, reps)
    w = np.repeat(week_idx, reps)
    m = len(t)
    p = progress[t, w]

    minutes = rng.integers(0, WORKDAYS, m) * 1440 + rng.integers(14 * 60, 20 * 60, m) // 15 * 15
    start_at = weeks[w] + pd.to_timedelta(minutes, unit="m")

    p_noshow, p_resched, p_cancel = status_chances(base_noshow[t], p)
    u = rng.random(m)
    status = np.select(
        [u < p_noshow, u < p_noshow + p_resched, u < p_noshow + p_resched + p_cancel],
        ["no_show", "rescheduled", "cancelled"],
        "completed",
    ).astype(object)
    future = start_at > happened_by(as_of)
    status[future] = "scheduled"
    rated = (status == "completed") & (rng.random(m) < 0.8)
    rating = np.clip(np.rint(rng.normal(quality[t] - RATING_DROP * p, RATING_SD)), 1, 5)

    # Each tutor works with a pool of students from their own region.
    region = rng.integers(1, scale.regions + 1, n)
    by_region = {r: g["id"].to_numpy() for r, g in students.groupby("region_id")}
    pool_offset = rng.integers(0, 10_000, n)
    pool_size = rng.integers(6, 25, n)
    pick = pool_offset[t] + rng.integers(0, pool_size[t])
    student_id = np.empty(m, dtype=np.int64)
    for r, ids in by_region.items():
        mask = region[t] == r
        student_id[mask] = ids[pick[mask] % len(ids)]

    order = np.argsort(start_at.to_numpy(), kind="stable")
    sessions = pd.DataFrame(
        {
            "tutor_id": t[order] + 1,
            "student_id": student_id[order],
            "scheduled_start": start_at[order],
            "duration_minutes": rng.choice([45, 60, 60, 90], m)[order],
            "status": status[order],
            "rating": pd.array(np.where(rated, rating, np.nan)[order], dtype="Int64"),
        }
    )
    # A session under way has not happened yet: neither completed nor missed (a cancelled or
    # rescheduled one was settled before it started).
    ends = sessions["scheduled_start"] + pd.to_timedelta(sessions["duration_minutes"], unit="m")
    under_way = sessions["status"].isin(["completed", "no_show"]) & (ends > happened_by(as_of))
    sessions.loc[under_way, "status"] = "scheduled"
    sessions.loc[under_way, "rating"] = pd.NA
    sessions.insert(0, "id", np.arange(1, m + 1))

    week0 = weeks[0]
    names = person_names(rng, n)
    tutors = pd.DataFrame(
        {
            "id": np.arange(1, n + 1),
            "name": names,
            "email": [
                f"{nm.lower().replace(' ', '.')}.{i + 1}@tutors.example.org"
                for i, nm in enumerate(names)
            ],
            "region_id": region,
            "subject": rng.choice(SUBJECTS, n),
            "hired_on": _hired_by_first_session(
                week0 + pd.to_timedelta(hired_week * 7 + rng.integers(0, 5, n), unit="D"),
                sessions,
            ),
            "left_on": [
                (week0 + pd.Timedelta(weeks=int(lw))).date() if gone else None
                for lw, gone in zip(leave_week, leaves, strict=True)
            ],
            "status": np.where(leaves, "left", "active"),
            "weekly_capacity": capacity,
        }
    )
    return {"tutors": tutors, "tutoring_sessions": sessions}


def leave_process(scale: Scale, seed: int, as_of: date) -> tuple[pd.DataFrame, pd.Timestamp]:
    """What the generator alone knows of every tutor (index: tutor id): the weekly hazard of
    deciding to leave, the week the tutor could first decide after (`start` + the grace
    weeks), the week they decide and their run-in, and the traits their sessions are drawn
    from (quality, rate, hired_week, base_noshow); and the Monday of week 0."""
    rng = rng_for(seed, "tutoring")
    weeks = week_starts(as_of, HISTORY_WEEKS, FUTURE_WEEKS)
    hidden = _hidden_traits(rng, scale.tutors, len(weeks))
    frame = pd.DataFrame(
        {k: v for k, v in hidden.items() if k != "capacity"},
        index=pd.RangeIndex(1, scale.tutors + 1, name="tutor_id"),
    )
    return frame, weeks[0]


def true_leave_probability(
    process: pd.DataFrame, week0: pd.Timestamp, snapshots: pd.DataFrame, days: int = 30
) -> np.ndarray:
    """For each snapshot (columns tutor_id, as_of) of a tutor still employed on that day, the
    probability that they leave in (day, day + days], knowing their hazard and whether and
    when they decided by that day, but not the run-in still to come: the best any model of
    the 30-day label can know. A tutor leaves in week L = decision + run-in, on the Monday
    of week L; run-ins are uniform over RUN_IN_WEEKS."""
    state = process.loc[snapshots["tutor_id"].to_numpy()]
    day = pd.to_datetime(snapshots["as_of"]).dt.tz_localize(None).dt.normalize()
    t = ((day - week0.tz_localize(None)).dt.days / 7).to_numpy()
    now = np.floor(t).astype(int)  # the week the day falls in: its decision is known
    first, last = now + 1, np.floor(t + days / 7).astype(int)  # the leave weeks that count
    run_ins = np.arange(RUN_IN_WEEKS[0], RUN_IN_WEEKS[1] + 1)

    def share_leaving(decision: np.ndarray, still_here: np.ndarray) -> np.ndarray:
        """P(decision + run-in in [first, last] | decision + run-in >= still_here)."""
        leave = decision[:, None] + run_ins[None, :]
        possible = leave >= still_here[:, None]
        counted = possible & (leave >= first[:, None]) & (leave <= last[:, None])
        return counted.sum(axis=1) / np.maximum(possible.sum(axis=1), 1)

    decide, hazard = state["decide_week"].to_numpy(), state["hazard"].to_numpy()
    decided = decide <= now
    p = np.where(decided, share_leaving(decide, first), 0.0)
    # Not decided yet: the decision comes g >= 1 weeks after the later of now and the grace.
    base = np.maximum(now, state["start"].to_numpy() + DECISION_GRACE_WEEKS)
    for g in range(1, days // 7 + 2):
        chance = hazard * (1 - hazard) ** (g - 1)
        p += np.where(decided, 0.0, chance * share_leaving(base + g, base + g))
    return p


def _hired_by_first_session(hired: pd.DatetimeIndex, sessions: pd.DataFrame) -> np.ndarray:
    """Each tutor's hiring day, never after their first session: a tutor's sessions start
    on the Monday of the week they are hired, and the day within it is drawn. `hired` is in
    tutor id order, ids 1 to n."""
    assert sessions["tutor_id"].between(1, len(hired)).all(), "tutor ids run 1..n"
    first = sessions.groupby("tutor_id")["scheduled_start"].min().dt.tz_convert(None)
    first_day = first.dt.normalize().reindex(np.arange(1, len(hired) + 1))
    naive = pd.Series(hired.tz_localize(None) if hired.tz else hired)
    return naive.where(
        ~(first_day.to_numpy() < naive.to_numpy()), first_day.to_numpy()
    ).dt.date.to_numpy()

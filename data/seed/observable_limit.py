"""The best any model of the demo's tutor sessions can do: the generator's probability that a
tutor leaves within 30 days, given everything it knows except the decision to leave, which
it infers from the tutor's sessions before the snapshot, as a model must.

`true_leave_probability` (in `data.seed.tutoring`) knows whether and when each tutor decided;
a decision taken last week has left almost no trace (in the week after it, sessions fall by
7-19%, lost in the noise of one to seven sessions a week), so no model can reach it. This
limit knows each tutor's hazard, volume, quality, base no-show rate, hire week and the
season, and weighs every hypothesis (undecided, or decided in one of the last ten weeks
with one of the run-ins) by the prior and the likelihood of the sessions observed in those
ten weeks: their number, statuses and ratings. It is what a model with perfect knowledge of
the generator could reach (bench/tutor_risk.py, docs/models.md).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.special import gammaln, ndtr

from data.seed.tutoring import (
    DECISION_GRACE_WEEKS,
    RAMP_FLOOR,
    RAMP_WEEKS,
    RATING_DROP,
    RATING_SD,
    RUN_IN_WEEKS,
    VOLUME_DROP,
    WORKDAYS,
    season_of,
    status_chances,
)

LOOK_BACK = RUN_IN_WEEKS[1]  # weeks of sessions whose likelihood depends on the hypothesis
STATUSES = ("no_show", "rescheduled", "cancelled", "completed")
RATING_EDGES = np.array([-np.inf, 1.5, 2.5, 3.5, 4.5, np.inf])


def observable_leave_probability(
    process: pd.DataFrame,
    week0: pd.Timestamp,
    sessions: pd.DataFrame,
    snapshots: pd.DataFrame,
    days: int = 30,
) -> np.ndarray:
    """For each snapshot (tutor_id, as_of), P(leave in (as_of, as_of + days]) given the
    generator's hidden traits (`leave_process`) and the tutor's sessions (tutor_id,
    scheduled_start, status, rating) before as_of, without knowing the decision. NaN for a
    snapshot whose sessions the generator could not have drawn (edited demo data)."""
    held = sessions[sessions["status"].isin(STATUSES)]
    seconds = (held["scheduled_start"] - week0).dt.total_seconds().to_numpy()
    start_week = (seconds // (7 * 86_400)).astype(int)
    kind = pd.Categorical(held["status"], categories=STATUSES).codes
    stars = held["rating"].to_numpy(dtype=float, na_value=np.nan)
    by_tutor = {  # each tutor's held sessions as arrays: seconds, week, status code, rating
        int(str(tutor)): (seconds[rows], start_week[rows], kind[rows], stars[rows])
        for tutor, rows in held.groupby("tutor_id").indices.items()
    }
    mondays = pd.date_range(week0, periods=int(start_week.max()) + LOOK_BACK + 3, freq="7D")
    season = season_of(mondays.isocalendar().week.to_numpy())
    day = pd.to_datetime(snapshots["as_of"]).dt.tz_convert("UTC")
    weeks_in = ((day - week0).dt.total_seconds() / (7 * 86_400)).to_numpy()
    out = np.zeros(len(snapshots))
    for i, (tutor, t) in enumerate(zip(snapshots["tutor_id"].to_numpy(), weeks_in, strict=True)):
        out[i] = _posterior_leaving(
            process.loc[tutor], by_tutor.get(int(tutor)), float(t), season, days=days
        )
    return out


Held = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]


def _posterior_leaving(
    traits: pd.Series,
    sessions: Held | None,
    t: float,
    season: np.ndarray,
    *,
    days: int,
) -> float:
    now = int(np.floor(t))
    first, last = now + 1, int(np.floor(t + days / 7))  # the leave weeks that count
    weeks = np.arange(now - LOOK_BACK + 1, now + 1)
    seen_share = np.ones(len(weeks))  # the snapshot's own week is seen up to the moment
    seen_share[-1] = min(max((t - now) * 7, 0.0), WORKDAYS) / WORKDAYS
    counts = np.zeros(len(weeks))
    statuses = np.zeros((len(weeks), len(STATUSES)))
    ratings = np.zeros((len(weeks), 5))
    if sessions is not None:
        seconds, week, kind, stars = sessions
        seen = (seconds < t * 7 * 86_400) & (week >= weeks[0]) & (week <= weeks[-1])
        row = week[seen] - weeks[0]
        np.add.at(counts, row, 1)
        np.add.at(statuses, (row, kind[seen]), 1)
        rated = ~np.isnan(stars[seen])
        np.add.at(ratings, (row[rated], stars[seen][rated].astype(int) - 1), 1)
    employed = weeks >= traits["start"]
    ramp = np.clip((weeks - traits["hired_week"] + 1) / RAMP_WEEKS, RAMP_FLOOR, 1.0)
    volume = traits["rate"] * season[np.clip(weeks, 0, None)] * ramp * seen_share * employed

    # The hypotheses: undecided (progress 0 throughout), or decided in one of the weeks
    # seen with one of the run-ins, and not yet gone; each with its log prior.
    hazard = traits["hazard"]
    earliest = traits["start"] + DECISION_GRACE_WEEKS
    run_ins = np.arange(RUN_IN_WEEKS[0], RUN_IN_WEEKS[1] + 1)
    decided, run_in = (a.ravel() for a in np.meshgrid(weeks, run_ins, indexing="ij"))
    wait = decided - earliest
    possible = (wait >= 1) & (decided + run_in >= first)
    decided, run_in, wait = decided[possible], run_in[possible], wait[possible]
    steps = (weeks[None, :] - decided[:, None]) / run_in[:, None]
    progress = np.vstack([np.zeros(len(weeks)), np.clip(steps, 0, 1)])
    prior = np.concatenate(
        [
            [max(now - earliest, 0) * np.log1p(-hazard)],
            np.log(hazard) + (wait - 1) * np.log1p(-hazard) - np.log(len(run_ins)),
        ]
    )
    inside = np.concatenate([[False], (decided + run_in >= first) & (decided + run_in <= last)])
    logs = prior + _log_likelihood(progress, volume, counts, statuses, ratings, traits)
    if not np.isfinite(logs).any():  # sessions the generator could not have drawn
        return float("nan")
    weights = np.exp(logs - logs.max())
    return float(weights[inside].sum() / weights.sum())


def _log_likelihood(
    progress: np.ndarray,
    volume: np.ndarray,
    counts: np.ndarray,
    statuses: np.ndarray,
    ratings: np.ndarray,
    traits: pd.Series,
) -> np.ndarray:
    """The log-likelihood of the weeks seen under each hypothesis (a row of `progress`, the
    run-in's progress in each week): the number of sessions (Poisson), their statuses and
    their ratings (a rounded normal), as the generator draws them."""
    lam = volume[None, :] * (1 - VOLUME_DROP * progress)
    safe = np.maximum(lam, 1e-300)
    sessions = np.where(
        lam > 0,
        counts * np.log(safe) - lam - gammaln(counts + 1),
        np.where(counts == 0, 0.0, -np.inf),
    )
    no_show, reschedule, cancel = status_chances(np.asarray(traits["base_noshow"]), progress)
    chances = np.stack([no_show, reschedule, cancel, 1 - no_show - reschedule - cancel], axis=2)
    kinds = (statuses[None, :, :] * np.log(chances)).sum(axis=2)
    mean = traits["quality"] - RATING_DROP * progress
    below = ndtr((RATING_EDGES[None, None, :] - mean[:, :, None]) / RATING_SD)
    stars = np.log(np.maximum(np.diff(below, axis=2), 1e-300))
    rated = (ratings[None, :, :] * stars).sum(axis=2)
    return (sessions + kinds + rated).sum(axis=1)

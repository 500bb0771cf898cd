"""Balanced teams from skill scores: sizes differ by at most one, team means as close as can be."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

from analytics.pe import SKILLS


class TeamOptions(BaseModel):
    """What a team split is asked for: a class, how many teams, and the score to balance."""

    model_config = ConfigDict(extra="forbid")
    class_id: int | None = Field(default=None, ge=1)
    teams: int = Field(default=2, ge=2, le=6)
    balance_by: Literal["overall", *SKILLS] = "overall"  # type: ignore[valid-type]


@dataclass(frozen=True)
class TeamSplit:
    players: pd.DataFrame  # the input rows plus `team` (1..n)
    teams: pd.DataFrame  # team, size, mean, total
    spread: float  # highest minus lowest team mean: 0 is perfect balance


def balance_teams(players: pd.DataFrame, *, n_teams: int, max_rounds: int = 200) -> TeamSplit:
    """Split `players` (a frame with a numeric `score` column) into `n_teams` teams.

    A greedy deal (strongest first, each to the weakest team that is not already larger)
    gives sizes that differ by at most one; then any swap of two players between two teams
    that lowers the spread of team totals is made, until none is left.
    """
    if not isinstance(n_teams, int | np.integer) or n_teams < 2:
        raise ValueError(f"n_teams must be an integer of at least 2; got {n_teams!r}")
    if len(players) < n_teams:
        raise ValueError(
            f"n_teams must be at most the number of players ({len(players)}); got {n_teams}"
        )
    if players["score"].isna().any():
        raise ValueError("score must be present for every player; got missing values")
    order = players["score"].to_numpy(dtype=float).argsort(kind="stable")[::-1]
    scores = players["score"].to_numpy(dtype=float)
    team = np.empty(len(players), dtype=int)
    totals = np.zeros(n_teams)
    sizes = np.zeros(n_teams, dtype=int)
    for i in order:
        open_teams = np.flatnonzero(sizes == sizes.min())
        pick = open_teams[np.argmin(totals[open_teams])]
        team[i] = pick
        totals[pick] += scores[i]
        sizes[pick] += 1
    for _ in range(max_rounds):
        if not _best_swap(scores, team, totals, sizes):
            break
    out = players.assign(team=team + 1)
    summary = out.groupby("team")["score"].agg(size="size", mean="mean", total="sum").reset_index()
    return TeamSplit(out, summary, float(summary["mean"].max() - summary["mean"].min()))


def _best_swap(scores: np.ndarray, team: np.ndarray, totals: np.ndarray, sizes: np.ndarray) -> bool:
    """Make the one swap that lowers the sum of squared deviations of team means most."""
    means = totals / sizes
    best_gain, best = 1e-9, None
    for a in range(len(scores)):
        for b in range(a + 1, len(scores)):
            ta, tb = team[a], team[b]
            if ta == tb:
                continue
            delta = scores[b] - scores[a]
            new_a = (totals[ta] + delta) / sizes[ta]
            new_b = (totals[tb] - delta) / sizes[tb]
            mean = means.mean()
            before = (means[ta] - mean) ** 2 + (means[tb] - mean) ** 2
            after = (new_a - mean) ** 2 + (new_b - mean) ** 2
            if before - after > best_gain:
                best_gain, best = before - after, (a, b)
    if best is None:
        return False
    a, b = best
    ta, tb = team[a], team[b]
    totals[ta] += scores[b] - scores[a]
    totals[tb] += scores[a] - scores[b]
    team[a], team[b] = tb, ta
    return True

"""A credit scorecard in scikit-learn style, for any tabular credit data.

`WoEBinner` bins each column — numeric columns into monotonic ranges, categorical ones
into groups ordered by bad rate, missing values into a bin of their own — and replaces
values by the bin's weight of evidence, ln(share of goods / share of bads). `Scorecard`
fits a logistic regression on those WoE values and scales it to points: by default 600
points at odds of 50:1 (good:bad) and 20 points to double the odds. Each applicant's
adverse-action reasons are the bins where they lost most points against the best bin of
the same characteristic.
"""

from __future__ import annotations

import functools
from collections.abc import Hashable, Mapping, Sequence
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy.optimize import minimize
from scipy.special import expit
from sklearn.base import BaseEstimator, ClassifierMixin, TransformerMixin
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold
from sklearn.tree import DecisionTreeClassifier
from sklearn.utils.validation import check_is_fitted
from threadpoolctl import threadpool_limits

from analytics.card import (
    MISSING,
    Bin,
    assign_bins,
    band_of_pd,
    best_points,
    category_text,
    pd_of_score,
    ramp_points,
    range_label,
)


def _shares(good: np.ndarray, bad: np.ndarray, prior: float) -> tuple[np.ndarray, np.ndarray]:
    """Each bin's share of the goods and of the bads, with `prior` rows at the overall bad
    rate added to every bin: an all-good bin stays finite, and a small bin's WoE is shrunk
    towards 0 (no evidence) by as much as its few rows leave in doubt, a large bin's hardly
    at all. The prior is the smoothing most other tools call Bayesian or additive."""
    bad_rate = bad.sum() / (good.sum() + bad.sum())
    g = good + prior * (1 - bad_rate)
    b = bad + prior * bad_rate
    return g / g.sum(), b / b.sum()


def _woe(good: np.ndarray, bad: np.ndarray, prior: float) -> np.ndarray:
    share_good, share_bad = _shares(good, bad, prior)
    return np.log(share_good / share_bad)


def category_codes(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Each value's category as a position in the sorted category names (-1: missing)."""
    codes, names = pd.factorize(category_text(values), sort=True)
    return codes, np.asarray(names, dtype=object)


def _check_target(y: pd.Series | np.ndarray) -> np.ndarray:
    values = np.asarray(y)
    if not np.isin(values, [0, 1]).all():
        raise ValueError("y must be 0 (good) or 1 (bad) for every row")
    if values.min() == values.max():
        raise ValueError("y must hold both goods and bads")
    return values.astype(int)


def stratified_folds(y: np.ndarray, folds: int, seed: int) -> tuple[tuple[np.ndarray, ...], ...]:
    """StratifiedKFold's shuffled (train, held-out) rows of the 0/1 labels `y`, read-only:
    worked out once for each `y`, since a fit asks for the same folds dozens of times."""
    return _folds_of(np.asarray(y, dtype=np.int8).tobytes(), folds, seed)


@functools.lru_cache(maxsize=16)
def _folds_of(labels: bytes, folds: int, seed: int) -> tuple[tuple[np.ndarray, ...], ...]:
    y = np.frombuffer(labels, dtype=np.int8)
    split = StratifiedKFold(folds, shuffle=True, random_state=seed)
    out = tuple(split.split(np.zeros(len(y)), y))
    for rows in out:
        for part in rows:
            part.setflags(write=False)
    return out


Trend = Literal["auto", "increasing", "decreasing", "valley", "peak", "none"]
TRENDS: tuple[Trend, ...] = ("auto", "increasing", "decreasing", "valley", "peak", "none")
ONE_WAY: tuple[Trend, ...] = ("increasing", "decreasing")
TURNED: tuple[Trend, ...] = ("valley", "peak")


def wrong_steps(rate: Sequence[float], trend: Trend) -> list[bool]:
    """Which steps between neighbouring bins go against `trend`: "increasing" and
    "decreasing" run one way throughout; "valley" falls to its lowest bin, then rises;
    "peak" rises to its highest bin, then falls; "none" may run any way. (Plain lists: a
    merge asks this of a few bins thousands of times, where numpy's calls cost more than
    the sums.)"""
    steps = [b - a for a, b in zip(rate[:-1], rate[1:], strict=True)]
    if trend in ONE_WAY:
        return [s < 0 if trend == "increasing" else s > 0 for s in steps]
    if trend in TURNED:
        sign = -1.0 if trend == "valley" else 1.0  # the way it runs before the turn
        turn = max(range(len(rate)), key=lambda i: rate[i] * sign)  # the first, on a tie
        return [s * sign < 0 if i < turn else s * sign > 0 for i, s in enumerate(steps)]
    return [False] * len(steps)


def information_value(count: np.ndarray, bad: np.ndarray) -> float:
    """The IV of bins holding `count` rows of which `bad` are bads (half-count smoothing)."""
    good = count - bad
    share_g = (good + 0.5) / (good.sum() + 0.5 * len(good))
    share_b = (bad + 0.5) / (bad.sum() + 0.5 * len(bad))
    return float(((share_g - share_b) * np.log(share_g / share_b)).sum())


class WoEBinner(TransformerMixin, BaseEstimator):
    """Weight-of-evidence binning of every column of a DataFrame.

    Numeric columns start from fine ranges (or one bin per value when they hold at most
    `initial_bins` values): the cut points of a decision tree of up to `initial_bins`
    leaves of at least `min_bin_share` of the rows, and the `initial_bins` quantiles.
    Neighbours are merged, the pair with the closest bad rates first, until the bad rate
    follows the column's trend, every bin holds at least `min_bin_share` of the rows and
    there are at most `max_bins`. Categorical columns are grouped the same
    way after sorting categories by bad rate, with their own, smaller minimum share
    `min_category_share`: a rare but telling category keeps its bin; a column of at most
    `CATEGORY_EACH` (10) categories keeps one bin per category instead, those under
    `CATEGORY_POOL` (3%) of the rows pooled into one. A numeric column of
    two values is a flag and is held to the category share too.

    Each bin's WoE counts `woe_prior` more rows at the overall bad rate (10 by default):
    the bad rate it stands for is pulled half way back to the overall rate in a bin of 10
    rows, 5% of the way in a bin of 200.

    `categorical` declares columns categorical whatever their dtype (integer codes, say);
    other columns are categorical when they are not numbers. `monotonic` sets the trend of
    the bad rate over a numeric column's range: "increasing", "decreasing", "valley"
    (falling to a lowest range, then rising), "peak" (the reverse), "none" (any shape) or
    "auto" — one for every column, or a dict by column with "auto" for the rest. "auto"
    takes whichever of increasing and decreasing carries more information; with
    `turns=True` also a valley or a peak when it carries more than both. `shapes_` says
    which trend each numeric column took.
    """

    def __init__(
        self,
        max_bins: int = 10,
        min_bin_share: float = 0.05,
        initial_bins: int = 20,
        *,
        min_category_share: float = 0.01,
        categorical: Sequence[str] | None = None,
        monotonic: Trend | Mapping[str, Trend] = "auto",
        turns: bool = False,
        woe_prior: float = 10.0,
    ):
        self.max_bins = max_bins
        self.min_bin_share = min_bin_share
        self.initial_bins = initial_bins
        self.min_category_share = min_category_share
        self.categorical = categorical
        self.monotonic = monotonic
        self.turns = turns
        self.woe_prior = woe_prior

    def _check_params(self, columns: Sequence[str]) -> None:
        if not isinstance(self.max_bins, int) or self.max_bins < 2:
            raise ValueError(f"max_bins must be an integer of at least 2; got {self.max_bins!r}")
        for name in ("min_bin_share", "min_category_share"):
            share = getattr(self, name)
            if not 0 <= share < 0.5:
                raise ValueError(f"{name} must be at least 0 and under 0.5; got {share!r}")
        if not self.woe_prior > 0:
            raise ValueError(f"woe_prior must be above 0; got {self.woe_prior!r}")
        if not isinstance(self.initial_bins, int) or self.initial_bins < self.max_bins:
            raise ValueError(
                f"initial_bins must be an integer of at least max_bins; got {self.initial_bins!r}"
            )
        unknown = sorted(set(self.categorical or ()) - set(columns))
        if unknown:
            raise ValueError(f"categorical names columns X does not have: {unknown}")
        trends = (
            self.monotonic.values() if isinstance(self.monotonic, Mapping) else [self.monotonic]
        )
        if any(t not in TRENDS for t in trends):
            raise ValueError(f"monotonic must be one of {TRENDS}; got {self.monotonic!r}")

    def trend(self, column: str) -> Trend:
        if isinstance(self.monotonic, Mapping):
            return self.monotonic.get(column, "auto")
        return self.monotonic

    def is_categorical(self, values: pd.Series) -> bool:
        return values.name in (self.categorical or ()) or not (
            pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values)
        )

    def fit(self, X: pd.DataFrame, y: pd.Series | np.ndarray) -> WoEBinner:
        return self._fit(X, y, shared={})

    def _fit(
        self, X: pd.DataFrame, y: pd.Series | np.ndarray, *, shared: dict[Hashable, Any]
    ) -> WoEBinner:
        """`fit`, keeping in `shared` what other binners of the same rows and settings (but
        `max_bins` and `turns`) can reuse: the cards a Scorecard compares. Each numeric
        column's starting cut points, each merge of a column's bins for a trend, each
        category grouping and each table are worked out once for them all."""
        if not isinstance(X, pd.DataFrame):
            raise ValueError(f"X must be a pandas DataFrame; got {type(X).__name__}")
        self._check_params(list(X.columns))
        target = _check_target(y)
        self.feature_names_in_ = np.array(X.columns, dtype=object)
        self.bins_: dict[str, list[Bin]] = {}
        self.tables_: dict[str, pd.DataFrame] = {}
        self.shapes_: dict[str, Trend] = {}
        for column in X.columns:
            values = X[column]
            if self.is_categorical(values):
                grouping = ("categories", column, self.max_bins)
                if grouping not in shared:
                    shared[grouping] = self._category_bins(values, target)
                bins = list(shared[grouping])
            else:
                bins = self._numeric_bins(values, target, column, shared)
            self.bins_[column] = bins
            table = ("table", column, tuple(bins))
            if table not in shared:
                shared[table] = self._table(values, target, bins)
            self.tables_[column] = shared[table]
        self.iv_ = pd.Series(
            {c: float(t["iv"].sum()) for c, t in self.tables_.items()}
        ).sort_values(ascending=False)
        return self

    # -- numeric -----------------------------------------------------------------------
    def _numeric_bins(
        self, values: pd.Series, y: np.ndarray, column: str, shared: dict[Hashable, Any]
    ) -> list[Bin]:
        if ("start", column) not in shared:
            shared[("start", column)] = self._starting_bins(values, y)
        present, target, edges, index, share = shared[("start", column)]
        groups = [list(range(i, i + 1)) for i in range(len(edges) + 1)]

        def merged(trend: Trend) -> list[list[int]]:
            key = ("merge", column, trend, self.max_bins)
            if key not in shared:
                shared[key] = self._merge(index, target, groups, trend=trend, min_share=share)
            return shared[key]

        trend = self.trend(column)
        if trend == "auto":
            tried = ONE_WAY + TURNED if self.turns else ONE_WAY
            shapes = {t: merged(t) for t in tried}
            ivs = {t: _grouped_iv(index, target, shapes[t]) for t in tried}
            trend = max(ONE_WAY, key=ivs.__getitem__)
            turned = max(tried, key=ivs.__getitem__)
            if turned in TURNED and self._turn_holds_out(
                index, target, groups, share, (trend, turned)
            ):
                trend = turned
            stats = shapes[trend]
        else:
            stats = merged(trend)
        self.shapes_[column] = trend
        bins = []
        for group in stats:
            low = None if group[0] == 0 else float(edges[group[0] - 1])
            high = None if group[-1] == len(edges) else float(edges[group[-1]])
            bins.append(Bin(range_label(low, high), low, high))
        if not present.all():
            bins.append(Bin(MISSING))
        return bins

    def _starting_bins(
        self, values: pd.Series, y: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, float]:
        """Which values are present, their labels, the cut points to merge from, each
        present value's starting bin, and the least share of rows a bin must hold."""
        present = values.notna().to_numpy()
        x = values.to_numpy(dtype=float)[present]
        target = y[present]
        distinct = np.unique(x)
        if len(distinct) <= self.initial_bins:  # one bin per value to start from
            edges = distinct[1:]
        else:
            edges = self._fine_edges(x, target)
        index = np.searchsorted(edges, x, side="right")
        share = self.min_category_share if len(distinct) <= 2 else self.min_bin_share
        return present, target, edges, index, share

    def _turn_holds_out(
        self,
        index: np.ndarray,
        y: np.ndarray,
        groups: list[list[int]],
        share: float,
        trends: tuple[Trend, Trend],
    ) -> bool:
        """Whether the turned trend (second) predicts held-out rows better than the one-way
        trend (first): bins merged on four fifths of the rows, their bad rates scored on the
        fifth left out (log-loss, half-count smoothing), five times."""
        losses = dict.fromkeys(trends, 0.0)
        for train, held in stratified_folds(y, 5, 0):
            for trend in trends:
                merged = self._merge(index[train], y[train], groups, trend=trend, min_share=share)
                of_group = np.empty(len(groups), dtype=int)
                for k, group in enumerate(merged):
                    of_group[group] = k
                count = np.bincount(of_group[index[train]], minlength=len(merged))
                bad = np.bincount(of_group[index[train]], weights=y[train], minlength=len(merged))
                rate = ((bad + 0.5) / (count + 1.0))[of_group[index[held]]]
                losses[trend] -= float(
                    np.sum(y[held] * np.log(rate) + (1 - y[held]) * np.log(1 - rate))
                )
        return losses[trends[1]] < losses[trends[0]]

    def _fine_edges(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Cut points to merge from: a shallow decision tree's (where the bad rate changes)
        and the quantiles' (so a long even stretch is still cut)."""
        tree = DecisionTreeClassifier(
            max_leaf_nodes=self.initial_bins,
            min_samples_leaf=max(self.min_bin_share, 1 / len(x)),
            random_state=0,
        ).fit(x.reshape(-1, 1), y)
        split = tree.tree_.threshold[tree.tree_.feature >= 0]
        quantiles = np.quantile(x, np.linspace(0, 1, self.initial_bins + 1)[1:-1])
        return np.unique(np.concatenate([split, quantiles]))

    # -- categorical ---------------------------------------------------------------------
    def _category_bins(self, values: pd.Series, y: np.ndarray) -> list[Bin]:
        codes, names = category_codes(values)
        if (codes < 0).all():  # nothing but missing values: one bin, no information
            return [Bin(MISSING)]
        bins = []
        for group in self._category_groups(codes, y, len(names)):
            members = tuple(str(names[i]) for i in group)
            bins.append(Bin(", ".join(members), categories=members))
        if (codes < 0).any():
            bins.append(Bin(MISSING))
        return bins

    def _category_groups(self, codes: np.ndarray, y: np.ndarray, levels: int) -> list[list[int]]:
        """The categories seen (codes 0 to `levels` - 1; -1 missing) in bins. A column of at
        most `CATEGORY_EACH` categories keeps one bin per category, those under
        `CATEGORY_POOL` of the rows pooled into one. Otherwise ordered by bad rate,
        neighbours merged until every bin holds `min_category_share` of the rows and there
        are at most `max_bins`."""
        present = codes >= 0
        count = np.bincount(codes[present], minlength=levels).astype(float)
        bad = np.bincount(codes[present], weights=y[present], minlength=levels)
        seen = np.flatnonzero(count)
        if len(seen) <= CATEGORY_EACH:
            share = count / count.sum()
            rare = [int(i) for i in seen if share[i] < CATEGORY_POOL]
            groups = [[int(i)] for i in seen if share[i] >= CATEGORY_POOL]
            groups += [rare] if rare else []
            return sorted(groups, key=lambda g: bad[g].sum() / count[g].sum())
        order = seen[np.argsort(bad[seen] / count[seen], kind="quicksort")]  # as pandas sorts
        position = np.empty(levels, dtype=int)
        position[order] = np.arange(len(order))
        merged = self._merge(
            position[codes[present]],
            y[present],
            [[i] for i in range(len(order))],
            trend="none",
            min_share=self.min_category_share,
        )
        return [[int(order[i]) for i in group] for group in merged]

    # -- merging -------------------------------------------------------------------------
    def _merge(
        self,
        index: np.ndarray,
        y: np.ndarray,
        groups: list[list[int]],
        *,
        trend: Trend,
        min_share: float,
    ) -> list[list[int]]:
        """Merge neighbouring groups of initial bins until the rules hold: every bin at least
        `min_share` of the rows, at most `max_bins`, and the bad rate running the `trend`'s
        way (`wrong_steps`)."""
        counts = np.bincount(index, minlength=len(groups)).astype(float).tolist()
        bads = np.bincount(index, weights=y, minlength=len(groups)).astype(float).tolist()
        merged: list[list[int]] = []
        count: list[float] = []
        bad: list[float] = []
        for group, n, k in zip(groups, counts, bads, strict=True):
            if merged and (n == 0 or count[-1] == 0):  # an empty bin joins its neighbour
                merged[-1] += group
                count[-1] += n
                bad[-1] += k
            else:
                merged.append(list(group))
                count.append(n)
                bad.append(k)
        least = min_share * sum(count)
        while len(merged) > 1:
            rate = [k / n for k, n in zip(bad, count, strict=True)]
            smallest = min(count)
            if smallest < least:  # the smallest bin joins the nearer of its neighbours
                i = count.index(smallest)
                if i == 0:
                    j = 0
                elif i == len(merged) - 1:
                    j = i - 1
                else:
                    nearer_left = abs(rate[i] - rate[i - 1]) <= abs(rate[i + 1] - rate[i])
                    j = i - 1 if nearer_left else i
            else:
                gaps = [abs(b - a) for a, b in zip(rate[:-1], rate[1:], strict=True)]
                candidates = [i for i, wrong in enumerate(wrong_steps(rate, trend)) if wrong]
                if candidates:
                    j = min(candidates, key=gaps.__getitem__)  # the first, on a tie
                elif len(merged) > self.max_bins:
                    j = min(range(len(gaps)), key=gaps.__getitem__)
                else:
                    break
            merged[j : j + 2] = [merged[j] + merged[j + 1]]
            count[j : j + 2] = [count[j] + count[j + 1]]
            bad[j : j + 2] = [bad[j] + bad[j + 1]]
        return merged

    # -- tables and transform --------------------------------------------------------------
    def _table(self, values: pd.Series, y: np.ndarray, bins: list[Bin]) -> pd.DataFrame:
        index = assign_bins(bins, values)
        count = np.bincount(index, minlength=len(bins)).astype(float)
        bad = np.bincount(index, weights=y, minlength=len(bins)).astype(float)
        share_g, share_b = _shares(count - bad, bad, self.woe_prior)
        woe = np.log(share_g / share_b)
        return pd.DataFrame(
            {
                "bin": [b.label for b in bins],
                "count": count.astype(int),
                "bad": bad.astype(int),
                "bad_rate": np.divide(bad, count, out=np.zeros_like(bad), where=count > 0),
                "woe": woe,
                "iv": (share_g - share_b) * woe,
            }
        )

    def transform(self, X: pd.DataFrame) -> pd.DataFrame:
        check_is_fitted(self, "bins_")
        missing = [c for c in self.feature_names_in_ if c not in X.columns]
        if missing:
            raise ValueError(f"X must have the columns it was fitted on; missing {missing}")
        out = {}
        for column in self.feature_names_in_:
            woe = self.tables_[column]["woe"].to_numpy()
            index = assign_bins(self.bins_[column], X[column])
            out[column] = np.where(index >= 0, woe[np.clip(index, 0, None)], 0.0)
        return pd.DataFrame(out, index=X.index)

    def bin_labels(self, X: pd.DataFrame) -> pd.DataFrame:
        """The bin label of every value (unseen categories: "unseen")."""
        check_is_fitted(self, "bins_")
        out = {}
        for column in self.feature_names_in_:
            labels = np.array([b.label for b in self.bins_[column]] + ["unseen"], dtype=object)
            out[column] = labels[assign_bins(self.bins_[column], X[column])]
        return pd.DataFrame(out, index=X.index)


def _grouped_iv(index: np.ndarray, y: np.ndarray, groups: list[list[int]]) -> float:
    """The IV of the bins that join the initial bins of each of `groups`."""
    of_group = np.empty(sum(len(g) for g in groups), dtype=int)
    for k, group in enumerate(groups):
        of_group[group] = k
    binned = of_group[index]
    count = np.bincount(binned, minlength=len(groups)).astype(float)
    return information_value(count, np.bincount(binned, weights=y, minlength=len(groups)))


def ridge_logistic(
    X: np.ndarray,
    y: np.ndarray,
    *,
    C: float,
    steps: int = 25,
    start: np.ndarray | None = None,
    tolerance: float = 1e-8,
) -> np.ndarray:
    """Intercept and weights of scikit-learn's L2 logistic regression (C times the summed
    log-loss plus half the squared weights, intercept free), by Newton's method from `start`
    (by default no weights and the intercept of the mean): the same answer as
    LogisticRegression, without its overhead for the many small fits of tuning."""
    return _newton(np.column_stack([np.ones(len(X)), X]), y, C, steps, start, tolerance)


def _newton(
    design: np.ndarray,
    y: np.ndarray,
    C: float,
    steps: int,
    start: np.ndarray | None,
    tolerance: float,
) -> np.ndarray:
    """`ridge_logistic` on a design whose first column is the intercept's ones: full Newton
    steps from `start`, or, if they do not converge (a start far off, another card's
    weights, can overshoot), again from the mean with each step halved until it lowers the
    penalised loss."""
    ridge = np.full(design.shape[1], 1 / C)
    ridge[0] = 0.0
    mean = np.zeros(design.shape[1])  # no weights, and the intercept at the mean's log-odds:
    rate = float(np.clip(y.mean(), 1e-6, 1 - 1e-6))  # a step or two fewer than from zero
    mean[0] = np.log(rate / (1 - rate))
    w, converged = _newton_steps(
        design, y, ridge, mean if start is None else start, steps, tolerance
    )
    if not converged:
        w, _ = _newton_steps(design, y, ridge, mean, steps, tolerance, damped=True)
    return w


def _newton_steps(
    design: np.ndarray,
    y: np.ndarray,
    ridge: np.ndarray,
    start: np.ndarray,
    steps: int,
    tolerance: float,
    *,
    damped: bool = False,
) -> tuple[np.ndarray, bool]:
    """Newton's steps from `start` (each halved until it lowers the loss when `damped`), and
    whether the last was under `tolerance`."""

    def penalised_loss(w: np.ndarray, z: np.ndarray) -> float:
        return float(np.logaddexp(0.0, z).sum() - y @ z + 0.5 * (ridge * w) @ w)

    w = start.copy()
    z = design @ w
    loss = penalised_loss(w, z) if damped else 0.0
    with np.errstate(over="ignore", invalid="ignore"):
        for _ in range(steps):
            p = expit(z)
            gradient = design.T @ (p - y) + ridge * w
            hessian = (design * (p * (1 - p))[:, None]).T @ design + np.diag(ridge + 1e-10)
            try:
                step = np.linalg.solve(hessian, gradient)
            except np.linalg.LinAlgError:
                return w, False
            size = 1.0
            while damped:
                moved = w - size * step
                z_moved = design @ moved
                loss_moved = penalised_loss(moved, z_moved)
                if loss_moved <= loss + 1e-12 * abs(loss) or size < 1e-3:
                    w, z, loss = moved, z_moved, loss_moved
                    break
                size /= 2
            if not damped:
                w = w - step
                z = design @ w
            if not np.isfinite(w).all():
                return w, False
            if np.abs(size * step).max() < tolerance:
                return w, True
    return w, False


def _bounded_logistic(
    design: np.ndarray,
    y: np.ndarray,
    C: float,
    bounds: list[tuple[float, float]],
    start: np.ndarray,
) -> np.ndarray:
    """`ridge_logistic` on a design whose first column is the intercept's ones, each weight
    within its bounds (L-BFGS-B): the ramps' signs."""
    ridge = np.full(design.shape[1], 1 / C)
    ridge[0] = 0.0

    def loss(w: np.ndarray) -> tuple[float, np.ndarray]:
        z = design @ w
        value = float(np.logaddexp(0.0, z).sum() - y @ z + 0.5 * (ridge * w) @ w)
        return value, design.T @ (expit(z) - y) + ridge * w

    low, high = np.array(bounds, dtype=float).T
    start = np.clip(start, low, high)
    return minimize(
        loss, start, jac=True, method="L-BFGS-B", bounds=bounds, options={"ftol": RAMP_FTOL}
    ).x


def mean_log_loss(y: np.ndarray, log_odds: np.ndarray) -> float:
    """scikit-learn's log_loss of the probabilities behind `log_odds`, from the log-odds
    directly (log(1 + e^-z) for a bad, log(1 + e^z) for a good): no clipping needed, and
    none of its input checks, which cost more than the sum in the many fits of tuning."""
    signed = np.where(y == 1, -log_odds, log_odds)
    return float(np.logaddexp(0.0, signed).mean())


IV_CUTS = (0.0, 0.01, 0.02, 0.05)
CATEGORY_EACH = 10  # a category column of at most this many keeps a bin per category,
CATEGORY_POOL = 0.03  # those under this share of the rows pooled into one bin
RAMP_C = (1.0,)  # the ramps' penalty: the card's C times each of these, the best by CV
BLENDS = (0.0, 0.25, 0.5, 0.75, 1.0)  # the ramp card's share of the log-odds
RAMP_FTOL = 1e-6  # L-BFGS-B: stop when the loss moves less than this share
BIN_CHOICES = (6, 10)  # the most bins a characteristic may keep, when "auto"
C_GRID = tuple(float(c) for c in np.logspace(-2.5, 1, 8))


class Scorecard(ClassifierMixin, BaseEstimator):
    """WoE binning + logistic regression, scaled to points.

    The regression is fitted on cross-fitted weights of evidence (each row's WoE counted
    without the rows of its own fold, `cv` folds, and a category column's grouping made
    again without them), so a row's label does not also set its own bin's WoE or its
    category's group; the final card scores with the bins and WoE of all rows. This removes
    most of the over-confidence of in-sample WoE, not all: the numeric bins are still chosen
    on every row. With `recalibrate` the card's log-odds are then rescaled by a one-variable
    logistic regression on the out-of-fold log-odds of the same folds (a Platt step, folded
    into the points, so the card stays a sum of points). Measured calibration:
    docs/models.md.

    `C` (the inverse strength of the ridge penalty) and then `min_iv` (the least
    information a characteristic must carry) are chosen one after the other by
    cross-validated log-loss among `C_GRID` and `IV_CUTS` when "auto", or fixed when given.
    `turns` lets numeric columns whose trend is "auto" take a valley or a peak (risk lowest,
    or highest, in the middle of the range) where that carries more information than one
    way: True, False (every "auto" column one way), or "auto". `max_bins` is the most bins a
    characteristic keeps, or "auto" (6 or 10). Each "auto" is decided by fitting every card
    they allow and keeping the one with the lowest cross-validated log-loss. Binning
    parameters (`woe_prior` among them), the declared `categorical` columns and the
    `monotonic` trends go to `WoEBinner`.

    With `ramps` (the default) a continuous characteristic (numeric, more values than
    `initial_bins`) also gets points that run linearly between knots (the 1st and 99th
    percentiles and its bin edges), flat beyond: a second card fits these shapes jointly
    with the other characteristics' WoE, each bounded to the way the characteristic's points
    run (a valley or peak turning in its lowest or highest bin), and its out-of-fold log-odds
    are blended with the card's by the lowest log-loss (`blend_`, the ramps' share, may be
    0). The card stays a sum of points: `ramp_points_` holds each characteristic's knots and
    points there, `best_points_` the most each characteristic can give (reasons are the
    shortfalls against it), and `export_card` carries them as "ramps".
    """

    def __init__(
        self,
        max_bins: int | Literal["auto"] = "auto",
        min_bin_share: float = 0.05,
        min_iv: float | Literal["auto"] = "auto",
        C: float | Literal["auto"] = "auto",
        base_points: float = 600.0,
        base_odds: float = 50.0,
        pdo: float = 20.0,
        *,
        min_category_share: float = 0.01,
        categorical: Sequence[str] | None = None,
        monotonic: Trend | Mapping[str, Trend] = "auto",
        turns: bool | Literal["auto"] = "auto",
        woe_prior: float = 10.0,
        recalibrate: bool = True,
        ramps: bool = True,
        cv: int = 5,
        random_state: int = 0,
    ):
        self.max_bins = max_bins
        self.min_bin_share = min_bin_share
        self.min_iv = min_iv
        self.C = C
        self.base_points = base_points
        self.base_odds = base_odds
        self.pdo = pdo
        self.min_category_share = min_category_share
        self.categorical = categorical
        self.monotonic = monotonic
        self.turns = turns
        self.woe_prior = woe_prior
        self.recalibrate = recalibrate
        self.ramps = ramps
        self.cv = cv
        self.random_state = random_state

    def fit(self, X: pd.DataFrame, y: pd.Series | np.ndarray) -> Scorecard:
        if self.pdo <= 0 or self.base_odds <= 0:
            raise ValueError(
                f"pdo and base_odds must be positive; got {self.pdo}, {self.base_odds}"
            )
        if not isinstance(self.cv, int) or self.cv < 2:
            raise ValueError(f"cv must be an integer of at least 2; got {self.cv!r}")
        if self.turns not in (True, False, "auto"):
            raise ValueError(f"turns must be True, False or 'auto'; got {self.turns!r}")
        if self.max_bins != "auto" and (
            not isinstance(self.max_bins, int) or not 2 <= self.max_bins <= 20
        ):
            raise ValueError(f"max_bins must be 'auto' or 2 to 20; got {self.max_bins!r}")
        target = _check_target(y)
        if isinstance(X, pd.DataFrame):  # categories as text once, not in every card's steps
            reader = WoEBinner(categorical=self.categorical)
            X = X.copy()
            for column in [c for c in X.columns if reader.is_categorical(X[c])]:
                X[column] = category_text(X[column])
        best: tuple[float, WoEBinner, pd.DataFrame, float, float] | None = None
        first = best
        tried: list[dict[str, list[Bin]]] = []
        shared: dict[Hashable, Any] = {}  # what the cards' binners have in common
        warm: dict[int, dict[str | None, float]] = {}  # each fold's last weights, by column
        sizes = BIN_CHOICES if self.max_bins == "auto" else (self.max_bins,)
        turning = (False, True) if self.turns == "auto" else (bool(self.turns),)
        for bins, turns in ((b, t) for b in sizes for t in turning):
            binner = WoEBinner(
                bins,
                self.min_bin_share,
                min_category_share=self.min_category_share,
                categorical=self.categorical,
                monotonic=self.monotonic,
                turns=turns,
                woe_prior=self.woe_prior,
            )
            binner._fit(X, target, shared=shared)
            if binner.bins_ in tried:
                continue  # the same card as one tried (no column turned, or no more bins)
            tried.append(binner.bins_)
            informative = [  # at least two bins that hold rows
                c for c in binner.iv_.index if (binner.tables_[c]["count"] > 0).sum() > 1
            ]
            if not informative:
                raise ValueError("no characteristic separates goods from bads: nothing to score")
            self.binner_ = binner
            woe = self._crossfit_woe(X[informative], target)
            with threadpool_limits(limits=1, user_api="blas"):  # small matrices: threads cost
                # The first card searches the cut and penalty; the others are compared at its
                # choice, and the winner searches its own (a quarter of the fits).
                loss, cut, strength = self._choose(
                    woe, target, warm, at=None if first is None else (first[3], first[4])
                )
            candidate = (loss, binner, woe, cut, strength)
            first = candidate if first is None else first
            if best is None or loss < best[0]:
                best = candidate
        assert best is not None
        if best is not first:
            self.binner_ = best[1]
            with threadpool_limits(limits=1, user_api="blas"):
                best = (*best[:3], *self._choose(best[2], target, warm)[1:])
        _, self.binner_, woe, self.min_iv_, self.C_ = best
        self.features_ = [c for c in woe.columns if self.binner_.iv_[c] >= self.min_iv_]
        if not self.features_:
            raise ValueError(f"min_iv must leave at least one characteristic; got {self.min_iv}")
        with threadpool_limits(limits=1, user_api="blas"):  # as in tuning: threads cost
            self.model_ = LogisticRegression(C=self.C_, solver="newton-cholesky").fit(
                woe[self.features_], target
            )
        self.ramps_: dict[str, dict[str, Any]] = {}
        if self.ramps:
            self._fit_ramps(X, woe, target)
        elif self.recalibrate:
            self._recalibrate(woe[self.features_].to_numpy(), target)
        self.classes_ = np.array([0, 1])
        self.factor_ = self.pdo / np.log(2)
        self.offset_ = self.base_points - self.factor_ * np.log(self.base_odds)
        self.points_table_ = self._points_table()
        return self

    def _folds(self, target: np.ndarray) -> tuple[tuple[np.ndarray, ...], ...]:
        folds = min(self.cv, int(np.bincount(target).min()))
        if folds < 2:
            raise ValueError("y must hold at least two goods and two bads")
        return stratified_folds(target, folds, self.random_state)

    def _crossfit_woe(self, X: pd.DataFrame, target: np.ndarray) -> pd.DataFrame:
        """Each row's WoE from the other folds' rows. A numeric column keeps the card's
        bins throughout; a category column is grouped again on the other folds' rows,
        since its grouping follows the labels (categories are ordered by their bad rate):
        a category those rows never saw gets a WoE of 0, as in scoring."""
        out = {}
        folds = self._folds(target)
        for column in X.columns:
            values = X[column]
            if self.binner_.is_categorical(values):
                codes, names = category_codes(values)
                of_fold = [
                    self._fold_groups(codes, target, len(names), train) for train, _ in folds
                ]
            else:
                index = assign_bins(self.binner_.bins_[column], values)
                of_fold = [(index, len(self.binner_.bins_[column]))] * len(folds)
            woe = np.zeros(len(target))
            for (train, held), (index, bins) in zip(folds, of_fold, strict=True):
                count = np.bincount(index[train], minlength=bins).astype(float)
                bad = np.bincount(index[train], weights=target[train], minlength=bins)
                woe_of_bin = _woe(count - bad, bad, self.woe_prior)
                of_bin = np.append(woe_of_bin, 0.0)  # index -1: never seen
                woe[held] = of_bin[index[held]]
            out[column] = woe
        return pd.DataFrame(out, index=X.index)

    def _fold_groups(
        self, codes: np.ndarray, target: np.ndarray, levels: int, train: np.ndarray
    ) -> tuple[np.ndarray, int]:
        """Every row's bin when the categories are grouped on the `train` rows alone, and
        the number of bins (missing values last, if `train` has any); -1 where unseen."""
        groups = self.binner_._category_groups(codes[train], target[train], levels)
        of_code = np.full(levels + 1, -1)  # the last place is code -1: missing
        for k, group in enumerate(groups):
            of_code[group] = k
        bins = len(groups)
        if (codes[train] < 0).any():
            of_code[-1], bins = bins, bins + 1
        return of_code[codes], bins

    def _ramp_columns(self, X: pd.DataFrame) -> dict[str, dict[str, Any]]:
        """The continuous characteristics (numeric, more values than `initial_bins`, a trend
        other than "none"), each with its knots (the 1st and 99th percentiles and the card's
        bin edges between; a valley's or peak's turn, the middle of its lowest or highest
        bin, too) and the way the log-odds of bad may run over each segment between them
        (+1 up, -1 down): the way the card's own points run."""
        beta = dict(zip(self.features_, self.model_.coef_[0], strict=True))
        out = {}
        for column in self.features_:
            values = X[column]
            shape = self.binner_.shapes_.get(column, "none")
            if self.binner_.is_categorical(values) or shape == "none":
                continue
            x = values.to_numpy(dtype=float)
            present = x[~np.isnan(x)]
            if len(np.unique(present)) <= self.binner_.initial_bins:
                continue
            low, high = np.quantile(present, [0.01, 0.99])
            ranges = [b for b in self.binner_.bins_[column] if b.label != MISSING]
            edges = [b.high for b in ranges if b.high is not None and low < b.high < high]
            knots = np.unique([low, *edges, high])
            if len(knots) < 2:
                continue
            flip = 1.0 if beta[column] <= 0 else -1.0  # WoE is ln(good / bad)
            middle = (knots[:-1] + knots[1:]) / 2
            if shape in ONE_WAY:
                way = np.full(len(middle), flip * (1.0 if shape == "increasing" else -1.0))
            else:
                rates = self.binner_.tables_[column]["bad_rate"].to_numpy()[: len(ranges)]
                turned = ranges[int(np.argmin(rates) if shape == "valley" else np.argmax(rates))]
                left = knots[0] if turned.low is None else turned.low
                right = knots[-1] if turned.high is None else turned.high
                turn = float(np.clip((left + right) / 2, knots[0], knots[-1]))
                knots = np.unique([*knots, turn])
                middle = (knots[:-1] + knots[1:]) / 2
                before = flip * (-1.0 if shape == "valley" else 1.0)
                way = np.where(middle < turn, before, -before)
            out[column] = {"knots": knots, "way": way, "missing": bool(np.isnan(x).any())}
        return out

    @staticmethod
    def _ramp_basis(spec: dict[str, Any], values: pd.Series) -> np.ndarray:
        """r_i(x) = clip((x - t_i) / (t_i+1 - t_i), 0, 1) for each segment, and a column of
        missing values (ramps 0) when the column had any."""
        x = pd.to_numeric(values, errors="coerce").to_numpy(dtype=float)
        missing = np.isnan(x)
        knots = spec["knots"]
        ramps = np.clip(
            (np.where(missing, knots[0], x)[:, None] - knots[:-1]) / np.diff(knots), 0, 1
        )
        return np.column_stack([ramps, missing.astype(float)]) if spec["missing"] else ramps

    def _fit_ramps(self, X: pd.DataFrame, woe: pd.DataFrame, target: np.ndarray) -> None:
        """A second card, fitted jointly: each continuous characteristic as a monotone
        piecewise-linear function (ramps between its knots, weights bounded to the way its
        points run) in place of its bins, every other characteristic its cross-fitted WoE;
        the ridge penalty among the card's C times `RAMP_C` by cross-validated log-loss. The
        two cards' out-of-fold log-odds are blended (`BLENDS`, the ramp card's share) and
        rescaled (the Platt step) by the lowest log-loss; all of it is folded into the card:
        its bins' weights, and the points each continuous characteristic adds between knots
        (`ramps_`, log-odds of bad at each knot, linear between, flat beyond)."""
        specs = self._ramp_columns(X)
        steps = woe[self.features_].to_numpy()
        folds = self._folds(target)
        with threadpool_limits(limits=1, user_api="blas"):
            step_oof = np.zeros(len(target))
            step_weights = []
            for train, held in folds:
                weights = ridge_logistic(steps[train], target[train], C=self.C_)
                step_oof[held] = weights[0] + steps[held] @ weights[1:]
                step_weights.append(dict(zip((None, *self.features_), weights, strict=True)))
            if not specs:
                self._platt(step_oof, target, 0.0, None, None, [])
                return
            kept = [c for c in self.features_ if c not in specs]
            blocks = [np.ones((len(target), 1)), woe[kept].to_numpy()]
            lower, upper = [-np.inf] * (1 + len(kept)), [np.inf] * (1 + len(kept))
            for column, spec in specs.items():
                blocks.append(self._ramp_basis(spec, X[column]))
                lower += [0.0 if w > 0 else -np.inf for w in spec["way"]]
                upper += [np.inf if w > 0 else 0.0 for w in spec["way"]]
                if spec["missing"]:
                    lower.append(-np.inf)
                    upper.append(np.inf)
            design = np.column_stack(blocks)
            bounds = list(zip(lower, upper, strict=True))
            best: tuple[float, float, np.ndarray] | None = None
            starts = []  # each fold's step card's weights, ramps flat: fewer steps than none
            for of_column in step_weights:
                start = np.zeros(design.shape[1])
                start[: 1 + len(kept)] = [of_column[c] for c in (None, *kept)]
                starts.append(start)
            for factor in RAMP_C:
                oof, total = np.zeros(len(target)), 0.0
                for k, (train, held) in enumerate(folds):
                    starts[k] = _bounded_logistic(
                        design[train], target[train], self.C_ * factor, bounds, starts[k]
                    )
                    oof[held] = design[held] @ starts[k]
                    total += mean_log_loss(target[held], oof[held])
                if best is None or total < best[0]:
                    best = (total, self.C_ * factor, oof)
            assert best is not None
            _, strength, ramp_oof = best
            weights = _bounded_logistic(design, target, strength, bounds, np.mean(starts, axis=0))
            blend = min(BLENDS, key=lambda a: self._blend_loss(a, step_oof, ramp_oof, target))
            self._platt(step_oof, target, blend, ramp_oof, weights, kept, specs)

    def _blend_loss(
        self, share: float, step_oof: np.ndarray, ramp_oof: np.ndarray, target: np.ndarray
    ) -> float:
        z = (1 - share) * step_oof + share * ramp_oof
        if not self.recalibrate:
            return mean_log_loss(target, z)
        intercept, slope = ridge_logistic(z.reshape(-1, 1), target, C=1e6)
        return mean_log_loss(target, intercept + slope * z) if slope > 0 else np.inf

    def _platt(
        self,
        step_oof: np.ndarray,
        target: np.ndarray,
        share: float,
        ramp_oof: np.ndarray | None,
        weights: np.ndarray | None,
        kept: list[str],
        specs: dict[str, dict[str, Any]] | None = None,
    ) -> None:
        """Fold the blend `share` of the ramp card (its `weights`: intercept, the `kept`
        columns' WoE, then each spec's ramps) and the Platt step into the card."""
        z = step_oof if ramp_oof is None else (1 - share) * step_oof + share * ramp_oof
        intercept, slope = 0.0, 1.0
        if self.recalibrate:
            a, b = ridge_logistic(z.reshape(-1, 1), target, C=1e6)
            if b > 0:  # no ranking out of fold: leave the card as it is
                intercept, slope = float(a), float(b)
        self.slope_, self.blend_ = slope, float(share)
        coef = self.model_.coef_[0] * (1 - share)
        bias = self.model_.intercept_[0] * (1 - share)
        if share > 0 and weights is not None and specs:
            bias += share * weights[0]
            of_kept = dict(zip(kept, weights[1 : 1 + len(kept)], strict=True))
            coef = coef + share * np.array([of_kept.get(c, 0.0) for c in self.features_])
            at = 1 + len(kept)
            for column, spec in specs.items():
                n = len(spec["way"])
                w = weights[at : at + n]
                knots = spec["knots"]
                ramps = np.clip((knots[:, None] - knots[:-1]) / np.diff(knots), 0, 1)
                missing = float(weights[at + n]) if spec["missing"] else 0.0
                self.ramps_[column] = {
                    "knots": knots.tolist(),
                    "log_odds": (slope * share * (ramps @ w)).tolist(),
                    "missing": slope * share * missing,
                }
                at += n + spec["missing"]
        self.model_.coef_ = (slope * coef).reshape(1, -1)
        self.model_.intercept_ = np.array([slope * bias + intercept])

    def _ramp_log_odds(self, X: pd.DataFrame) -> np.ndarray:
        """What the continuous characteristics' ramps add to each row's log-odds of bad."""
        total = np.zeros(len(X))
        for column, ramp in self.ramps_.items():
            x = pd.to_numeric(X[column], errors="coerce").to_numpy(dtype=float)
            total += np.where(
                np.isnan(x), ramp["missing"], ramp_points(ramp["knots"], ramp["log_odds"], x)
            )
        return total

    def _recalibrate(self, woe: np.ndarray, target: np.ndarray) -> None:
        """Rescale the model's log-odds by a logistic regression of the outcome on the
        out-of-fold log-odds of the cross-fitting folds (slope and intercept)."""
        held_out = np.zeros(len(target))
        with threadpool_limits(limits=1, user_api="blas"):
            for train, held in self._folds(target):
                weights = ridge_logistic(woe[train], target[train], C=self.C_)
                held_out[held] = weights[0] + woe[held] @ weights[1:]
            intercept, slope = ridge_logistic(held_out.reshape(-1, 1), target, C=1e6)
        if slope <= 0:  # no ranking out of fold: leave the card as it is
            return
        self.slope_ = float(slope)
        self.model_.coef_ = self.model_.coef_ * slope
        self.model_.intercept_ = self.model_.intercept_ * slope + intercept

    def _choose(
        self,
        woe: pd.DataFrame,
        target: np.ndarray,
        warm: dict[int, dict[str | None, float]],
        *,
        at: tuple[float, float] | None = None,
    ) -> tuple[float, float, float]:
        """The cross-validated log-loss, IV cut and penalty of the best choice, searched one
        at a time: the penalty with every informative characteristic, then the cut with
        that penalty (a given `min_iv` or `C` is kept). With `at` (cut, penalty), only the
        log-loss there: how another card compares at the first card's choice.

        Each fold's fit starts from the last fit of the same columns, or else from `warm`,
        that fold's last weights of any card by column (None: the intercept), which it
        updates: a few Newton steps fewer than from no weights (same answers)."""
        cuts = IV_CUTS if self.min_iv == "auto" else (float(self.min_iv),)
        strengths = C_GRID if self.C == "auto" else (float(self.C),)
        if at is not None:
            cuts, strengths = (at[0],), (at[1],)
        folds = self._folds(target)
        iv = self.binner_.iv_

        values = woe.to_numpy()
        position = {c: i for i, c in enumerate(woe.columns)}

        starts: dict[tuple[int, tuple[str, ...]], np.ndarray] = {}  # the last fit's weights
        # Ones and the columns, split by fold once for every penalty tried on them.
        designs: dict[tuple[str, ...], list[tuple[np.ndarray, np.ndarray]]] = {}

        def loss(columns: list[str], strength: float) -> float:
            key = tuple(columns)
            if key not in designs:
                chosen = values[:, [position[c] for c in columns]]
                design = np.column_stack([np.ones(len(values)), chosen])
                designs[key] = [(design[train], design[held]) for train, held in folds]
            names = (None, *columns)
            total = 0.0
            for k, ((train, held), (fit_on, score_on)) in enumerate(
                zip(folds, designs[key], strict=True)
            ):
                start = starts.get((k, key))
                if start is None and k in warm:
                    start = np.array([warm[k].get(name, 0.0) for name in names])
                weights = _newton(fit_on, target[train], strength, 25, start, 1e-6)
                starts[(k, key)] = weights
                warm[k] = dict(zip(names, weights.tolist(), strict=True))
                total += mean_log_loss(target[held], score_on @ weights)
            return total

        everything = [c for c in woe.columns if iv[c] >= cuts[0]]
        if not everything:
            return np.inf, cuts[0], strengths[0]
        losses = {c: loss(everything, c) for c in strengths}
        strength = min(strengths, key=losses.__getitem__)
        if len(cuts) == 1:
            return losses[strength], cuts[0], strength
        kept = {cut: [c for c in woe.columns if iv[c] >= cut] for cut in cuts}
        sets = {tuple(columns): cut for cut, columns in reversed(kept.items()) if columns}
        scored = {columns: loss(list(columns), strength) for columns in sets}
        best = min(scored, key=scored.__getitem__)
        return scored[best], sets[best], strength

    def _points_table(self) -> pd.DataFrame:
        """Points of every bin of every characteristic (the score adds them and base_points_)."""
        rows = []
        for feature, beta in zip(self.features_, self.model_.coef_[0], strict=True):
            table = self.binner_.tables_[feature]
            ramp = self.ramps_.get(feature)
            for label, woe in zip(table["bin"], table["woe"], strict=True):
                log_odds = beta * woe + (ramp["missing"] if ramp and label == MISSING else 0.0)
                rows.append((feature, label, -self.factor_ * log_odds))
        self.base_points_ = float(self.offset_ - self.factor_ * self.model_.intercept_[0])
        # A continuous characteristic's points also run linearly between its knots.
        self.ramp_points_ = {
            feature: (ramp["knots"], [-self.factor_ * v for v in ramp["log_odds"]])
            for feature, ramp in self.ramps_.items()
        }
        table = pd.DataFrame(rows, columns=["feature", "bin", "points"])
        self.best_points_ = table.groupby("feature")["points"].max()
        for feature, (knots, points) in self.ramp_points_.items():
            bins = self.binner_.bins_[feature]
            of_bin = table[table["feature"] == feature]["points"].tolist()
            self.best_points_[feature] = best_points(bins, of_bin, knots, points)
        return table

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        check_is_fitted(self, "model_")
        log_odds = self.model_.decision_function(self.binner_.transform(X)[self.features_])
        bad = expit(log_odds + self._ramp_log_odds(X))
        return np.column_stack([1 - bad, bad])

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        return (self.predict_proba(X)[:, 1] >= 0.5).astype(int)

    def points(self, X: pd.DataFrame) -> pd.DataFrame:
        """Points per characteristic for every row (its bin's points), plus `score`, their
        sum with the base points."""
        check_is_fitted(self, "model_")
        labels = self.binner_.bin_labels(X)[self.features_]
        table = self.points_table_.set_index(["feature", "bin"])["points"]
        out = pd.DataFrame(index=X.index)
        for feature in self.features_:
            lookup = table.loc[feature]
            out[feature] = labels[feature].map(lookup).fillna(0.0).to_numpy()
            if feature in self.ramp_points_:
                knots, points = self.ramp_points_[feature]
                x = pd.to_numeric(X[feature], errors="coerce").to_numpy(dtype=float)
                out[feature] += np.where(np.isnan(x), 0.0, ramp_points(knots, points, x))
        out["score"] = out[self.features_].sum(axis=1) + self.base_points_
        return out

    def assess(self, X: pd.DataFrame, *, reasons: int = 4) -> pd.DataFrame:
        """PD, score, band and the top adverse-action reasons of each row.

        Columns: pd (of the rounded score: one score, one PD), score (rounded), band,
        reasons (list of "characteristic: bin" codes, largest shortfall against the
        characteristic's best bin first, only where points were lost).
        """
        check_is_fitted(self, "model_")
        points = self.points(X)
        best = self.best_points_
        labels = self.binner_.bin_labels(X)[self.features_]
        shortfall = best[self.features_].to_numpy() - points[self.features_].to_numpy()
        codes = []
        for row_gap, row_labels in zip(shortfall, labels.to_numpy(), strict=True):
            order = np.argsort(-row_gap, kind="stable")
            codes.append(
                [
                    f"{self.features_[i]}: {row_labels[i]}"
                    for i in order[:reasons]
                    if row_gap[i] > 1e-9
                ]
            )
        score = points["score"].round().astype(int).to_numpy()
        probability = pd_of_score(score, offset=self.offset_, factor=self.factor_)
        return pd.DataFrame(
            {
                "pd": probability,
                "score": score,
                "band": band_of_pd(probability),
                "reasons": codes,
            },
            index=X.index,
        )


def export_card(card: Scorecard) -> dict:
    """The fitted scorecard as plain data (bins, their points, the scaling): all it takes
    to score an applicant later, without the Python objects."""
    check_is_fitted(card, "model_")
    table = card.points_table_.set_index(["feature", "bin"])["points"]
    return {
        "ramps": {  # points linear between knots, flat beyond, added to the bin's
            feature: {"knots": [float(k) for k in knots], "points": [float(p) for p in points]}
            for feature, (knots, points) in card.ramp_points_.items()
        },
        "base_points": card.base_points_,
        "factor": float(card.factor_),
        "offset": float(card.offset_),
        "characteristics": {
            feature: [
                {
                    "label": b.label,
                    "low": b.low,
                    "high": b.high,
                    "categories": list(b.categories),
                    "points": float(table.loc[(feature, b.label)]),
                }
                for b in card.binner_.bins_[feature]
            ]
            for feature in card.features_
        },
    }

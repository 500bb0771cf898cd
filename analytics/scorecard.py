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

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin, TransformerMixin
from sklearn.linear_model import LogisticRegression
from sklearn.utils.validation import check_is_fitted

from vocabulary import BANDS

MISSING = "missing"
PD_BANDS = BANDS
PD_EDGES = (0.05, 0.15, 0.35)


@dataclass(frozen=True)
class Bin:
    label: str
    low: float | None = None  # numeric: low <= x < high
    high: float | None = None
    categories: tuple[str, ...] = ()


def _woe(good: np.ndarray, bad: np.ndarray) -> np.ndarray:
    """WoE with half a count added to every cell, so an all-good bin stays finite."""
    g = (good + 0.5) / (good.sum() + 0.5 * len(good))
    b = (bad + 0.5) / (bad.sum() + 0.5 * len(bad))
    return np.log(g / b)


def _check_target(y: pd.Series | np.ndarray) -> np.ndarray:
    values = np.asarray(y)
    if not np.isin(values, [0, 1]).all():
        raise ValueError("y must be 0 (good) or 1 (bad) for every row")
    if values.min() == values.max():
        raise ValueError("y must hold both goods and bads")
    return values.astype(int)


class WoEBinner(TransformerMixin, BaseEstimator):
    """Weight-of-evidence binning of every column of a DataFrame.

    Numeric columns start from up to `initial_bins` quantile ranges; neighbours are merged,
    the pair with the closest bad rates first, until the bad rate runs one way only, every
    bin holds at least `min_bin_share` of the rows and there are at most `max_bins`.
    Categorical columns are grouped the same way after sorting categories by bad rate.
    """

    def __init__(self, max_bins: int = 6, min_bin_share: float = 0.05, initial_bins: int = 20):
        self.max_bins = max_bins
        self.min_bin_share = min_bin_share
        self.initial_bins = initial_bins

    def _check_params(self) -> None:
        if not isinstance(self.max_bins, int) or self.max_bins < 2:
            raise ValueError(f"max_bins must be an integer of at least 2; got {self.max_bins!r}")
        if not 0 < self.min_bin_share < 0.5:
            raise ValueError(f"min_bin_share must be between 0 and 0.5; got {self.min_bin_share!r}")
        if not isinstance(self.initial_bins, int) or self.initial_bins < self.max_bins:
            raise ValueError(
                f"initial_bins must be an integer of at least max_bins; got {self.initial_bins!r}"
            )

    def fit(self, X: pd.DataFrame, y: pd.Series | np.ndarray) -> WoEBinner:
        self._check_params()
        if not isinstance(X, pd.DataFrame):
            raise ValueError(f"X must be a pandas DataFrame; got {type(X).__name__}")
        target = _check_target(y)
        self.feature_names_in_ = np.array(X.columns, dtype=object)
        self.bins_: dict[str, list[Bin]] = {}
        self.tables_: dict[str, pd.DataFrame] = {}
        for column in X.columns:
            values = X[column]
            numeric = pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(
                values
            )
            bins = (
                self._numeric_bins(values, target)
                if numeric
                else self._category_bins(values, target)
            )
            self.bins_[column] = bins
            self.tables_[column] = self._table(values, target, bins)
        self.iv_ = pd.Series(
            {c: float(t["iv"].sum()) for c, t in self.tables_.items()}
        ).sort_values(ascending=False)
        return self

    # -- numeric -----------------------------------------------------------------------
    def _numeric_bins(self, values: pd.Series, y: np.ndarray) -> list[Bin]:
        present = values.notna().to_numpy()
        x = values.to_numpy(dtype=float)[present]
        edges = np.unique(np.quantile(x, np.linspace(0, 1, self.initial_bins + 1)[1:-1]))
        groups = [list(range(i, i + 1)) for i in range(len(edges) + 1)]
        index = np.searchsorted(edges, x, side="right")
        stats = self._merge(index, y[present], groups, ordered=True)
        bins = []
        for group in stats:
            low = None if group[0] == 0 else float(edges[group[0] - 1])
            high = None if group[-1] == len(edges) else float(edges[group[-1]])
            bins.append(Bin(_range_label(low, high), low, high))
        if not present.all():
            bins.append(Bin(MISSING))
        return bins

    # -- categorical ---------------------------------------------------------------------
    def _category_bins(self, values: pd.Series, y: np.ndarray) -> list[Bin]:
        text = values.astype("string")
        present = text.notna().to_numpy()
        cats = text[present].to_numpy(dtype=object)
        frame = pd.DataFrame({"c": cats, "y": y[present]})
        order = frame.groupby("c")["y"].mean().sort_values().index.tolist()
        position = {c: i for i, c in enumerate(order)}
        groups = [[i] for i in range(len(order))]
        index = np.array([position[c] for c in cats])
        merged = self._merge(index, y[present], groups, ordered=False)
        bins = []
        for group in merged:
            members = tuple(order[i] for i in group)
            bins.append(Bin(", ".join(members), categories=members))
        if not present.all():
            bins.append(Bin(MISSING))
        return bins

    # -- merging -------------------------------------------------------------------------
    def _merge(
        self, index: np.ndarray, y: np.ndarray, groups: list[list[int]], *, ordered: bool
    ) -> list[list[int]]:
        """Merge neighbouring groups of initial bins until the rules hold: every bin big
        enough, at most `max_bins`, and (numeric) the bad rate running one way only."""
        counts = np.bincount(index, minlength=len(groups)).astype(float)
        bads = np.bincount(index, weights=y, minlength=len(groups)).astype(float)
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
        total = sum(count)
        while len(merged) > 1:
            n_, rate = np.array(count), np.array(bad) / np.array(count)
            gaps = np.abs(np.diff(rate))
            small = n_ < self.min_bin_share * total
            direction = 1.0
            if ordered and len(rate) > 2 and rate.std() > 0:
                direction = float(np.sign(np.corrcoef(np.arange(len(rate)), rate)[0, 1])) or 1.0
            wrong = (np.diff(rate) * direction < 0) if ordered else np.zeros(len(gaps), bool)
            if small.any():
                i = int(np.argmin(n_))
                if i == 0:
                    j = 0
                elif i == len(merged) - 1:
                    j = i - 1
                else:
                    j = i - 1 if gaps[i - 1] <= gaps[i] else i
            elif wrong.any():
                candidates = np.flatnonzero(wrong)
                j = int(candidates[np.argmin(gaps[candidates])])
            elif len(merged) > self.max_bins:
                j = int(np.argmin(gaps))
            else:
                break
            merged[j : j + 2] = [merged[j] + merged[j + 1]]
            count[j : j + 2] = [count[j] + count[j + 1]]
            bad[j : j + 2] = [bad[j] + bad[j + 1]]
        return merged

    # -- tables and transform --------------------------------------------------------------
    @staticmethod
    def _assign(bins: list[Bin], values: pd.Series) -> np.ndarray:
        """The bin index of every value; -1 where a category was never seen in fitting."""
        out = np.full(len(values), -1)
        missing = values.isna().to_numpy()
        has_missing = bins[-1].label == MISSING
        if bins[0].categories or (len(bins) == 1 and has_missing):
            text = values.astype("string")
            for k, b in enumerate(bins):
                if b.categories:
                    out[text.isin(b.categories).fillna(False).to_numpy()] = k
        else:
            x = pd.to_numeric(values, errors="coerce").to_numpy(dtype=float)
            for k, b in enumerate(bins):
                if b.label == MISSING:
                    continue
                inside = ~np.isnan(x)
                if b.low is not None:
                    inside &= x >= b.low
                if b.high is not None:
                    inside &= x < b.high
                out[inside] = k
        if has_missing:
            out[missing] = len(bins) - 1
        return out

    def _table(self, values: pd.Series, y: np.ndarray, bins: list[Bin]) -> pd.DataFrame:
        index = self._assign(bins, values)
        count = np.bincount(index, minlength=len(bins)).astype(float)
        bad = np.bincount(index, weights=y, minlength=len(bins)).astype(float)
        good = count - bad
        woe = _woe(good, bad)
        share_g = (good + 0.5) / (good.sum() + 0.5 * len(good))
        share_b = (bad + 0.5) / (bad.sum() + 0.5 * len(bad))
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
            index = self._assign(self.bins_[column], X[column])
            out[column] = np.where(index >= 0, woe[np.clip(index, 0, None)], 0.0)
        return pd.DataFrame(out, index=X.index)

    def bin_labels(self, X: pd.DataFrame) -> pd.DataFrame:
        """The bin label of every value (unseen categories: "unseen")."""
        check_is_fitted(self, "bins_")
        out = {}
        for column in self.feature_names_in_:
            labels = np.array([b.label for b in self.bins_[column]] + ["unseen"], dtype=object)
            out[column] = labels[self._assign(self.bins_[column], X[column])]
        return pd.DataFrame(out, index=X.index)


def readable_number(value: float) -> str:
    """A bin edge as people read it: 25,500, 103, 5.1, 0.35 (never 2.55e+04)."""
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.3g}"


def _range_label(low: float | None, high: float | None) -> str:
    if low is None and high is None:
        return "all"
    if low is None:
        return f"under {readable_number(high)}"  # type: ignore[arg-type]
    if high is None:
        return f"{readable_number(low)} or more"
    return f"{readable_number(low)} to under {readable_number(high)}"


_NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:e[+-]?\d+)?")


def readable_reason(code: str, labels: dict[str, str]) -> str:
    """A reason code ("amount: 3.78e+03 to < 6.85e+03", as models trained before the labels
    were written for people store them, or "amount: 3,780 to under 6,850") as a sentence
    part: "Amount: 3,780 to under 6,850". `labels` names the characteristics."""
    feature, _, label = code.partition(": ")
    if label and not label.startswith(tuple("<>-0123456789")):
        return f"{labels.get(feature, feature.replace('_', ' ').capitalize())}: {label}"
    text = _NUMBER.sub(lambda m: readable_number(float(m.group())), label.replace(",", ""))
    if text.startswith(">= "):
        text = f"{text[3:]} or more"
    text = text.replace("to < ", "to under ").removeprefix("< ").strip()
    if label.startswith("< "):
        text = f"under {text}"
    return f"{labels.get(feature, feature.replace('_', ' ').capitalize())}: {text}"


def band_of_pd(pd_values: np.ndarray | pd.Series) -> np.ndarray:
    """Risk band of each probability of default, with the app's band edges."""
    return np.array(PD_BANDS, dtype=object)[
        np.digitize(np.asarray(pd_values, dtype=float), PD_EDGES)
    ]


class Scorecard(ClassifierMixin, BaseEstimator):
    """WoE binning + logistic regression, scaled to points.

    `min_iv` drops characteristics that carry too little information (IV below it).
    """

    def __init__(
        self,
        max_bins: int = 6,
        min_bin_share: float = 0.05,
        min_iv: float = 0.02,
        C: float = 1.0,
        base_points: float = 600.0,
        base_odds: float = 50.0,
        pdo: float = 20.0,
    ):
        self.max_bins = max_bins
        self.min_bin_share = min_bin_share
        self.min_iv = min_iv
        self.C = C
        self.base_points = base_points
        self.base_odds = base_odds
        self.pdo = pdo

    def fit(self, X: pd.DataFrame, y: pd.Series | np.ndarray) -> Scorecard:
        if self.pdo <= 0 or self.base_odds <= 0:
            raise ValueError(
                f"pdo and base_odds must be positive; got {self.pdo}, {self.base_odds}"
            )
        target = _check_target(y)
        self.binner_ = WoEBinner(self.max_bins, self.min_bin_share).fit(X, target)
        chosen = self.binner_.iv_[self.binner_.iv_ >= self.min_iv].index.tolist()
        if not chosen:
            raise ValueError(f"min_iv must leave at least one characteristic; got {self.min_iv}")
        self.features_ = chosen
        woe = self.binner_.transform(X)[chosen]
        self.model_ = LogisticRegression(C=self.C, max_iter=1000).fit(woe, target)
        self.classes_ = np.array([0, 1])
        self.factor_ = self.pdo / np.log(2)
        self.offset_ = self.base_points - self.factor_ * np.log(self.base_odds)
        self.points_table_ = self._points_table()
        return self

    def _points_table(self) -> pd.DataFrame:
        """Points of every bin of every characteristic (the score adds them and base_points_)."""
        rows = []
        for feature, beta in zip(self.features_, self.model_.coef_[0], strict=True):
            table = self.binner_.tables_[feature]
            for label, woe in zip(table["bin"], table["woe"], strict=True):
                rows.append((feature, label, -self.factor_ * beta * woe))
        self.base_points_ = float(self.offset_ - self.factor_ * self.model_.intercept_[0])
        return pd.DataFrame(rows, columns=["feature", "bin", "points"])

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        check_is_fitted(self, "model_")
        return self.model_.predict_proba(self.binner_.transform(X)[self.features_])

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
        out["score"] = out[self.features_].sum(axis=1) + self.base_points_
        return out

    def assess(self, X: pd.DataFrame, *, reasons: int = 4) -> pd.DataFrame:
        """PD, score, band and the top adverse-action reasons of each row.

        Columns: pd, score (rounded), band, reasons (list of "characteristic: bin" codes,
        largest shortfall against the characteristic's best bin first, only where points
        were lost).
        """
        check_is_fitted(self, "model_")
        points = self.points(X)
        best = self.points_table_.groupby("feature")["points"].max()
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
        probability = self.predict_proba(X)[:, 1]
        return pd.DataFrame(
            {
                "pd": probability,
                "score": points["score"].round().astype(int),
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


def assess_with(exported: dict, X: pd.DataFrame, *, reasons: int = 4) -> pd.DataFrame:
    """`Scorecard.assess` from an exported card: the same PD, score, band and reasons."""
    points = {}
    code_ids = {}  # each row's "characteristic: bin" code, as an index into `names`
    names: list[str] = []
    best = {}
    for feature, spec in exported["characteristics"].items():
        bins = [Bin(b["label"], b["low"], b["high"], tuple(b["categories"])) for b in spec]
        index = WoEBinner._assign(bins, X[feature])
        index[index < 0] = len(spec)  # unseen: the last points (0) and the last code
        values = np.array([b["points"] for b in spec] + [0.0])
        points[feature] = values[index]
        code_ids[feature] = len(names) + index
        names += [f"{feature}: {b['label']}" for b in spec] + [f"{feature}: unseen"]
        best[feature] = max(b["points"] for b in spec)
    features = list(exported["characteristics"])
    total = np.sum([points[f] for f in features], axis=0) + exported["base_points"]
    odds_good = np.exp((total - exported["offset"]) / exported["factor"])
    probability = 1 / (1 + odds_good)
    # The largest gaps to each characteristic's best points, ties in feature order.
    gaps = np.column_stack([best[f] - points[f] for f in features])
    top = np.argsort(-gaps, axis=1, kind="stable")[:, :reasons]
    picked = np.take_along_axis(np.column_stack([code_ids[f] for f in features]), top, axis=1)
    picked = np.where(np.take_along_axis(gaps > 1e-9, top, axis=1), picked, -1)
    # Rows share few distinct reason lists: name each distinct one once.
    radix = (len(names) + 1) ** np.arange(picked.shape[1], dtype=np.int64)
    _, first, inverse = np.unique((picked + 1) @ radix, return_index=True, return_inverse=True)
    named = [[names[c] for c in picked[row] if c >= 0] for row in first]
    codes = [list(named[k]) for k in inverse.tolist()]
    return pd.DataFrame(
        {
            "pd": probability,
            "score": np.round(total).astype(int),
            "band": band_of_pd(probability),
            "reasons": codes,
        },
        index=X.index,
    )

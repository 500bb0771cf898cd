"""Tutor churn risk: a calibrated probability of leaving within 30 days, a 0-100 score, a
percentile, a band, and each tutor's own top factors.

The score is the probability in percent: "7" means a 7% chance of leaving within 30 days.
The percentile is the share of the tutors scored on the same date with a lower chance. The
bands are the retention team's call list (`bands_by_rank`): critical is this week's calls,
the tutors most likely to leave that the team's weekly capacity reaches; high is next
week's; medium the two weeks after; low everyone else.

A standardised logistic regression: its probabilities are calibrated by construction (and
checked by the Brier score and the calibration table), and a tutor's factor contributions
are exact, coefficient x that tutor's standardised value, not global importances.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score, brier_score_loss, roc_auc_score
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.validation import check_is_fitted

from analytics.tutor_features import FEATURES, LABELS, RISKY_WHEN
from vocabulary import BANDS

# Weeks of calls each band holds, riskiest first: critical is this week's calls, high next
# week's, medium the two weeks after.
CALL_WEEKS = {"critical": 1, "high": 1, "medium": 2}
CALLS_PER_WEEK = 40  # the estimator's default capacity
TUTORS_PER_CALL = 20  # the app's default: a call a week per 20 tutors employed


def default_calls(employed: int) -> int:
    """The weekly calls of a team with no capacity set: one per TUTORS_PER_CALL tutors."""
    return max(1, math.ceil(employed / TUTORS_PER_CALL))


def build_pipeline(C: float = 0.5) -> Pipeline:
    numeric = Pipeline(
        [
            ("impute", SimpleImputer(strategy="median", add_indicator=False)),
            ("scale", StandardScaler()),
        ]
    )
    return Pipeline(
        [
            ("features", ColumnTransformer([("numeric", numeric, FEATURES)])),
            ("model", LogisticRegression(C=C, max_iter=2000)),
        ]
    )


def score_of(probability: np.ndarray | pd.Series | list[float]) -> np.ndarray:
    return np.rint(np.asarray(probability, dtype=float) * 100).astype(int)


def bands_by_rank(
    probability: np.ndarray | pd.Series | list[float], *, calls: int, floor: float = 0.0
) -> np.ndarray:
    """The band of each of the tutors scored on one date: the `calls` most likely to leave
    are critical (this week's calls), the next `calls` high, the next 2 x `calls` medium, the
    rest low. Ties keep the given order. A tutor less likely to leave than `floor` (the
    average tutor's chance) is low wherever they rank: a small team is not all critical."""
    if not isinstance(calls, int | np.integer) or calls < 1:
        raise ValueError(f"calls must be a positive integer; got {calls!r}")
    p = np.asarray(probability, dtype=float)
    rank = np.empty(len(p), dtype=int)
    rank[np.argsort(-p, kind="stable")] = np.arange(len(p))
    ends = np.cumsum([weeks * calls for weeks in CALL_WEEKS.values()])
    tier = np.searchsorted(ends, rank, side="right")  # 0 critical .. 3 low
    bands = np.array(BANDS[::-1], dtype=object)[tier]
    bands[p < floor] = "low"
    return bands


def percentile_of(probability: np.ndarray | pd.Series | list[float]) -> np.ndarray:
    """For each tutor scored on one date, the share of them (0-99, %) with a lower chance of
    leaving: 96 reads "more likely to leave than 96% of tutors"."""
    p = np.asarray(probability, dtype=float)
    if not len(p):
        return np.zeros(0, dtype=int)
    below = np.searchsorted(np.sort(p), p, side="left")
    return np.floor(100 * below / len(p)).astype(int)


class TutorRiskModel(ClassifierMixin, BaseEstimator):
    """Estimator over FEATURES: fit(X, y) with y = left within 30 days (0/1).

    `calls_per_week` is the retention team's weekly capacity, which sets the bands
    (`bands_by_rank`) of the tutors `assess` and `predict` are given: one scoring date."""

    def __init__(self, C: float = 0.5, top_n: int = 3, calls_per_week: int = CALLS_PER_WEEK):
        self.C = C
        self.top_n = top_n
        self.calls_per_week = calls_per_week

    def fit(self, X: pd.DataFrame, y: pd.Series | np.ndarray) -> TutorRiskModel:
        if not isinstance(self.C, int | float) or self.C <= 0:
            raise ValueError(f"C must be a positive number; got {self.C!r}")
        if not isinstance(self.top_n, int) or self.top_n < 1:
            raise ValueError(f"top_n must be a positive integer; got {self.top_n!r}")
        if not isinstance(self.calls_per_week, int) or self.calls_per_week < 1:
            raise ValueError(
                f"calls_per_week must be a positive integer; got {self.calls_per_week!r}"
            )
        missing = [f for f in FEATURES if f not in X.columns]
        if missing:
            raise ValueError(f"X must have the columns of FEATURES; missing {missing}")
        labels = np.asarray(y).astype(int)
        if set(np.unique(labels)) != {0, 1}:
            raise ValueError(f"y must hold both 0 and 1; got {sorted(set(np.unique(labels)))}")
        self.pipeline_ = build_pipeline(self.C).fit(X[FEATURES], labels)
        self.base_rate_ = float(labels.mean())
        self.classes_ = np.array([0, 1])
        self.n_features_in_ = len(FEATURES)
        return self

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        check_is_fitted(self, "pipeline_")
        return self.pipeline_.predict_proba(X[FEATURES])

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        """1 for the tutors of one date on the next two weeks' calls (high or critical)."""
        return np.isin(self.bands(self.predict_proba(X)[:, 1]), ("high", "critical")).astype(int)

    def bands(self, probability: np.ndarray) -> np.ndarray:
        check_is_fitted(self, "pipeline_")
        return bands_by_rank(probability, calls=self.calls_per_week, floor=self.base_rate_)

    def contributions(self, X: pd.DataFrame) -> pd.DataFrame:
        """Each tutor's push on the log-odds from each feature, against the average tutor."""
        check_is_fitted(self, "pipeline_")
        scaled = self.pipeline_.named_steps["features"].transform(X[FEATURES])
        coef = self.pipeline_.named_steps["model"].coef_[0]
        return pd.DataFrame(scaled * coef, index=X.index, columns=FEATURES)

    def score(self, X: pd.DataFrame, y: Any = None, sample_weight: Any = None) -> float:
        """ROC AUC (the estimator's `score`, as scikit-learn's model selection expects)."""
        return float(roc_auc_score(y, self.predict_proba(X)[:, 1], sample_weight=sample_weight))

    def assess(self, X: pd.DataFrame) -> pd.DataFrame:
        """probability, score (0-100), percentile, band and top_factors (list of dicts) per
        row of X, the tutors scored on one date."""
        probability = self.predict_proba(X)[:, 1]
        pushes = self.contributions(X).to_numpy()
        # A factor is named where it pushes the risk up and the tutor's value lies the way
        # that reads as a reason to worry (RISKY_WHEN), never against it.
        scaled = self.pipeline_.named_steps["features"].transform(X[FEATURES])
        worry = np.array([{"high": 1, "low": -1}.get(RISKY_WHEN.get(f, ""), 0) for f in FEATURES])
        named = (pushes > 0) & ((worry == 0) | (np.sign(scaled) == worry))
        factors = []
        for push, values, shown in zip(pushes, X[FEATURES].to_numpy(), named, strict=True):
            ranked = np.argsort(-np.where(shown, push, -np.inf), kind="stable")
            order = [i for i in ranked[: self.top_n] if shown[i]]
            factors.append(
                [
                    {
                        "feature": FEATURES[i],
                        "label": LABELS[FEATURES[i]],
                        "value": _plain(values[i]),
                        "effect": round(float(push[i]), 3),
                    }
                    for i in order
                ]
            )
        return pd.DataFrame(
            {
                "probability": probability,
                "score": score_of(probability),
                "percentile": percentile_of(probability),
                "band": self.bands(probability),
                "top_factors": factors,
            },
            index=X.index,
        )


def _plain(value: float) -> float | None:
    return None if pd.isna(value) else round(float(value), 3)


@dataclass
class ModelCard:
    """How the model did on tutors and months it never saw."""

    version: str
    trained_on: str
    tested_on: str
    train_rows: int
    test_rows: int
    test_tutors: int
    positives_in_test: int
    roc_auc: float | None
    pr_auc: float | None
    brier: float | None
    base_rate: float
    calibration: list[dict[str, float]] = field(default_factory=list)
    reach: list[dict[str, float]] = field(default_factory=list)
    features: int = len(FEATURES)  # how many the model reads
    # The bands' weekly calls, and the call list at that capacity on the held-out tutors.
    calls_per_week: int = CALLS_PER_WEEK
    capacity: dict[str, float] = field(default_factory=dict)
    reach_curve: list[dict[str, float]] = field(default_factory=list)
    # The chance below which a tutor is low whatever their rank: the scoring model's base rate.
    band_floor: float | None = None
    # Demo data only: the generator's limits on the same held-out snapshots (ROC AUC of the
    # observable and of the decision limit) and the model's AUC as a fraction of each.
    limits: dict[str, float] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def calibration_table(
    y: np.ndarray, p: np.ndarray, bins: int = 5, *, leavers_per_bin: int = 10
) -> list[dict[str, float]]:
    """Predicted against observed leaving rate in bins of the prediction that each expect the
    same number of leavers (quantiles of the summed prediction), so that the low-risk bins
    are not left with no leaver to compare: at most `bins` bins, fewer when the held-out
    leavers are too few for `leavers_per_bin` each. Each row: predicted, observed, tutors
    (tutor-snapshots) and leavers."""
    order = np.argsort(p, kind="stable")
    y, p = np.asarray(y)[order], np.asarray(p, dtype=float)[order]
    count = int(max(1, min(bins, y.sum() // leavers_per_bin)))
    expected = np.cumsum(p) - p / 2  # each row's midpoint on the expected-leavers scale
    which = np.minimum((expected / max(p.sum(), 1e-12) * count).astype(int), count - 1)
    table = (
        pd.DataFrame({"y": y, "p": p, "bin": which})
        .groupby("bin")
        .agg(
            predicted=("p", "mean"),
            observed=("y", "mean"),
            tutors=("y", "size"),
            leavers=("y", "sum"),
        )
    )
    return [
        {str(k): round(float(v), 4) for k, v in row.items()} for row in table.to_dict("records")
    ]


CALL_SHARES = (0.01, 0.02, 0.05, 0.1, 0.2)
CURVE_SHARES = tuple(float(s) for s in np.round(np.linspace(0.01, 0.3, 30), 2))


def call_list(
    test: pd.DataFrame, p: np.ndarray, share: float | pd.Series, *, floor: float = 0.0
) -> tuple[float, float, float]:
    """Calling the `share` of tutors with the highest risk on each snapshot date (`as_of`),
    at least one (a share per date when `share` is a Series by date), none below `floor`:
    the share of the called who leave within 30 days (`left_30d`), the share of that
    date's leavers they are, and the share of tutors actually called (more than `share`
    when few tutors round up to one call), over all dates."""
    frame = test[["as_of", "left_30d"]].assign(p=p)
    called = leavers = reached = 0
    for date, day in frame.groupby("as_of"):
        fraction = float(share[date]) if isinstance(share, pd.Series) else share
        top = day.nlargest(max(1, round(len(day) * fraction)), "p")
        top = top[top["p"] >= floor]
        reached += int(top["left_30d"].sum())
        called += len(top)
        leavers += int(day["left_30d"].sum())
    return reached / max(called, 1), reached / max(leavers, 1), called / max(len(frame), 1)


def reach_table(
    test: pd.DataFrame, p: np.ndarray, shares: tuple[float, ...] = CALL_SHARES
) -> list[dict[str, float]]:
    """For each of `shares` that calls a different number of tutors: the share of tutors
    actually called, precision and recall of the call list, and its lift (precision over
    the base rate: how many times better than calling at random)."""
    base = float(test["left_30d"].mean())
    rows: list[dict[str, float]] = []
    for share in shares:
        precision, recall, called = call_list(test, p, share)
        if rows and round(called, 6) == round(rows[-1]["share"], 6):
            continue  # rounds to the same calls as the share before
        lift = precision / base if base else 0.0
        rows.append({"share": called, "precision": precision, "recall": recall, "lift": lift})
    return [{k: round(float(v), 4) for k, v in row.items()} for row in rows]


def held_out_split(
    frame: pd.DataFrame, *, split: pd.Timestamp, test_share: float = 0.3, seed: int = 0
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Train on snapshots whose 30-day outcome was known before `split` for most tutors; test
    on later snapshots of the other tutors (`test_share` of them, drawn with `seed`) only."""
    if not 0 < test_share < 1:
        raise ValueError(f"test_share must be between 0 and 1; got {test_share}")
    split = pd.Timestamp(split)
    tutors = np.sort(frame["tutor_id"].unique())
    held_out = set(
        np.random.default_rng(seed).choice(tutors, int(len(tutors) * test_share), replace=False)
    )
    is_test_tutor = frame["tutor_id"].isin(held_out)
    train = frame[~is_test_tutor & (frame["as_of"] + pd.Timedelta(days=30) <= split)]
    test = frame[is_test_tutor & (frame["as_of"] >= split)]
    return train, test


def evaluate(
    frame: pd.DataFrame,
    *,
    split: pd.Timestamp,
    test_share: float = 0.3,
    seed: int = 0,
    version: str = "",
    calls_per_week: int = CALLS_PER_WEEK,
    limits: Callable[[pd.DataFrame], dict[str, np.ndarray]] | None = None,
) -> tuple[ModelCard, TutorRiskModel]:
    """Time split on held-out tutors (`held_out_split`): the model card of a model trained on
    the earlier snapshots of most tutors and tested on the later ones of the others. The
    call list at capacity calls the same share of the held-out tutors of a date as
    `calls_per_week` is of all the tutors of a date. `limits`, on demo data, gives the
    generator's probabilities ("observable", "decision") for the held-out snapshots."""
    train, test = held_out_split(frame, split=split, test_share=test_share, seed=seed)
    model = TutorRiskModel(calls_per_week=calls_per_week).fit(train, train["left_30d"])
    p = model.predict_proba(test)[:, 1]
    y = test["left_30d"].to_numpy()
    scorable = len(set(y)) == 2  # with no leaver (or only leavers) there is nothing to rank

    card = ModelCard(
        version=version,
        trained_on=f"{train['as_of'].min():%Y-%m-%d} to {train['as_of'].max():%Y-%m-%d}",
        tested_on=f"{test['as_of'].min():%Y-%m-%d} to {test['as_of'].max():%Y-%m-%d}",
        train_rows=len(train),
        test_rows=len(test),
        test_tutors=int(test["tutor_id"].nunique()),
        positives_in_test=int(y.sum()),
        roc_auc=round(float(roc_auc_score(y, p)), 4) if scorable else None,
        pr_auc=round(float(average_precision_score(y, p)), 4) if scorable else None,
        brier=round(float(brier_score_loss(y, p)), 4),
        base_rate=round(float(y.mean()), 4),
        calibration=calibration_table(y, p) if scorable else [],
        reach=reach_table(test, p) if scorable else [],
        calls_per_week=calls_per_week,
        capacity=(
            capacity_reach(frame, test, p, calls_per_week, floor=model.base_rate_)
            if scorable
            else {}
        ),
        reach_curve=reach_table(test, p, CURVE_SHARES) if scorable else [],
    )
    given = limits(test) if scorable and limits is not None else {}
    if given and all(np.isfinite(q).all() for q in given.values()):  # else: not the generator's
        model_auc = float(roc_auc_score(y, p))
        for name, q in given.items():
            auc = float(roc_auc_score(y, q))
            card.limits[f"{name}_auc"] = round(auc, 4)
            card.limits[f"of_{name}"] = round(model_auc / auc, 4)
    return card, model


def capacity_reach(
    frame: pd.DataFrame,
    test: pd.DataFrame,
    p: np.ndarray,
    calls_per_week: int,
    *,
    floor: float = 0.0,
) -> dict[str, float]:
    """The critical band on the held-out tutors (`test`, `p`): on each date, the same share
    of them as `calls_per_week` is of all the tutors scored that date (in `frame`), none
    less likely to leave than `floor`; its precision, recall and lift."""
    everyone = frame.groupby("as_of").size()
    share = (calls_per_week / everyone).clip(upper=1.0)
    precision, recall, called = call_list(test, p, share, floor=floor)
    tutors = float(everyone[everyone.index.isin(test["as_of"])].mean())
    base = float(test["left_30d"].mean())
    return {
        "calls_per_week": float(calls_per_week),
        "tutors_per_date": round(tutors, 1),
        "share": round(called, 4),
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "lift": round(precision / base, 4) if base else 0.0,
    }


def newly_critical(scores: pd.DataFrame) -> pd.Series:
    """Tutors critical at the latest `as_of` of `scores` who were not at the one before
    (or were not scored then): the ids a risk alert names."""
    return newly_in(scores, ("critical",))


def newly_in(scores: pd.DataFrame, bands: tuple[str, ...]) -> pd.Series:
    """Tutors in one of `bands` at the latest `as_of` of `scores` who were in none of them at
    the one before (or were not scored then)."""
    dates = sorted(scores["as_of"].unique())
    if not dates:
        return pd.Series(dtype=int)
    latest = scores[scores["as_of"] == dates[-1]]
    now_in = set(latest.loc[latest["band"].isin(bands), "tutor_id"])
    if len(dates) > 1:
        before = scores[scores["as_of"] == dates[-2]]
        now_in -= set(before.loc[before["band"].isin(bands), "tutor_id"])
    return pd.Series(sorted(now_in), dtype=int)

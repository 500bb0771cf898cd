"""Tutor churn risk: a calibrated probability of leaving within 30 days, a 0-100 score, a band,
and each tutor's own top factors.

A standardised logistic regression: its probabilities are calibrated by construction (and
checked by the Brier score and the calibration table), and a tutor's factor contributions
are exact, coefficient x that tutor's standardised value, not global importances.
"""

from __future__ import annotations

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

from analytics.tutor_features import FEATURES, LABELS
from vocabulary import BANDS

# The risk score (0-100, the probability of leaving within 30 days in %) at which medium,
# high and critical begin. Bands follow the score people see, so a score has one band.
SCORE_EDGES = (5, 15, 35)


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


def band_of(probability: np.ndarray | pd.Series | list[float]) -> np.ndarray:
    """The band of each probability, read from its rounded score."""
    return np.array(BANDS)[np.searchsorted(SCORE_EDGES, score_of(probability), side="right")]


class TutorRiskModel(ClassifierMixin, BaseEstimator):
    """Estimator over FEATURES: fit(X, y) with y = left within 30 days (0/1)."""

    def __init__(self, C: float = 0.5, top_n: int = 3) -> None:
        self.C = C
        self.top_n = top_n

    def fit(self, X: pd.DataFrame, y: pd.Series | np.ndarray) -> TutorRiskModel:
        if not isinstance(self.C, int | float) or self.C <= 0:
            raise ValueError(f"C must be a positive number; got {self.C!r}")
        if not isinstance(self.top_n, int) or self.top_n < 1:
            raise ValueError(f"top_n must be a positive integer; got {self.top_n!r}")
        missing = [f for f in FEATURES if f not in X.columns]
        if missing:
            raise ValueError(f"X must have the columns of FEATURES; missing {missing}")
        labels = np.asarray(y).astype(int)
        if set(np.unique(labels)) != {0, 1}:
            raise ValueError(f"y must hold both 0 and 1; got {sorted(set(np.unique(labels)))}")
        self.pipeline_ = build_pipeline(self.C).fit(X[FEATURES], labels)
        self.classes_ = np.array([0, 1])
        self.n_features_in_ = len(FEATURES)
        return self

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        check_is_fitted(self, "pipeline_")
        return self.pipeline_.predict_proba(X[FEATURES])

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        return (score_of(self.predict_proba(X)[:, 1]) >= SCORE_EDGES[1]).astype(int)

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
        """probability, score (0-100), band and top_factors (list of dicts) per row of X."""
        probability = self.predict_proba(X)[:, 1]
        pushes = self.contributions(X)
        factors = []
        for push, values in zip(pushes.to_numpy(), X[FEATURES].to_numpy(), strict=True):
            order = [i for i in np.argsort(-push)[: self.top_n] if push[i] > 0]
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
                "band": band_of(probability),
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


def call_list(test: pd.DataFrame, p: np.ndarray, share: float) -> tuple[float, float, float]:
    """Calling the `share` of tutors with the highest risk on each snapshot date (`as_of`),
    at least one: the share of the called who leave within 30 days (`left_30d`), the share
    of that date's leavers they are, and the share of tutors actually called (more than
    `share` when few tutors round up to one call), over all dates."""
    frame = test[["as_of", "left_30d"]].assign(p=p)
    called = leavers = reached = 0
    for _, day in frame.groupby("as_of"):
        k = max(1, round(len(day) * share))
        reached += int(day.nlargest(k, "p")["left_30d"].sum())
        called += k
        leavers += int(day["left_30d"].sum())
    return reached / max(called, 1), reached / max(leavers, 1), called / max(len(frame), 1)


def reach_table(test: pd.DataFrame, p: np.ndarray) -> list[dict[str, float]]:
    """For each share of CALL_SHARES that calls a different number of tutors: the share of
    tutors actually called, precision and recall of the call list, and its lift (precision
    over the base rate: how many times better than calling at random)."""
    base = float(test["left_30d"].mean())
    rows: list[dict[str, float]] = []
    for share in CALL_SHARES:
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
) -> tuple[ModelCard, TutorRiskModel]:
    """Time split on held-out tutors (`held_out_split`): the model card of a model trained on
    the earlier snapshots of most tutors and tested on the later ones of the others."""
    train, test = held_out_split(frame, split=split, test_share=test_share, seed=seed)
    model = TutorRiskModel().fit(train, train["left_30d"])
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
    )
    return card, model


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

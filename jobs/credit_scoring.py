"""Train the credit scorecard on loans with a known outcome and score every application.

Part of `python -m beacon train`. The model card keeps a time-split evaluation (train on
the older three quarters of the outcomes, test on the newest quarter) of the scorecard and
of the gradient-boosting challenger, and the scorecard's 5-fold cross-validation on the
German credit data.
"""

from __future__ import annotations

import functools
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.model_selection import StratifiedKFold

from analytics.credit_features import FEATURES, SEASONING_DAYS, credit_features, outcomes
from analytics.credit_metrics import build_challenger, calibration_by_band, credit_metrics
from analytics.scorecard import Scorecard, export_card
from data import credit
from data.engine import connect, transaction
from jobs import credit_alerts

GERMAN = Path(__file__).resolve().parents[1] / "data" / "reference" / "germancredit.csv"
CATEGORICAL = ["purpose", "channel", "employment", "housing"]


class NotEnoughOutcomes(RuntimeError):
    pass


MIN_OUTCOMES = 20  # defaults, and good loans, the scorecard needs to learn from
FOLDS = Scorecard().cv  # the scorecard's cross-validation: each part needs this many of each


@dataclass(frozen=True)
class CreditRun:
    version: str
    metrics: dict
    scored: int
    seconds: float


@functools.cache
def german_cross_validation(folds: int = 5) -> dict[str, float]:
    """The scorecard's mean out-of-fold metrics on the German credit data (the same for
    every run of this code: computed once per process)."""
    frame = pd.read_csv(GERMAN)
    y = (frame.pop("creditability") == "bad").astype(int).to_numpy()
    results = []
    for train, test in StratifiedKFold(folds, shuffle=True, random_state=0).split(frame, y):
        card = Scorecard().fit(frame.iloc[train], y[train])
        results.append(credit_metrics(y[test], card.predict_proba(frame.iloc[test])[:, 1]))
    means = pd.DataFrame(results)[["roc_auc", "gini", "ks", "brier"]].mean()
    return {str(k): round(float(v), 4) for k, v in means.items()}


def run() -> CreditRun:
    started = time.perf_counter()
    with connect() as conn:
        applications = credit.applications_with_outcomes(conn=conn)
    if applications.empty:
        raise NotEnoughOutcomes("there are no applications to learn from")
    as_of = applications["applied_at"].max()
    X = credit_features(applications)
    y = outcomes(applications, as_of=as_of)
    known = y.notna().to_numpy()
    if y[known].sum() < MIN_OUTCOMES:
        raise NotEnoughOutcomes(
            f"only {int(y[known].sum())} defaults; at least {MIN_OUTCOMES} are needed"
        )
    goods = int((y[known] == 0).sum())
    if goods < MIN_OUTCOMES:  # a young book: defaults, but no loan judged good yet
        raise NotEnoughOutcomes(
            f"only {goods} good loans (repaid, or active {SEASONING_DAYS} days with no default "
            f"by {as_of:%Y-%m-%d}, the newest application); at least {MIN_OUTCOMES} are needed"
        )
    order = applications.loc[known, "applied_at"].sort_values().index
    split = int(len(order) * 0.75)
    older, newer = order[:split], order[split:]
    # A young book's good loans are its oldest (a year to season) and its newest outcomes
    # early defaults: each part needs both to learn from and to be tested on.
    parts = {"older": y.loc[older], "newer": y.loc[newer]}
    if any(min((part == 0).sum(), (part == 1).sum()) < FOLDS for part in parts.values()):
        counts = "; ".join(
            f"the {name} quarter{'s' * (name == 'older')}: {int((part == 0).sum())} good, "
            f"{int((part == 1).sum())} defaulted"
            for name, part in parts.items()
        )
        raise NotEnoughOutcomes(
            "the outcomes do not yet split into older ones to learn from and newer ones to "
            f"test on, with at least {FOLDS} good and {FOLDS} defaulted loans in each ({counts})"
        )
    card = Scorecard().fit(X.loc[older], y.loc[older].astype(int))
    p_test = card.predict_proba(X.loc[newer])[:, 1]
    y_test = y.loc[newer].astype(int).to_numpy()
    challenger = build_challenger(CATEGORICAL, [f for f in FEATURES if f not in CATEGORICAL])
    challenger.fit(X.loc[older], y.loc[older].astype(int))
    metrics = {
        "scorecard": credit_metrics(y_test, p_test),
        "challenger": credit_metrics(y_test, challenger.predict_proba(X.loc[newer])[:, 1]),
        "calibration": calibration_by_band(y_test, p_test).to_dict("records"),
        "german_credit_cv": dict(german_cross_validation()),
        "split": {
            "train": int(len(older)),
            "test": int(len(newer)),
            "test_from": str(applications.loc[newer[0], "applied_at"].date()),
        },
    }
    final = Scorecard().fit(X.loc[known], y[known].astype(int))
    metrics["characteristics"] = final.features_
    metrics["points"] = {"base_points": 600, "base_odds": 50, "pdo": 20}
    metrics["card"] = export_card(final)
    assessed = final.assess(X)
    scores = pd.DataFrame(
        {
            "application_id": applications["application_id"],
            "scored_at": [t.to_pydatetime() for t in applications["applied_at"]],
            "pd": assessed["pd"].to_numpy(),
            "score": assessed["score"].to_numpy(),
            "band": assessed["band"].to_numpy(),
            "reason_codes": [[{"code": c} for c in r] for r in assessed["reasons"]],
        }
    )
    trained_at = datetime.now(UTC)
    version = f"scorecard-{trained_at:%Y%m%d-%H%M%S-%f}"
    with transaction() as conn:
        model_id = credit.store_model(
            conn=conn, version=version, trained_at=trained_at, metrics=_plain(metrics)
        )
        stored = credit.store_scores(conn=conn, model_id=model_id, scores=scores)
    credit_alerts.run()  # falling scores and late payments reach the watchlist at once
    return CreditRun(version, metrics, stored, time.perf_counter() - started)


def _plain(value):  # type: ignore[no-untyped-def]
    """JSON-safe copy (numpy numbers become Python ones)."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    return value

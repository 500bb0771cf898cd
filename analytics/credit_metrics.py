"""How good a credit model is: ranking (ROC AUC, Gini, KS), accuracy (Brier) and calibration
by band; and the gradient-boosting challenger the scorecard is compared with."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.metrics import brier_score_loss, roc_auc_score, roc_curve
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OrdinalEncoder

from analytics.card import PD_BANDS, band_of_pd


def ks_statistic(y: np.ndarray, p: np.ndarray) -> float:
    """The largest gap between the cumulative shares of bads and goods over the scores."""
    fpr, tpr, _ = roc_curve(y, p)
    return float(np.max(tpr - fpr))


def credit_metrics(y: np.ndarray, p: np.ndarray) -> dict[str, float]:
    auc = float(roc_auc_score(y, p))
    return {
        "roc_auc": auc,
        "gini": 2 * auc - 1,
        "ks": ks_statistic(y, p),
        "brier": float(brier_score_loss(y, p)),
        "bad_rate": float(np.mean(y)),
        "n": int(len(y)),
    }


def calibration_by_band(y: np.ndarray, p: np.ndarray) -> pd.DataFrame:
    """Per risk band: applicants, mean predicted PD and the observed bad rate."""
    frame = pd.DataFrame({"band": band_of_pd(p), "p": p, "y": y})
    out = frame.groupby("band").agg(
        applicants=("y", "size"), predicted=("p", "mean"), observed=("y", "mean")
    )
    return out.reindex([b for b in PD_BANDS if b in out.index]).reset_index()


def build_challenger(categorical: list[str], numeric: list[str]) -> Pipeline:
    """Gradient boosting on the raw columns (categories as ordinal codes, unknown ones -1)."""
    encode = ColumnTransformer(
        [
            (
                "categories",
                OrdinalEncoder(
                    handle_unknown="use_encoded_value", unknown_value=-1, encoded_missing_value=-2
                ),
                categorical,
            ),
            ("numbers", "passthrough", numeric),
        ]
    )
    model = HistGradientBoostingClassifier(
        max_iter=200,
        learning_rate=0.05,
        max_leaf_nodes=15,
        l2_regularization=1.0,
        categorical_features=list(range(len(categorical))),
        random_state=0,
    )
    return Pipeline([("encode", encode), ("model", model)])

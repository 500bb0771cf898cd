"""Summaries too costly to compute per page view: computed from the data with `analytics/`,
kept in the shared cache until their area changes, and recomputed by the scheduled refresh.
Pages read them from here."""

from __future__ import annotations

import pandas as pd

from analytics.credit_features import credit_features
from analytics.credit_monitoring import (
    bad_rate_by_band,
    drift_since_training,
    score_quartiles_by_month,
)
from data import credit
from data.cache import cached
from data.engine import connect


@cached("credit")
def credit_monitoring(*, model_id: int, test_from: str) -> dict[str, pd.DataFrame]:
    """Drift (PSI per characteristic and of the score) since the model's test period began,
    score quartiles by month, and the bad rate by band by quarter, for one model's scores.

    Returns {"drift", "monthly", "bad_rates"}: frames of `analytics.credit_monitoring`.
    """
    with connect() as conn:
        applications = credit.applications_with_outcomes(conn=conn)
        scores = credit.model_scores(conn=conn, model_id=model_id).set_index("application_id")
    applications = applications[applications["application_id"].isin(scores.index)]
    score = scores.loc[applications["application_id"], "score"].reset_index(drop=True)
    applications = applications.reset_index(drop=True)
    drift = drift_since_training(
        credit_features(applications),
        score,
        applications["applied_at"],
        test_from=pd.Timestamp(test_from, tz="UTC"),
    )
    loans = applications[applications["loan_status"].notna()]
    bands = scores.loc[loans["application_id"], "band"]
    return {
        "drift": drift,
        "monthly": score_quartiles_by_month(score, applications["applied_at"]),
        "bad_rates": bad_rate_by_band(
            bands, loans["loan_status"] == "defaulted", loans["applied_at"]
        ),
    }

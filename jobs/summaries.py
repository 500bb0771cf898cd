"""Summaries too costly to compute per page view: computed from the data with `analytics/`,
kept in the database by the scheduled refresh (a model's monitoring report) and read by
the pages from here."""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd

from actions import webhooks
from analytics.credit_features import FEATURE_LABELS, credit_features
from analytics.credit_monitoring import (
    bad_rate_by_band,
    drift_since_training,
    drifting,
    score_quartiles_by_month,
)
from data import accounts, activity, credit
from data.engine import connect, transaction
from settings import get_settings


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
        "monthly": score_quartiles_by_month(
            score,
            applications["applied_at"],
            through=applications["applied_at"].max(),
            since=applications["applied_at"].min(),
        ),
        "bad_rates": bad_rate_by_band(
            bands,
            loans["loan_status"] == "defaulted",
            loans["applied_at"],
            loans["disbursed_on"],
            as_of=applications["applied_at"].max(),
        ),
    }


def keep_credit_monitoring(
    *, model_id: int, test_from: str
) -> tuple[dict[str, pd.DataFrame], datetime]:
    """Compute a model's monitoring report and keep it (the refresh does this each run). When
    a characteristic crosses the act threshold (BEACON_PSI_ACT) that had not in the report
    kept before, the admins and analysts are notified and the `credit.drift_high` webhook
    event goes out, in the same transaction: told once when it happens, not on every
    refresh, and never lost between the two."""
    frames = credit_monitoring(model_id=model_id, test_from=test_from)
    now = datetime.now(UTC)
    act = get_settings().psi_act
    with transaction() as conn:
        before = credit.monitoring_report(conn=conn, model_id=model_id)
        credit.store_monitoring_report(conn=conn, model_id=model_id, frames=frames, now=now)
        was = set(drifting(before[0]["drift"], act=act)) if before else set()
        newly = [f for f in drifting(frames["drift"], act=act) if f not in was]
        if newly:
            psi = frames["drift"].set_index("feature")["psi"]
            named = ", ".join(
                f"{FEATURE_LABELS.get(f, f.capitalize())} ({psi[f]:.2f})" for f in newly
            )
            activity.record_event(
                conn=conn,
                actor_id=None,
                area="system",  # a notification for staff, not a feed item for viewers
                verb="drifted",
                entity_type="model",
                entity_id=model_id,
                region_id=None,
                summary=f"Credit model drift: {named} moved beyond PSI {act:g} since "
                "training; retrain or review the scorecard.",
                now=now,
                notify=accounts.user_ids_with_roles(conn=conn, roles=("admin", "analyst")),
            )
            webhooks.emit(
                conn,
                event="credit.drift_high",
                region_id=None,
                now=now,
                data={
                    "model_id": model_id,
                    "threshold": act,
                    "drifting": [{"feature": f, "psi": float(psi[f])} for f in newly],
                },
            )
    return frames, now


def credit_monitoring_report(
    *, model_id: int, test_from: str
) -> tuple[dict[str, pd.DataFrame], datetime]:
    """The kept report and when it was computed; computed and kept now if there is none yet
    (a model trained since the last refresh)."""
    with connect() as conn:
        kept = credit.monitoring_report(conn=conn, model_id=model_id)
    return (
        kept if kept is not None else keep_credit_monitoring(model_id=model_id, test_from=test_from)
    )

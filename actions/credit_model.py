"""The active credit model as every score on the pages names it: its version and its drift
state under the thresholds in force (BEACON_PSI_WATCH, BEACON_PSI_ACT)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from analytics.credit_features import FEATURE_LABELS
from analytics.monitoring import psi_status
from data import credit
from data.engine import connect
from settings import get_settings


@dataclass(frozen=True)
class ModelStatus:
    version: str
    drift: str | None  # stable, watch or act; None before the first monitoring report
    worst: str | None  # the characteristic that drifted most
    worst_psi: float | None
    measured_at: datetime | None


def active_model_status() -> ModelStatus | None:
    """The active credit model's version and drift (from its kept monitoring report, which
    the refresh recomputes); None when there is no model yet."""
    with connect() as conn:
        model = credit.active_model(conn=conn)
        report = credit.monitoring_report(conn=conn, model_id=model["id"]) if model else None
    if model is None:
        return None
    if report is None or report[0]["drift"].empty:
        return ModelStatus(str(model["version"]), None, None, None, None)
    drift = report[0]["drift"].sort_values("psi", ascending=False)
    worst = drift.iloc[0]
    settings = get_settings()
    state = psi_status(float(worst["psi"]), watch=settings.psi_watch, act=settings.psi_act)
    feature = str(worst["feature"])
    return ModelStatus(
        version=str(model["version"]),
        drift=state,
        worst=FEATURE_LABELS.get(feature, feature.capitalize()),
        worst_psi=float(worst["psi"]),
        measured_at=report[1],
    )

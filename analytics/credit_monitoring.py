"""What the monitoring page shows: drift of every characteristic and of the score since
training, the score distribution over time, and the bad rate by band over time."""

from __future__ import annotations

import pandas as pd

from analytics.monitoring import PSI_ACT, drift_table

RECENT_DAYS = 90


def drift_since_training(
    features: pd.DataFrame, scores: pd.Series, applied_at: pd.Series, *, test_from: pd.Timestamp
) -> pd.DataFrame:
    """PSI of each feature and of the score: applications before `test_from` (what the model
    was validated against) against those of the last RECENT_DAYS."""
    newest = applied_at.max()
    baseline = applied_at < test_from
    recent = applied_at >= newest - pd.Timedelta(days=RECENT_DAYS)
    frame = features.assign(score=scores.to_numpy())
    return drift_table(frame[baseline.to_numpy()], frame[recent.to_numpy()])


def drifting(table: pd.DataFrame, *, act: float = PSI_ACT) -> list[str]:
    """The characteristics (or the score) whose PSI calls for action (above `act`)."""
    return table.loc[table["psi"] > act, "feature"].tolist()


def score_quartiles_by_month(scores: pd.Series, applied_at: pd.Series) -> pd.DataFrame:
    """Per month: the 25th, 50th and 75th percentile of the score and how many were scored."""
    month = applied_at.dt.tz_localize(None).dt.to_period("M").dt.start_time
    grouped = scores.groupby(month.to_numpy())
    out = pd.DataFrame(
        {
            "q25": grouped.quantile(0.25),
            "median": grouped.median(),
            "q75": grouped.quantile(0.75),
            "n": grouped.size(),
        }
    )
    return out.rename_axis("month").reset_index()


def bad_rate_by_band(bands: pd.Series, defaulted: pd.Series, applied_at: pd.Series) -> pd.DataFrame:
    """Per quarter of application and band: loans and the share that defaulted."""
    quarter = applied_at.dt.tz_localize(None).dt.to_period("Q").dt.start_time
    frame = pd.DataFrame(
        {"quarter": quarter.to_numpy(), "band": bands.to_numpy(), "bad": defaulted.to_numpy()}
    )
    out = frame.groupby(["quarter", "band"])["bad"].agg(loans="size", bad_rate="mean")
    return out.reset_index()

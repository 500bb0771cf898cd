"""What the monitoring page shows: drift of every characteristic and of the score since
training, the score distribution over time, and the bad rate by band over time."""

from __future__ import annotations

import pandas as pd

from analytics.credit_features import SEASONING_DAYS
from analytics.monitoring import PSI_ACT, drift_table
from vocabulary import BANDS

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


def score_quartiles_by_month(
    scores: pd.Series,
    applied_at: pd.Series,
    *,
    through: pd.Timestamp | None = None,
    since: pd.Timestamp | None = None,
) -> pd.DataFrame:
    """Per month: the 25th, 50th and 75th percentile of the score and how many were scored.
    With `through` (the newest application), a month it ends before the last day of is left
    out: December's first six days read as a month and as a dip in the scores. With `since`
    (the first application), so is a month it starts after the first day of."""
    day = applied_at.dt.tz_convert(None) if applied_at.dt.tz is not None else applied_at
    kept = pd.Series(True, index=applied_at.index)
    if through is not None:
        last_day = pd.Timestamp(through).tz_convert(None).normalize()
        whole = last_day if last_day.is_month_end else last_day - pd.offsets.MonthEnd(1)
        kept &= day < whole + pd.Timedelta(days=1)
    if since is not None:
        first_day = pd.Timestamp(since).tz_convert(None).normalize()
        whole = first_day if first_day.is_month_start else first_day + pd.offsets.MonthBegin(1)
        kept &= day >= whole
    scores, applied_at = scores[kept], applied_at[kept]
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


def bad_rate_by_band(
    bands: pd.Series,
    defaulted: pd.Series,
    applied_at: pd.Series,
    disbursed_on: pd.Series,
    *,
    as_of: pd.Timestamp,
) -> pd.DataFrame:
    """Per quarter of application and band: loans and the share that defaulted, for the
    quarters whose every loan was disbursed at least SEASONING_DAYS before `as_of` (the
    training label's seasoning). A newer quarter's loans have not had the time to default:
    its bad rate would read as an improvement that is only youth."""
    quarter = applied_at.dt.tz_localize(None).dt.to_period("Q").dt.start_time
    frame = pd.DataFrame(
        {
            "quarter": quarter.to_numpy(),
            "band": pd.Categorical(bands.to_numpy(), categories=BANDS, ordered=True),
            "bad": defaulted.to_numpy(),
            "disbursed": pd.to_datetime(disbursed_on).to_numpy(),
        }
    )
    cutoff = pd.Timestamp(as_of).tz_localize(None) - pd.Timedelta(days=SEASONING_DAYS)
    old_enough = frame.assign(old=frame["disbursed"] <= cutoff).groupby("quarter")["old"].all()
    frame = frame[frame["quarter"].isin(old_enough.index[old_enough])]  # no date: not seasoned
    counted = frame.groupby(["quarter", "band"], observed=True)["bad"].agg(
        loans="size", bad_rate="mean"
    )
    out = counted.reset_index()
    out["band"] = out["band"].astype(str)
    return out

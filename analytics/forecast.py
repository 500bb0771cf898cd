"""A straight-line trend with a widening band: small, explainable forecasts for weekly series."""

from __future__ import annotations

import numpy as np
import pandas as pd

Z80 = 1.2816  # two-sided 80% band of a normal error


def trend_forecast(
    history: pd.Series, *, future: pd.DatetimeIndex, window: int = 12
) -> pd.DataFrame:
    """Fit a least-squares line to the last `window` points of `history` (a float series on a
    DatetimeIndex) and extend it to the `future` dates.

    Returns columns: period (datetime64), value (float), kind ("actual" | "forecast"),
    low, high (the 80% band; equal to value for actual points). With fewer than three
    points there is no trend to speak of, and only the history comes back.
    """
    if window < 3:
        raise ValueError(f"window must be at least 3; got {window}")
    history = history.dropna().sort_index()
    actual = pd.DataFrame(
        {"period": history.index, "value": history.to_numpy(dtype=float), "kind": "actual"}
    )
    actual["low"] = actual["high"] = actual["value"]
    recent = history.iloc[-window:]
    if len(recent) < 3 or len(future) == 0:
        return actual
    origin = recent.index[0]
    x = (recent.index - origin).days.to_numpy(dtype=float)
    y = recent.to_numpy(dtype=float)
    slope, intercept = np.polyfit(x, y, 1)
    residual = y - (intercept + slope * x)
    sigma = float(np.sqrt((residual**2).sum() / (len(x) - 2)))
    xf = (future - origin).days.to_numpy(dtype=float)
    value = intercept + slope * xf
    # The band widens with the distance from the fitted points (prediction interval of OLS).
    spread = sigma * np.sqrt(1 + 1 / len(x) + (xf - x.mean()) ** 2 / ((x - x.mean()) ** 2).sum())
    ahead = pd.DataFrame(
        {
            "period": future,
            "value": value,
            "kind": "forecast",
            "low": value - Z80 * spread,
            "high": value + Z80 * spread,
        }
    )
    return pd.concat([actual, ahead], ignore_index=True)

"""`wide_table` is `pivot_table` for one column of values, only faster."""

import numpy as np
import pandas as pd
import pytest

from analytics.frames import wide_table


def frames() -> dict[str, pd.DataFrame]:
    rng = np.random.default_rng(4)
    days = pd.date_range("2026-10-01", periods=30, freq="D", tz="UTC")
    statuses = ["completed", "no_show", "cancelled"]
    daily = pd.DataFrame(
        [(d, s, int(rng.integers(0, 90))) for d in days for s in statuses if rng.random() > 0.2],
        columns=["day", "status", "sessions"],
    )
    daily["expected"] = rng.random(len(daily)) * 4
    daily = daily.sample(frac=1.0, random_state=1)  # unsorted, as a query may give them
    regions = pd.DataFrame(
        {
            "region_id": [3, 1, 2, 3, 1],
            "region": ["North", "East", "South", "North", "East"],
            "status": ["completed", "no_show", "completed", "completed", "completed"],
            "sessions": [5, 7, 0, 11, 2],
        }
    )
    return {"daily": daily, "regions": regions}


@pytest.mark.parametrize(
    "name, index, columns, values, how, fill",
    [
        ("daily", "day", "status", "sessions", "sum", 0),
        ("daily", "day", "status", "expected", "sum", 0.0),
        ("daily", "day", "status", "sessions", "mean", 0),
        ("daily", "status", "day", "expected", "mean", 0),
        ("regions", ["region_id", "region"], "status", "sessions", "sum", 0),
    ],
)
def test_the_same_frame_as_pivot_table(name, index, columns, values, how, fill):
    frame = frames()[name]
    expected = frame.pivot_table(
        index=index, columns=columns, values=values, aggfunc=how, fill_value=fill
    )
    got = wide_table(frame, index=index, columns=columns, values=values, how=how, fill_value=fill)
    pd.testing.assert_frame_equal(got, expected)

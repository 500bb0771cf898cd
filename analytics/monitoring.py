"""Population stability: how far recent applicants drifted from the training baseline.

PSI = sum over bins of (actual share - expected share) * ln(actual / expected).
Below 0.1 is stable, 0.1 to 0.25 is worth watching, above 0.25 calls for action (the usual
thresholds, and the defaults of BEACON_PSI_WATCH and BEACON_PSI_ACT).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

PSI_WATCH, PSI_ACT = 0.1, 0.25
EPSILON = 1e-4  # an empty bin counts as this share, so the logarithm stays finite


def psi_from_shares(expected: np.ndarray, actual: np.ndarray) -> float:
    e = np.clip(np.asarray(expected, dtype=float), EPSILON, None)
    a = np.clip(np.asarray(actual, dtype=float), EPSILON, None)
    return float(np.sum((a - e) * np.log(a / e)))


def psi(expected: pd.Series, actual: pd.Series, *, bins: int = 10) -> float:
    """PSI of one column: numeric columns in `bins` quantile bins of the baseline, other
    columns by category; missing values are a bin of their own."""
    if bins < 2:
        raise ValueError(f"bins must be at least 2; got {bins}")
    if pd.api.types.is_numeric_dtype(expected) and not pd.api.types.is_bool_dtype(expected):
        edges = np.unique(
            np.nanquantile(expected.to_numpy(dtype=float), np.linspace(0, 1, bins + 1)[1:-1])
        )

        def bucket(s: pd.Series) -> pd.Series:
            codes = np.searchsorted(edges, s.to_numpy(dtype=float), side="right").astype(object)
            codes[s.isna().to_numpy()] = "missing"
            return pd.Series(codes)

        e, a = bucket(expected), bucket(actual)
    else:
        e, a = (
            expected.astype("string").fillna("missing"),
            actual.astype("string").fillna("missing"),
        )
    keys = sorted(set(e) | set(a), key=str)
    shares_e = e.value_counts(normalize=True).reindex(keys, fill_value=0).to_numpy()
    shares_a = a.value_counts(normalize=True).reindex(keys, fill_value=0).to_numpy()
    return psi_from_shares(shares_e, shares_a)


def psi_status(value: float, *, watch: float = PSI_WATCH, act: float = PSI_ACT) -> str:
    return "stable" if value < watch else "watch" if value <= act else "act"


def with_status(
    table: pd.DataFrame, *, watch: float = PSI_WATCH, act: float = PSI_ACT
) -> pd.DataFrame:
    """A drift table's `status` under these thresholds (a kept report is read again under
    the thresholds in force now)."""
    return table.assign(status=table["psi"].map(lambda v: psi_status(v, watch=watch, act=act)))


def drift_table(baseline: pd.DataFrame, recent: pd.DataFrame) -> pd.DataFrame:
    """PSI and status (default thresholds) of every column the two frames share, worst
    first."""
    rows = [(c, psi(baseline[c], recent[c])) for c in baseline.columns if c in recent.columns]
    out = pd.DataFrame(rows, columns=["feature", "psi"])
    out["status"] = out["psi"].map(psi_status)
    return out.sort_values("psi", ascending=False, ignore_index=True)

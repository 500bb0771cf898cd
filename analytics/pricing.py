"""Risk-based pricing: rate = funding cost + expected loss (PD x LGD) + margin; and the
trade-off between approval volume and loss as the score cut-off moves."""

from __future__ import annotations

import numpy as np
import pandas as pd


def risk_rate(
    pd_: np.ndarray | float, *, funding_cost: float, lgd: float, margin: float
) -> np.ndarray:
    """The annual rate that covers funding, the expected loss and the margin."""
    for name, value in (("funding_cost", funding_cost), ("lgd", lgd), ("margin", margin)):
        if not 0 <= value <= 1:
            raise ValueError(f"{name} must be between 0 and 1; got {value}")
    return np.asarray(funding_cost + np.asarray(pd_, dtype=float) * lgd + margin)


def cutoff_tradeoff(applications: pd.DataFrame, *, cutoffs: list[int], lgd: float) -> pd.DataFrame:
    """For each score cut-off (approve at or above it): approval rate, approved volume, mean
    PD and expected loss of what is approved. `applications` has score, pd, amount."""
    rows = []
    total = len(applications)
    for cutoff in cutoffs:
        approved = applications[applications["score"] >= cutoff]
        volume = float(approved["amount"].sum())
        rows.append(
            {
                "cutoff": cutoff,
                "approval_rate": len(approved) / total if total else 0.0,
                "approved": len(approved),
                "volume": volume,
                "mean_pd": float(approved["pd"].mean()) if len(approved) else 0.0,
                "expected_loss": float((approved["pd"] * approved["amount"]).sum() * lgd),
            }
        )
    out = pd.DataFrame(rows)
    out["loss_rate"] = np.where(
        out["volume"] > 0, out["expected_loss"] / out["volume"].where(out["volume"] > 0, 1), 0.0
    )
    return out

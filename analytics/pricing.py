"""Risk-based pricing: rate = funding cost + expected loss (PD x LGD) + margin; and the
trade-off between approval volume and loss as the score cut-off moves."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from vocabulary import BANDS


def risk_rate(
    pd_: np.ndarray | float, *, funding_cost: float, lgd: float, margin: float
) -> np.ndarray:
    """The annual rate that covers funding, the expected loss and the margin."""
    for name, value in (("funding_cost", funding_cost), ("lgd", lgd), ("margin", margin)):
        if not 0 <= value <= 1:
            raise ValueError(f"{name} must be between 0 and 1; got {value}")
    return np.asarray(funding_cost + np.asarray(pd_, dtype=float) * lgd + margin)


SUMS = ("applications", "amount", "pd_sum", "pd_amount")


def summed(applications: pd.DataFrame) -> pd.DataFrame:
    """Per score (and band, when given) the sums the pricing views need: applications,
    amount, pd_sum and pd_amount (the same as `data.credit.score_sums` computes in SQL)."""
    keys = ["score", "band"] if "band" in applications else ["score"]
    rows = applications.assign(
        applications=1,
        pd_sum=applications["pd"],
        pd_amount=applications["pd"] * applications["amount"],
    )
    return rows.groupby(keys, as_index=False)[list(SUMS)].sum()


def cutoff_tradeoff(sums: pd.DataFrame, *, cutoffs: list[int], lgd: float) -> pd.DataFrame:
    """For each score cut-off (approve at or above it): approval rate, approved count and
    volume, mean PD and expected loss of what is approved. `sums` as `summed` makes."""
    by_score = sums.groupby("score")[list(SUMS)].sum().sort_index(ascending=False)
    # Running totals from the best score down: row k holds every score at or above it.
    above = np.vstack([np.zeros(len(SUMS)), by_score.cumsum().to_numpy(dtype=float)])
    taken = np.searchsorted(-by_score.index.to_numpy(), -np.asarray(cutoffs), side="right")
    count, volume, pd_sum, pd_amount = above[taken].T
    total = float(by_score["applications"].sum())
    approved = count.astype(int)
    out = pd.DataFrame(
        {
            "cutoff": cutoffs,
            "approval_rate": count / total if total else np.zeros(len(cutoffs)),
            "approved": approved,
            "volume": volume,
            "mean_pd": np.divide(pd_sum, count, out=np.zeros(len(cutoffs)), where=count > 0),
            "expected_loss": pd_amount * lgd,
        }
    )
    out["loss_rate"] = np.divide(
        out["expected_loss"], volume, out=np.zeros(len(cutoffs)), where=volume > 0
    )
    return out


def band_pricing(
    sums: pd.DataFrame,
    *,
    bands: tuple[str, ...],
    cutoff: int,
    funding_cost: float,
    lgd: float,
    margin: float,
) -> pd.DataFrame:
    """Per band with applications: applications, approval_rate at the cut-off, mean_pd,
    rate (the risk-based price) and expected_loss of what is approved."""
    columns = ["band", "applications", "approval_rate", "mean_pd", "rate", "expected_loss"]
    rows = []
    for band in bands:
        in_band = sums[sums["band"] == band]
        count = int(in_band["applications"].sum())
        if not count:
            continue
        taken = in_band[in_band["score"] >= cutoff]
        mean_pd = float(in_band["pd_sum"].sum()) / count
        rate = risk_rate(mean_pd, funding_cost=funding_cost, lgd=lgd, margin=margin)
        rows.append(
            {
                "band": band,
                "applications": count,
                "approval_rate": int(taken["applications"].sum()) / count,
                "mean_pd": mean_pd,
                "rate": float(rate),
                "expected_loss": float(taken["pd_amount"].sum() * lgd),
            }
        )
    return pd.DataFrame(rows, columns=columns)


BAND_ORDER = BANDS


def accepts(band: str, worst_band: str) -> bool:
    """The credit decision: a product lends to applicants whose band is no worse than its
    worst band."""
    for name, value in (("band", band), ("worst_band", worst_band)):
        if value not in BAND_ORDER:
            raise ValueError(f"{name} must be one of {BAND_ORDER}; got {value!r}")
    return BAND_ORDER.index(band) <= BAND_ORDER.index(worst_band)


def recommend_products(
    products: pd.DataFrame,
    *,
    band: str,
    pd_: float,
    amount: float,
    term_months: int,
    purpose: str,
    funding_cost: float,
    lgd: float,
    money: Callable[[float], str] = "{:,.0f}".format,
) -> pd.DataFrame:
    """Products that can lend this applicant this amount over this term: their band no worse
    than the product's worst band, the amount and the term inside the product's ranges.
    Ranked by fit (the same purpose first), then by price; each with its rate and a one-line
    reason. A product that cannot lend the amount or term is not listed at all.

    `products` has id, name, purpose, min_amount, max_amount, min_term_months,
    max_term_months, worst_band, margin. Returns those columns plus rate, fit, reason;
    `money` writes the amounts of the reason.
    """
    if band not in BAND_ORDER:
        raise ValueError(f"band must be one of {BAND_ORDER}; got {band!r}")
    lends = (
        products["min_amount"].le(amount)
        & products["max_amount"].ge(amount)
        & products["min_term_months"].le(term_months)
        & products["max_term_months"].ge(term_months)
    )
    open_to_band = [accepts(band, worst) for worst in products["worst_band"]]
    eligible = products[lends & pd.Series(open_to_band, index=products.index)].copy()
    if eligible.empty:
        return eligible.assign(rate=[], fit=[], reason=[])
    same_purpose = eligible["purpose"] == purpose
    eligible["rate"] = (
        risk_rate(pd_, funding_cost=funding_cost, lgd=lgd, margin=0) + eligible["margin"]
    )
    eligible["fit"] = same_purpose.astype(int)
    eligible["reason"] = [
        f"Open to the {band} band; lends {money(low)}–{money(high)} over "
        f"{row.min_term_months}–{row.max_term_months} months; "
        + ("for the same purpose." if match else f"for {str(row.purpose).replace('_', ' ')}.")
        for row, low, high, match in zip(
            eligible.itertuples(),
            eligible["min_amount"].astype(float),
            eligible["max_amount"].astype(float),
            same_purpose,
            strict=True,
        )
    ]
    return eligible.sort_values(["fit", "rate"], ascending=[False, True], ignore_index=True)

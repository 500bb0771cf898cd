"""What a loan still asks of its borrower: the level monthly instalment of its schedule and
the amount still to repay (instalments due and unpaid, plus those not yet due)."""

from __future__ import annotations

import numpy as np
import pandas as pd


def instalment(principal: pd.Series, annual_rate: pd.Series, term_months: pd.Series) -> pd.Series:
    """The level monthly payment that repays `principal` over `term_months` at `annual_rate`
    (an annuity; principal / term at a zero rate), rounded to the cent."""
    monthly = annual_rate.astype(float) / 12
    term = term_months.astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        level = principal * monthly / (1 - (1 + monthly) ** -term)
    return level.where(monthly > 0, principal / term).round(2)


def still_to_repay(loans: pd.DataFrame) -> pd.Series:
    """Per loan: what is due and unpaid on its scheduled instalments (`unpaid`, over the
    `scheduled` instalments it has rows for) plus the instalments it has no row for yet. A
    repaid loan owes nothing; a defaulted one the whole rest, which was not recovered."""
    missing = (loans["term_months"] - loans["scheduled"]).clip(lower=0)
    level = instalment(loans["principal"], loans["annual_rate"], loans["term_months"])
    owed = loans["unpaid"] + missing * level
    return owed.where(loans["status"] != "repaid", 0.0).round(2)

"""What a loan still owes: the level monthly instalment of its schedule and the principal
still outstanding after the instalments paid (the exposure, without future interest)."""

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


def balance(loans: pd.DataFrame) -> pd.Series:
    """Per loan (principal, annual_rate, term_months, status, paid: instalments paid), the
    principal still owed once its paid instalments have gone to interest and principal on the
    schedule. A missed instalment leaves its principal owed (its interest is not added). A
    repaid loan owes nothing; a defaulted one the principal it never repaid."""
    monthly = loans["annual_rate"].astype(float) / 12
    paid = loans["paid"].astype(float).clip(upper=loans["term_months"].astype(float))
    level = instalment(loans["principal"], loans["annual_rate"], loans["term_months"])
    growth = (1 + monthly) ** paid
    with np.errstate(divide="ignore", invalid="ignore"):
        owed = loans["principal"] * growth - level * (growth - 1) / monthly
    owed = owed.where(monthly > 0, loans["principal"] - level * paid)
    return owed.clip(lower=0).where(loans["status"] != "repaid", 0.0).round(2)

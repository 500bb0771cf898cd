"""What a loan still owes, on loans made by hand."""

import pandas as pd
import pytest

from analytics.loans import balance, instalment


def test_the_instalment_repays_the_principal_over_the_term():
    paid = instalment(pd.Series([12_000.0]), pd.Series([0.12]), pd.Series([24]))
    # 12,000 at 1% a month over 24 months: the textbook annuity.
    assert paid.iloc[0] == pytest.approx(564.88, abs=0.01)
    assert instalment(pd.Series([1_200.0]), pd.Series([0.0]), pd.Series([12])).iloc[0] == 100


def test_the_balance_is_the_principal_left_after_the_instalments_paid():
    """Month by month: each payment pays the month's interest first, the rest the principal.
    10,000 at 20% over 36 months owes 10,000 before any payment, not the 13,379 of every
    payment left (interest that has not accrued is not owed)."""
    loans = pd.DataFrame(
        {
            "principal": [10_000.0, 10_000.0, 1_200.0, 10_000.0, 10_000.0],
            "annual_rate": [0.20, 0.20, 0.0, 0.20, 0.20],
            "term_months": [36, 36, 12, 36, 36],
            "status": ["active", "active", "active", "repaid", "defaulted"],
            "paid": [0, 18, 5, 36, 18],
        }
    )
    level = instalment(loans["principal"], loans["annual_rate"], loans["term_months"]).iloc[0]
    left = 10_000.0
    for _ in range(18):
        left = left * (1 + 0.20 / 12) - level
    owed = balance(loans).tolist()
    assert owed[0] == 10_000.0 and owed[1] == pytest.approx(left, abs=0.05)
    assert owed[2] == 700.0  # no interest: 5 of 12 hundreds paid
    assert owed[3] == 0.0 and owed[4] == owed[1]  # repaid: nothing; defaulted: never repaid

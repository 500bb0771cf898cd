"""What a loan still asks of its borrower, on loans made by hand."""

import pandas as pd
import pytest

from analytics.loans import instalment, still_to_repay


def test_the_instalment_repays_the_principal_over_the_term():
    paid = instalment(pd.Series([12_000.0]), pd.Series([0.12]), pd.Series([24]))
    # 12,000 at 1% a month over 24 months: the textbook annuity.
    assert paid.iloc[0] == pytest.approx(564.88, abs=0.01)
    balance = 12_000.0
    for _ in range(24):
        balance = balance * 1.01 - paid.iloc[0]
    assert abs(balance) < 0.5  # cents of rounding over the term
    assert instalment(pd.Series([1_200.0]), pd.Series([0.0]), pd.Series([12])).iloc[0] == 100


def test_still_to_repay_is_the_unpaid_instalments_and_those_to_come():
    loans = pd.DataFrame(
        {
            "principal": [1_200.0, 1_200.0, 1_200.0, 1_200.0],
            "annual_rate": [0.0] * 4,
            "term_months": [12] * 4,
            "status": ["active", "active", "repaid", "defaulted"],
            # 5 due, 3 paid in full and one half: 150 unpaid; 7 more to come.
            # A schedule imported whole: 12 rows, 4 paid.
            # Repaid: nothing is owed, whatever its rows say.
            # Defaulted after 6: the 6 unpaid rows, and 6 never scheduled.
            "scheduled": [5, 12, 12, 6],
            "unpaid": [150.0, 800.0, 0.0, 300.0],
        }
    )
    assert still_to_repay(loans).tolist() == [850.0, 800.0, 0.0, 900.0]

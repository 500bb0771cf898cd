"""The applicant characteristics the credit scorecard sees, and the outcome it learns."""

from __future__ import annotations

import numpy as np
import pandas as pd

FEATURES = [
    "amount",
    "term_months",
    "purpose",
    "channel",
    "debt_to_income",
    "credit_history_months",
    "delinquencies_2y",
    "open_loans",
    "annual_income",
    "employment",
    "employment_years",
    "housing",
    "age",
    "amount_to_income",
]
# What each characteristic is called where people read it (reasons, model cards).
FEATURE_LABELS = {
    "amount": "Amount",
    "term_months": "Term (months)",
    "purpose": "Purpose",
    "channel": "Channel",
    "debt_to_income": "Debt to income",
    "credit_history_months": "Credit history (months)",
    "delinquencies_2y": "Delinquencies in 2 years",
    "open_loans": "Open loans",
    "annual_income": "Annual income",
    "employment": "Employment",
    "employment_years": "Years employed",
    "housing": "Housing",
    "age": "Age",
    "amount_to_income": "Amount to income",
}
assert set(FEATURE_LABELS) == set(FEATURES)
SEASONING_DAYS = 365  # an active loan this old with no default counts as good


def credit_features(applications: pd.DataFrame) -> pd.DataFrame:
    """FEATURES for each application row (from data.credit.applications_with_outcomes)."""
    year = applications["applied_at"].dt.year
    out = applications.assign(
        age=(year - applications["birth_year"]).astype(float),
        amount_to_income=applications["amount"]
        / applications["annual_income"].where(applications["annual_income"] > 0),
    )
    return out[FEATURES]


def outcomes(applications: pd.DataFrame, *, as_of: pd.Timestamp) -> pd.Series:
    """1 for a defaulted loan, 0 for one repaid or seasoned without default, NaN otherwise
    (declined, withdrawn, pending, or a loan too young to judge)."""
    status = applications["loan_status"]
    seasoned = applications["disbursed_on"] <= as_of.tz_localize(None) - pd.Timedelta(
        days=SEASONING_DAYS
    )
    good = (status == "repaid") | ((status == "active") & seasoned)
    return pd.Series(
        np.where(status == "defaulted", 1.0, np.where(good, 0.0, np.nan)), index=applications.index
    )

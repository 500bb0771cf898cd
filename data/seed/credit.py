"""Tuition-financing customers, applications, loans, repayments and the journey funnel.

A hidden default propensity comes from the applicant's features (debt to income,
delinquencies, open loans, credit history, employment, housing, the loan's size
against income) plus noise. The historical underwriting policy saw only a noisy
view of it, so approved loans still default, and defaulters miss their
repayments from a month onwards; a scorecard has a real signal to learn.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from data.seed.common import HISTORY_WEEKS, Scale, happened_by, person_names, rng_for
from data.seed.reference import PRODUCTS

EMPLOYMENT_RISK = {
    "employed": 0.0,
    "self_employed": 0.3,
    "student": 0.5,
    "unemployed": 1.1,
    "retired": 0.1,
}
HOUSING_RISK = {"own": -0.2, "rent": 0.25, "family": 0.1}
CHANNEL_RISK = {"web": 0.15, "mobile": 0.2, "partner_school": -0.25, "branch": 0.0}


def credit_frames(scale: Scale, seed: int, as_of: date) -> dict[str, pd.DataFrame]:
    rng = rng_for(seed, "credit")
    end = pd.Timestamp(as_of, tz="UTC")
    start = end - pd.Timedelta(weeks=HISTORY_WEEKS)
    customers = _customers(rng, scale, start, end)
    applications = _applications(rng, scale, customers, end)
    loans, repayments = _loans(rng, applications, customers, end)
    journey = _journey(rng, customers, applications, loans, until=happened_by(as_of))
    return {
        "credit_customers": customers.drop(columns=["age"]),
        "credit_applications": applications.drop(columns=["true_logit"]),
        "loans": loans,
        "repayments": repayments,
        "journey_events": journey,
    }


def _customers(rng, scale: Scale, start, end) -> pd.DataFrame:  # type: ignore[no-untyped-def]
    n = scale.customers
    employment = rng.choice(list(EMPLOYMENT_RISK), n, p=[0.55, 0.12, 0.22, 0.07, 0.04])
    age = np.where(employment == "student", rng.integers(18, 26, n), rng.integers(21, 66, n))
    years = np.where(
        np.isin(employment, ["student", "unemployed"]),
        0.0,
        np.minimum(rng.exponential(6, n), age - 18),
    ).round(1)
    income = np.exp(rng.normal(10.4, 0.45, n)) * np.where(employment == "student", 0.35, 1.0)
    created = start + pd.to_timedelta(rng.uniform(0, (end - start).days - 1, n), unit="D")
    return pd.DataFrame(
        {
            "id": np.arange(1, n + 1),
            "name": person_names(rng, n),
            "region_id": rng.integers(1, scale.regions + 1, n),
            "birth_year": end.year - age,
            "age": age,
            "annual_income": income.round(-2),
            "employment": employment,
            "employment_years": years,
            "housing": rng.choice(list(HOUSING_RISK), n, p=[0.35, 0.45, 0.2]),
            "channel": rng.choice(list(CHANNEL_RISK), n, p=[0.4, 0.3, 0.2, 0.1]),
            "created_at": created.floor("s"),
        }
    )


def _applications(rng, scale: Scale, customers: pd.DataFrame, end) -> pd.DataFrame:  # type: ignore[no-untyped-def]
    n_c, n = len(customers), scale.applications
    who = np.concatenate([np.arange(n_c), rng.integers(0, n_c, n - n_c)])
    c = customers.iloc[who].reset_index(drop=True)
    # First applications follow sign-up within days; repeat ones fall anywhere after it.
    room = (end - c["created_at"]).dt.total_seconds().to_numpy() / 86_400
    lag = np.where(
        np.arange(n) < n_c, np.minimum(rng.uniform(0, 3, n), room * 0.5), rng.uniform(0, room)
    )
    applied = c["created_at"] + pd.to_timedelta(lag, unit="D")
    product = rng.integers(0, len(PRODUCTS), n)
    p = PRODUCTS.iloc[product].reset_index(drop=True)
    amount = (p["min_amount"] + rng.beta(2, 3, n) * (p["max_amount"] - p["min_amount"])).round(-1)
    term = rng.integers(p["min_term_months"], p["max_term_months"] + 1)
    dti = np.clip(rng.beta(2.2, 6, n) + 0.1 * (c["employment"] == "student"), 0, 1.2)
    history = np.clip((c["age"] - 18) * 12 * rng.uniform(0.2, 1.0, n), 0, 480).round()
    delinq = rng.poisson(0.25 + 0.6 * dti)
    open_loans = rng.poisson(0.8, n)
    burden = np.log1p(amount / (c["annual_income"] / 12))
    true_logit = (
        -2.5
        + 3.2 * (dti - 0.25)
        + 0.55 * delinq
        + 0.18 * open_loans
        - 0.004 * history
        + c["employment"].map(EMPLOYMENT_RISK)
        + c["housing"].map(HOUSING_RISK)
        + c["channel"].map(CHANNEL_RISK)
        + 0.45 * burden
        - 0.012 * (c["age"] - 30)
        + rng.normal(0, 0.55, n)
    )
    dti_missing = rng.random(n) < 0.03
    history_missing = rng.random(n) < 0.05
    true_logit = true_logit + 0.35 * dti_missing
    # The past policy saw a noisy view of risk and approved roughly the best two thirds.
    policy = true_logit + rng.normal(0, 0.9, n)
    approved = policy < np.quantile(policy, 0.66)
    withdrawn = rng.random(n) < 0.03
    status = np.where(withdrawn, "withdrawn", np.where(approved, "approved", "declined"))
    decided = applied + pd.to_timedelta(rng.uniform(0.02, 3, n), unit="D")
    out = pd.DataFrame(
        {
            "id": np.arange(1, n + 1),
            "customer_id": c["id"],
            "product_id": product + 1,
            "applied_at": applied.dt.floor("s"),
            "amount": amount,
            "term_months": term,
            "purpose": p["purpose"],
            "channel": c["channel"],
            "debt_to_income": np.where(dti_missing, np.nan, dti.round(3)),
            "credit_history_months": pd.array(
                np.where(history_missing, np.nan, history), dtype="Int64"
            ),
            "delinquencies_2y": delinq,
            "open_loans": open_loans,
            "status": status,
            "decided_at": decided.where((status != "withdrawn") & (decided < end)).dt.floor("s"),
            "true_logit": true_logit,
        }
    )
    out.loc[out["decided_at"].isna() & (out["status"] != "withdrawn"), "status"] = "submitted"
    return out.sort_values("applied_at", kind="stable").assign(id=np.arange(1, n + 1))


def _loans(rng, applications, customers, end) -> tuple[pd.DataFrame, pd.DataFrame]:  # type: ignore[no-untyped-def]
    a = applications[applications["status"] == "approved"].reset_index(drop=True)
    disbursed = (
        a["decided_at"] + pd.to_timedelta(rng.integers(1, 10, len(a)), unit="D")
    ).dt.normalize()
    a = a[disbursed < end].reset_index(drop=True)
    disbursed = disbursed[disbursed < end].reset_index(drop=True)
    n = len(a)
    pd_12m = 1 / (1 + np.exp(-a["true_logit"].to_numpy()))
    pd_term = 1 - (1 - pd_12m) ** (a["term_months"].to_numpy() / 12)
    defaults = rng.random(n) < pd_term
    default_month = rng.integers(1, a["term_months"].to_numpy() + 1)
    rate = (0.05 + 0.3 * np.clip(pd_12m, 0, 0.5) + rng.normal(0, 0.005, n)).round(4)
    monthly = rate / 12
    term = a["term_months"].to_numpy()
    payment = (a["amount"] * monthly / (1 - (1 + monthly) ** -term)).round(2)

    k = np.concatenate([np.arange(1, t + 1) for t in term])
    loan_idx = np.repeat(np.arange(n), term)
    due = (
        disbursed.iloc[loan_idx].dt.tz_localize(None).to_numpy().astype("datetime64[M]")
        + k.astype("timedelta64[M]")
    ).astype("datetime64[D]")
    due = due + (disbursed.iloc[loan_idx].dt.day.to_numpy() - 1).astype("timedelta64[D]")
    today = np.datetime64(end.tz_localize(None).date())
    keep = due <= today
    loan_idx, k, due = loan_idx[keep], k[keep], due[keep]
    missed = defaults[loan_idx] & (k >= default_month[loan_idx])
    late = np.where(
        rng.random(len(k)) < 0.08 + 0.6 * pd_12m[loan_idx], rng.integers(1, 25, len(k)), 0
    )
    paid = np.where(missed, np.datetime64("NaT"), due + late.astype("timedelta64[D]"))
    paid = np.where(paid > today, np.datetime64("NaT"), paid)
    dpd = np.where(np.isnat(paid), (today - due).astype(int), late)
    repayments = pd.DataFrame(
        {
            "loan_id": loan_idx + 1,
            "due_on": pd.to_datetime(due).date,
            "amount_due": payment.to_numpy()[loan_idx],
            "paid_on": pd.Series(pd.to_datetime(paid)).dt.date.where(~np.isnat(paid), None),
            "amount_paid": np.where(np.isnat(paid), 0.0, payment.to_numpy()[loan_idx]),
            "days_past_due": dpd,
        }
    )
    repayments.insert(0, "id", np.arange(1, len(repayments) + 1))

    worst = (
        repayments.groupby("loan_id")["days_past_due"].max().reindex(np.arange(1, n + 1)).fillna(0)
    )
    count = repayments.groupby("loan_id").size().reindex(np.arange(1, n + 1)).fillna(0)
    last_due = repayments.groupby("loan_id")["due_on"].max().reindex(np.arange(1, n + 1))
    unpaid = (
        repayments["paid_on"]
        .isna()
        .groupby(repayments["loan_id"])
        .sum()
        .reindex(np.arange(1, n + 1))
    )
    defaulted = worst.to_numpy() >= 90
    # Repaid once every instalment is due and paid: 47 "repaid" loans still owed one.
    repaid = ~defaulted & (count.to_numpy() == term) & (unpaid.fillna(0).to_numpy() == 0)
    status = np.where(defaulted, "defaulted", np.where(repaid, "repaid", "active"))
    closed = last_due.where(status != "active", None).to_numpy()
    loans = pd.DataFrame(
        {
            "id": np.arange(1, n + 1),
            "application_id": a["id"],
            "customer_id": a["customer_id"],
            "disbursed_on": disbursed.dt.date,
            "principal": a["amount"],
            "annual_rate": rate,
            "term_months": term,
            "status": status,
            "closed_on": closed,
        }
    )
    return loans, repayments


def _journey(rng, customers, applications, loans, until) -> pd.DataFrame:  # type: ignore[no-untyped-def]
    first_app = applications.groupby("customer_id")["applied_at"].min()
    visits = rng.integers(1, 4, len(customers))
    cust = np.repeat(customers["id"].to_numpy(), visits)
    before = pd.to_timedelta(rng.uniform(0.1, 20, len(cust)), unit="D")
    visit_at = first_app.reindex(cust).reset_index(drop=True) - before
    channel_of = customers.set_index("id")["channel"]
    # Visitors who never applied: the top of the funnel.
    anon = len(applications) * 2
    anon_at = applications["applied_at"].sample(
        anon, replace=True, random_state=rng.integers(2**31)
    )
    anon_at = anon_at.reset_index(drop=True) - pd.to_timedelta(rng.uniform(1, 30, anon), unit="D")
    stages = [
        pd.DataFrame(
            {
                "customer_id": cust,
                "application_id": None,
                "stage": "visit",
                "channel": channel_of.reindex(cust).to_numpy(),
                "occurred_at": visit_at,
            }
        ),
        pd.DataFrame(
            {
                "customer_id": None,
                "application_id": None,
                "stage": "visit",
                "channel": rng.choice(list(CHANNEL_RISK), anon, p=[0.45, 0.35, 0.1, 0.1]),
                "occurred_at": anon_at,
            }
        ),
        applications.assign(stage="application", application_id=applications["id"])[
            ["customer_id", "application_id", "stage", "channel", "applied_at"]
        ].rename(columns={"applied_at": "occurred_at"}),
    ]
    approved = applications[applications["status"] == "approved"]
    stages.append(
        approved.assign(stage="approval", application_id=approved["id"])[
            ["customer_id", "application_id", "stage", "channel", "decided_at"]
        ].rename(columns={"decided_at": "occurred_at"})
    )
    apps = applications.set_index("id")
    for stage, rows, when in [
        ("disbursement", loans, pd.to_datetime(loans["disbursed_on"]).dt.tz_localize("UTC")),
        ("repaid", loans[loans["status"] == "repaid"], None),
        ("defaulted", loans[loans["status"] == "defaulted"], None),
    ]:
        at = when if when is not None else pd.to_datetime(rows["closed_on"]).dt.tz_localize("UTC")
        stages.append(
            pd.DataFrame(
                {
                    "customer_id": rows["customer_id"].to_numpy(),
                    "application_id": rows["application_id"].to_numpy(),
                    "stage": stage,
                    "channel": apps.loc[rows["application_id"], "channel"].to_numpy(),
                    "occurred_at": (at + pd.Timedelta(hours=12)).to_numpy(),
                }
            )
        )
    journey = pd.concat(stages, ignore_index=True)
    # A step dated today (a loan closed today) happened by now, not at noon still to come.
    happened = pd.to_datetime(journey["occurred_at"], utc=True).clip(upper=until)
    journey["occurred_at"] = happened.dt.floor("s")
    journey["customer_id"] = journey["customer_id"].astype("Int64")
    journey["application_id"] = journey["application_id"].astype("Int64")
    journey = journey.sort_values("occurred_at", kind="stable").reset_index(drop=True)
    journey.insert(0, "id", np.arange(1, len(journey) + 1))
    return journey

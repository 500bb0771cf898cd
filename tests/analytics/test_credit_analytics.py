"""Credit metrics, drift and pricing against hand-worked answers; the challenger on real data."""

import numpy as np
import pandas as pd
import pytest

from analytics.credit_metrics import (
    build_challenger,
    calibration_by_band,
    credit_metrics,
    ks_statistic,
)
from analytics.monitoring import drift_table, psi, psi_from_shares, psi_status
from analytics.pricing import band_pricing, cutoff_tradeoff, risk_rate, summed
from tests.analytics.test_scorecard import german  # noqa: F401 - the shared fixture


def test_ks_gini_and_brier_on_small_cases():
    assert ks_statistic(np.array([0, 1]), np.array([0.2, 0.8])) == pytest.approx(1.0)
    y = np.array([0, 0, 1, 1])
    p = np.array([0.1, 0.4, 0.35, 0.8])
    m = credit_metrics(y, p)
    assert m["roc_auc"] == pytest.approx(0.75) and m["gini"] == pytest.approx(0.5)
    # Cut at 0.35: bads above 2/2 = 1.0... at 0.8: 1/2 bads, 0 goods -> 0.5; at 0.35: 1, 0.5.
    assert m["ks"] == pytest.approx(0.5)
    assert m["brier"] == pytest.approx(np.mean((p - y) ** 2))


def test_calibration_by_band_compares_predicted_and_observed():
    p = np.array([0.02, 0.04, 0.1, 0.5])
    y = np.array([0, 0, 1, 1])
    table = calibration_by_band(y, p).set_index("band")
    assert table.index.tolist() == ["low", "medium", "critical"]
    assert (
        table.loc["low", "predicted"] == pytest.approx(0.03) and table.loc["low", "observed"] == 0
    )


def test_psi_of_known_shares_and_its_status():
    value = psi_from_shares(np.array([0.5, 0.5]), np.array([0.25, 0.75]))
    assert value == pytest.approx(0.25 * np.log(2) + 0.25 * np.log(1.5))
    assert psi_status(0.05) == "stable" and psi_status(0.2) == "watch" and psi_status(0.3) == "act"
    same = pd.Series(np.arange(1000.0))
    assert psi(same, same) == pytest.approx(0.0)
    shifted = psi(same, same + 300)
    assert shifted > 0.25
    cats = psi(pd.Series(["a"] * 50 + ["b"] * 50), pd.Series(["a"] * 25 + ["b"] * 75))
    assert cats == pytest.approx(value)
    table = drift_table(
        pd.DataFrame({"x": same, "c": ["a", "b"] * 500}),
        pd.DataFrame({"x": same + 300, "c": ["a", "b"] * 500}),
    )
    assert table["feature"].tolist() == ["x", "c"] and table["status"].tolist() == ["act", "stable"]


def test_bad_rates_by_band_show_only_quarters_whose_loans_are_a_year_old():
    """A young quarter's loans have not had the time to default: its bad rate is left out,
    not shown as an improvement. Bands come low first."""
    from analytics.credit_monitoring import bad_rate_by_band

    applied = pd.to_datetime(
        ["2025-01-10", "2025-02-01", "2025-03-30", "2025-04-02", "2025-06-01", "2025-07-01"],
        utc=True,
    )
    disbursed = pd.to_datetime(
        ["2025-01-20", "2025-02-10", "2025-04-10", "2025-04-12", "2025-06-20", "2025-07-05"]
    )

    def rates_on(day: str) -> pd.DataFrame:
        return bad_rate_by_band(
            pd.Series(["high", "low", "high", "critical", "low", "low"]),
            pd.Series([True, False, False, True, False, False]),
            pd.Series(applied),
            pd.Series(disbursed),
            as_of=pd.Timestamp(day, tz="UTC"),
        )

    rates = rates_on("2026-06-19")
    # Q1's last loan went out 2025-04-10, over a year before; Q2's on 2025-06-20, one day
    # short of a year; Q3's a fortnight short.
    assert set(rates["quarter"]) == {pd.Timestamp("2025-01-01")}
    assert rates[["band", "loans", "bad_rate"]].values.tolist() == [
        ["low", 1, 0.0],
        ["high", 2, 0.5],
    ]
    later = rates_on("2026-06-20")
    assert sorted(set(later["quarter"])) == [pd.Timestamp("2025-01-01"), pd.Timestamp("2025-04-01")]
    # A loan with no disbursement date holds its quarter back: it has not been out a year.
    undated = bad_rate_by_band(
        pd.Series(["low", "low"]),
        pd.Series([False, False]),
        pd.Series(pd.to_datetime(["2024-01-10", "2024-02-10"], utc=True)),
        pd.Series(pd.to_datetime(["2024-01-20", None])),
        as_of=pd.Timestamp("2026-06-20", tz="UTC"),
    )
    assert undated.empty


def test_risk_rate_and_the_cutoff_tradeoff():
    assert risk_rate(0.02, funding_cost=0.03, lgd=0.45, margin=0.02) == pytest.approx(0.059)
    with pytest.raises(ValueError, match="lgd must be between 0 and 1; got 1.5"):
        risk_rate(0.02, funding_cost=0.03, lgd=1.5, margin=0.02)
    apps = pd.DataFrame(
        {
            "score": [500, 550, 600, 650],
            "pd": [0.4, 0.2, 0.05, 0.01],
            "amount": [1000.0, 2000.0, 3000.0, 4000.0],
        }
    )
    out = cutoff_tradeoff(summed(apps), cutoffs=[500, 600], lgd=0.5).set_index("cutoff")
    assert out.loc[500, "approval_rate"] == 1.0 and out.loc[600, "approved"] == 2
    assert out.loc[600, "expected_loss"] == pytest.approx((0.05 * 3000 + 0.01 * 4000) * 0.5)
    assert out.loc[500, "volume"] == 10000.0
    assert out.loc[600, "mean_pd"] == pytest.approx(0.03)


def test_band_prices_come_from_each_bands_mean_pd_and_what_the_cutoff_approves():
    apps = pd.DataFrame(
        {
            "score": [500, 500, 620, 700],
            "band": ["high", "high", "medium", "low"],
            "pd": [0.3, 0.1, 0.05, 0.01],
            "amount": [1000.0, 3000.0, 2000.0, 5000.0],
        }
    )
    sums = summed(apps)
    assert sums.set_index(["score", "band"]).loc[(500, "high"), "applications"] == 2
    out = band_pricing(
        sums,
        bands=("low", "medium", "high", "critical"),
        cutoff=600,
        funding_cost=0.03,
        lgd=0.5,
        margin=0.02,
    ).set_index("band")
    assert list(out.index) == ["low", "medium", "high"]  # no critical application: no row
    assert out.loc["high", "mean_pd"] == pytest.approx(0.2)
    assert out.loc["high", "rate"] == pytest.approx(0.03 + 0.2 * 0.5 + 0.02)
    assert out.loc["high", "approval_rate"] == 0.0 and out.loc["high", "expected_loss"] == 0.0
    assert out.loc["low", "expected_loss"] == pytest.approx(0.01 * 5000 * 0.5)


@pytest.mark.slow
def test_the_challenger_trains_on_the_raw_german_columns(german):  # noqa: F811
    from sklearn.model_selection import cross_val_score

    X, y = german
    categorical = [c for c in X.columns if not pd.api.types.is_numeric_dtype(X[c])]
    numeric = [c for c in X.columns if c not in categorical]
    scores = cross_val_score(build_challenger(categorical, numeric), X, y, cv=5, scoring="roc_auc")
    assert scores.mean() > 0.72


def test_only_products_that_can_lend_the_amount_and_term_to_the_band_are_offered():
    from analytics.pricing import recommend_products

    products = pd.DataFrame(
        {
            "id": [1, 2, 3],
            "name": ["Flex", "Plus", "Micro"],
            "purpose": ["tuition", "tuition", "exam_prep"],
            "min_amount": [500, 2000, 100],
            "max_amount": [6000, 15000, 1200],
            "min_term_months": [3, 12, 2],
            "max_term_months": [12, 36, 6],
            "worst_band": ["high", "medium", "critical"],
            "margin": [0.035, 0.03, 0.06],
        }
    )
    args = {
        "pd_": 0.1,
        "amount": 3000,
        "term_months": 12,
        "purpose": "tuition",
        "funding_cost": 0.04,
        "lgd": 0.5,
    }
    medium = recommend_products(products, band="medium", **args)
    # Plus and Flex both lend 3,000 over 12 months for tuition: the cheaper (Plus) first.
    # Micro lends at most 1,200, so it is not offered at all.
    assert medium["name"].tolist() == ["Plus", "Flex"]
    assert medium["rate"].iloc[0] == pytest.approx(0.04 + 0.05 + 0.03)
    assert medium["reason"].iloc[0] == (
        "Open to the medium band; lends 2,000–15,000 over 12–36 months; for the same purpose."
    )
    high = recommend_products(products, band="high", **args)
    assert high["name"].tolist() == ["Flex"]  # Plus stops at medium
    assert recommend_products(products, band="critical", **args).empty
    small = recommend_products(
        products, band="critical", **(args | {"amount": 900, "term_months": 6})
    )
    assert small["name"].tolist() == ["Micro"]
    assert small["reason"].iloc[0].endswith("for exam prep.")
    with pytest.raises(ValueError, match="band must be one of"):
        recommend_products(products, band="gold", **args)


def test_the_funnel_and_its_conversions_by_channel():
    from analytics.credit_journey import conversion_by, funnel

    steps = pd.DataFrame(
        {
            "stage": [
                "visit",
                "application",
                "approval",
                "disbursement",
                "repaid",
                "defaulted",
                "application",
                "approval",
            ],
            "channel": ["web", "web", "web", "web", "web", "web", "branch", "branch"],
            "month": ["2026-01"] * 6 + ["2026-02"] * 2,
            "events": [100, 40, 30, 24, 12, 3, 10, 9],
        }
    )
    out = funnel(steps).set_index("stage")
    assert out["events"].tolist() == [100, 50, 39, 24, 12, 3]
    assert out.loc["application", "conversion"] == pytest.approx(0.5)
    assert out.loc["approval", "conversion"] == pytest.approx(39 / 50)
    assert out.loc["defaulted", "conversion"] == pytest.approx(3 / 24)
    assert pd.isna(out.loc["visit", "conversion"])
    channels = conversion_by(steps, "channel").set_index("channel")
    assert channels.loc["branch", "approval_rate"] == pytest.approx(0.9)
    assert (
        pd.isna(channels.loc["branch", "take_up"]) is False
        and channels.loc["branch", "take_up"] == 0
    )
    assert channels.loc["web", "take_up"] == pytest.approx(0.8)
    with pytest.raises(ValueError, match="by must be"):
        conversion_by(steps, "region")


def test_rules_catch_loans_at_their_threshold_and_the_watchlist_keeps_the_worst():
    from analytics.early_warning import triggered, watchlist

    behaviour = pd.DataFrame(
        {
            "loan_id": [1, 2, 3],
            "region_id": [1, 1, 2],
            "days_past_due": [95, 30, 0],
            "missed_payments": [3, 1, 0],
            "score_drop": [0, 45, 10],
        }
    )
    rules = pd.DataFrame(
        {
            "id": [1, 2, 3],
            "name": ["30 days late", "90 days late", "Score fell 40"],
            "metric": ["days_past_due", "days_past_due", "score_drop"],
            "threshold": [30, 90, 40],
            "severity": ["high", "critical", "medium"],
        }
    )
    hits = triggered(behaviour, rules)
    assert sorted(zip(hits["loan_id"], hits["rule_id"], strict=True)) == [
        (1, 1),
        (1, 2),
        (2, 1),
        (2, 3),
    ]
    listed = watchlist(behaviour, hits)
    assert listed["loan_id"].tolist() == [1, 2]
    assert listed["severity"].tolist() == ["critical", "high"]
    assert listed.loc[1, "rules"] == "30 days late, Score fell 40"
    with pytest.raises(ValueError, match="metric must be a column"):
        triggered(behaviour, rules.assign(metric="nonsense"))


def test_the_monthly_conversion_keeps_whole_months_only():
    from datetime import date

    from analytics.credit_journey import whole_months

    months = ["2025-12", "2026-01", "2026-06", "2026-11", "2026-12"]
    steps = pd.DataFrame(
        {"stage": "application", "channel": "web", "month": months, "events": [3, 5, 7, 9, 2]}
    )
    # A year back from 7 December 2026 starts on 7 December 2025: December 2025 is a part,
    # December 2026 is in progress; both are left out.
    kept = whole_months(steps, first=date(2025, 12, 7), today=date(2026, 12, 7))
    assert kept["month"].tolist() == ["2026-01", "2026-06", "2026-11"]
    # A period starting on the 1st keeps its first month.
    kept = whole_months(steps, first=date(2025, 12, 1), today=date(2026, 12, 7))
    assert kept["month"].tolist() == ["2025-12", "2026-01", "2026-06", "2026-11"]
    assert whole_months(steps.iloc[0:0], first=date(2025, 12, 1), today=date(2026, 12, 7)).empty


def test_score_quartiles_leave_out_a_month_the_data_does_not_reach_the_end_of():
    """Six days of December read as a month (and as a dip in the scores); a month is
    drawn once its last day has data."""
    from analytics.credit_monitoring import score_quartiles_by_month

    applied = pd.Series(
        pd.to_datetime(
            ["2026-10-03 08:00", "2026-10-31 09:00", "2026-11-02 10:00", "2026-11-30 18:00"]
            + ["2026-12-06 11:00"],
            utc=True,
        )
    )
    scores = pd.Series([600, 620, 580, 590, 400])
    every = score_quartiles_by_month(scores, applied)
    through_dec_6 = score_quartiles_by_month(scores, applied, through=applied.max())
    through_nov_30 = score_quartiles_by_month(
        scores[:4], applied[:4], through=pd.Timestamp("2026-11-30 18:00", tz="UTC")
    )
    assert every["month"].dt.month.tolist() == [10, 11, 12]
    assert through_dec_6["month"].dt.month.tolist() == [10, 11]
    assert through_dec_6["n"].tolist() == [2, 2]
    pd.testing.assert_frame_equal(through_dec_6, through_nov_30)
    # Data from 3 October: October is not a whole month either; from the 1st it is.
    since_oct_3 = score_quartiles_by_month(scores, applied, through=applied.max(), since=applied[0])
    assert since_oct_3["month"].dt.month.tolist() == [11]
    first = pd.Timestamp("2026-10-01 00:00", tz="UTC")
    since_oct_1 = score_quartiles_by_month(scores, applied, through=applied.max(), since=first)
    pd.testing.assert_frame_equal(since_oct_1, through_dec_6)

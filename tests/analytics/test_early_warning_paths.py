"""The watchlist's faster path (#26) against the pandas one it replaced: the same hits and
the same watchlist, column for column and dtype for dtype, on constructed loans with ties,
missing values and rules that catch nothing."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analytics.early_warning import SEVERITIES, triggered, watchlist


def old_triggered(behaviour: pd.DataFrame, rules: pd.DataFrame) -> pd.DataFrame:
    columns = ["loan_id", "region_id", "rule_id", "rule", "severity", "value"]
    parts = []
    for rule in rules.to_dict("records"):
        hit = behaviour[behaviour[rule["metric"]] >= rule["threshold"]]
        parts.append(
            pd.DataFrame(
                {
                    "loan_id": hit["loan_id"],
                    "region_id": hit["region_id"],
                    "rule_id": rule["id"],
                    "rule": rule["name"],
                    "severity": rule["severity"],
                    "value": hit[rule["metric"]].astype(float),
                }
            )
        )
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=columns)


def old_watchlist(behaviour: pd.DataFrame, hits: pd.DataFrame) -> pd.DataFrame:
    if hits.empty:
        return behaviour.iloc[0:0].assign(severity=[], rules=[])
    rank = hits["severity"].map({s: i for i, s in enumerate(SEVERITIES)})
    worst = rank.groupby(hits["loan_id"]).max()
    pairs = hits[["loan_id", "rule"]].drop_duplicates().sort_values(["loan_id", "rule"])
    caught_by: dict[int, list[str]] = {}
    for loan, rule in zip(pairs["loan_id"].tolist(), pairs["rule"].tolist(), strict=True):
        caught_by.setdefault(loan, []).append(rule)
    names = {loan: ", ".join(rules) for loan, rules in caught_by.items()}
    out = behaviour[behaviour["loan_id"].isin(worst.index)].copy()
    out["rank"] = out["loan_id"].map(worst)
    out["severity"] = out["rank"].map(dict(enumerate(SEVERITIES)))
    out["rules"] = out["loan_id"].map(names)
    out = out.sort_values(["rank", "days_past_due"], ascending=[False, False])
    return out.drop(columns="rank").reset_index(drop=True)


RULES = pd.DataFrame(
    {
        "id": [1, 2, 3, 4, 5],
        "name": ["30 days late", "90 days late", "Two missed payments", "Score fell 40", "Zed"],
        "metric": ["days_past_due", "days_past_due", "missed_payments", "score_drop", "score_drop"],
        "threshold": [30.0, 90.0, 2.0, 40.0, 40.0],  # two rules of one metric, one threshold
        "severity": ["high", "critical", "medium", "medium", "low"],
    }
)


def loans(seed: int, rows: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    drop = rng.choice([0.0, 10.0, 40.0, 55.0, np.nan], rows)  # ties at the threshold, gaps
    frame = pd.DataFrame(
        {
            "loan_id": np.sort(rng.choice(10 * rows, rows, replace=False)).astype(np.int64),
            "customer": pd.array([f"Customer {i % 7}" for i in range(rows)], dtype="str"),
            "region_id": rng.integers(1, 5, rows),
            "days_past_due": rng.choice([0, 15, 30, 30, 45, 90, 120], rows),
            "missed_payments": rng.integers(0, 4, rows),
            "score_drop": drop,
        }
    )
    return frame


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize(
    "rules",
    [RULES, RULES.iloc[[1]], RULES.iloc[[0, 3]], RULES.iloc[0:0], RULES.assign(threshold=1e9)],
    ids=["all", "one", "two", "none", "catching nothing"],
)
def test_the_faster_watchlist_answers_as_the_pandas_one(seed, rules):
    behaviour = loans(seed, rows=[0, 1, 40, 900, 3000, 200][seed])
    hits, before = triggered(behaviour, rules), old_triggered(behaviour, rules)
    pd.testing.assert_frame_equal(hits, before)
    pd.testing.assert_frame_equal(watchlist(behaviour, hits), old_watchlist(behaviour, before))

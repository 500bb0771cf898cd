"""Early warning: which loans the alert rules catch, and the watchlist of worsening loans."""

from __future__ import annotations

import pandas as pd

from vocabulary import BANDS

SEVERITIES = BANDS


def lowest_thresholds(rules: pd.DataFrame) -> dict[str, float]:
    """Per metric, the lowest threshold of the rules: a loan below all of them is caught by
    none, so the data layer need not return it."""
    lowest = rules.groupby("metric")["threshold"].min() if len(rules) else pd.Series()
    return {str(m): float(t) for m, t in sorted(lowest.items())}


def triggered(behaviour: pd.DataFrame, rules: pd.DataFrame) -> pd.DataFrame:
    """Every (loan, rule) where the loan's metric reaches the rule's threshold.

    `behaviour` as data.credit.loan_behaviour; `rules` has id, name, metric, threshold,
    severity. Columns: loan_id, region_id, rule_id, rule, severity, value.
    """
    columns = ["loan_id", "region_id", "rule_id", "rule", "severity", "value"]
    parts = []
    for rule in rules.to_dict("records"):
        if rule["metric"] not in behaviour.columns:
            raise ValueError(
                f"metric must be a column of the loan behaviour; got {rule['metric']!r}"
            )
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


def watchlist(behaviour: pd.DataFrame, hits: pd.DataFrame) -> pd.DataFrame:
    """Loans caught by at least one rule, with their worst severity and the rules' names,
    most severe and latest first."""
    if hits.empty:
        return behaviour.iloc[0:0].assign(severity=[], rules=[])
    rank = hits["severity"].map({s: i for i, s in enumerate(SEVERITIES)})
    worst = rank.groupby(hits["loan_id"]).max()
    # Plain Python: a groupby that joins strings builds a Series per loan (30 ms for 900).
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

"""The credit scorecard against open-source baselines, on public credit data, same folds.

    .venv/bin/pip install -r requirements-bench.txt     # optbinning, for its Scorecard
    .venv/bin/python -m bench.models [--folds 5] [--no-write]

Every model sees the same 5-fold stratified split (shuffled, random_state 0) of each data
set in `bench/credit_data.py`, and the same declared categorical columns:

- Beacon's `analytics.scorecard.Scorecard` with its defaults, and with `turns=False` (every
  numeric characteristic one way);
- a plain logistic regression on one-hot categories and standardised numbers (medians for
  missing values, with a flag);
- scikit-learn's HistGradientBoostingClassifier with its defaults (categories native);
- optbinning's `Scorecard` (its BinningProcess and a logistic regression).

Reported per model and data set: ROC AUC (mean ± sd over the folds), KS (mean), Brier
score and calibration slope (on the pooled out-of-fold predictions: the slope of the
logistic regression of the outcome on the predicted log-odds, 1 when calibrated) and the
mean fit time of one fold. The table goes to docs/models.md (between its markers) and
bench/results/models.json.
"""

from __future__ import annotations

import argparse
import json
import platform
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import brier_score_loss, roc_auc_score, roc_curve
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, OrdinalEncoder, StandardScaler

from bench.credit_data import ALL, CreditData

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results" / "models.json"
DOC = ROOT / "docs" / "models.md"
MARKERS = ("<!-- credit table: begin -->", "<!-- credit table: end -->")


def beacon(data: CreditData) -> Any:
    from analytics.scorecard import Scorecard

    return Scorecard(categorical=data.categorical)


def beacon_one_way(data: CreditData) -> Any:
    from analytics.scorecard import Scorecard

    return Scorecard(categorical=data.categorical, turns=False)


def _columns(data: CreditData) -> tuple[list[str], list[str]]:
    return [c for c in data.X if c not in data.categorical], data.categorical


def logistic(data: CreditData) -> Any:
    numeric, categorical = _columns(data)
    return make_pipeline(
        ColumnTransformer(
            [
                (
                    "n",
                    make_pipeline(
                        SimpleImputer(strategy="median", add_indicator=True), StandardScaler()
                    ),
                    numeric,
                ),
                (
                    "c",
                    make_pipeline(
                        SimpleImputer(strategy="constant", fill_value="missing"),
                        OneHotEncoder(handle_unknown="ignore"),
                    ),
                    categorical,
                ),
            ]
        ),
        LogisticRegression(max_iter=5000),
    )


def boosting(data: CreditData) -> Any:
    numeric, categorical = _columns(data)
    encode = OrdinalEncoder(
        handle_unknown="use_encoded_value", unknown_value=np.nan, encoded_missing_value=np.nan
    )
    return make_pipeline(
        ColumnTransformer([("c", encode, categorical), ("n", "passthrough", numeric)]),
        HistGradientBoostingClassifier(
            categorical_features=list(range(len(categorical))), random_state=0
        ),
    )


def optbinning(data: CreditData) -> Any:
    from optbinning import BinningProcess
    from optbinning import Scorecard as OptScorecard

    process = BinningProcess(list(data.X.columns), categorical_variables=data.categorical)
    return OptScorecard(binning_process=process, estimator=LogisticRegression(max_iter=5000))


MODELS: dict[str, Callable[[CreditData], Any]] = {
    "Beacon scorecard": beacon,
    "Beacon scorecard, one way only": beacon_one_way,
    "Logistic regression (one-hot)": logistic,
    "HistGradientBoosting": boosting,
    "optbinning Scorecard": optbinning,
}


def as_typed(data: CreditData) -> pd.DataFrame:
    """Declared categories as text (the scorecard's own reading of codes), missing as None,
    so every model reads them as categories."""
    from analytics.card import category_text

    X = data.X.copy()
    for column in data.categorical:
        text = category_text(X[column])
        X[column] = text.astype(object).where(text.notna(), None)
    return X


def ks(y: np.ndarray, p: np.ndarray) -> float:
    fpr, tpr, _ = roc_curve(y, p)
    return float(np.max(tpr - fpr))


def calibration_slope(y: np.ndarray, p: np.ndarray) -> float:
    """The slope of logit P(bad) on the predicted log-odds: 1 calibrated, < 1 over-confident."""
    p = np.clip(p, 1e-6, 1 - 1e-6)
    logit = np.log(p / (1 - p)).reshape(-1, 1)
    return float(LogisticRegression(C=np.inf).fit(logit, y).coef_[0, 0])


def measure(data: CreditData, make: Callable[[CreditData], Any], folds: int) -> dict[str, float]:
    X, y = as_typed(data), data.y
    pooled = np.zeros(len(y))
    aucs, kss, fits = [], [], []
    for train, test in StratifiedKFold(folds, shuffle=True, random_state=0).split(X, y):
        model = make(data)
        started = time.perf_counter()
        model.fit(X.iloc[train], y[train])
        fits.append(time.perf_counter() - started)
        p = model.predict_proba(X.iloc[test])[:, 1]
        pooled[test] = p
        aucs.append(roc_auc_score(y[test], p))
        kss.append(ks(y[test], p))
    return {
        "auc": float(np.mean(aucs)),
        "auc_sd": float(np.std(aucs)),
        "ks": float(np.mean(kss)),
        "brier": float(brier_score_loss(y, pooled)),
        "slope": calibration_slope(y, pooled),
        "fit_s": float(np.mean(fits)),
    }


def table(results: list[dict[str, Any]]) -> str:
    lines = [
        "| data set | rows | bad rate | model | ROC AUC ± sd | KS | Brier | calibration slope "
        "| fit s/fold |",
        "|---|---:|---:|---|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        best = max(m["auc"] for name, m in r["models"].items() if not name.startswith("Beacon"))
        for name, m in r["models"].items():
            mark = "**" if name == "Beacon scorecard" else ""
            lines.append(
                f"| {r['data']} | {r['rows']:,} | {r['bad_rate']:.1%} | {mark}{name}{mark} "
                f"| {m['auc']:.3f} ± {m['auc_sd']:.3f} | {m['ks']:.3f} | {m['brier']:.4f} "
                f"| {m['slope']:.2f} | {m['fit_s']:.2f} |"
            )
        gap = r["models"]["Beacon scorecard"]["auc"] - best
        lines.append(f"| {r['data']} | | | *Beacon − best baseline* | {gap:+.4f} | | | | |")
    return "\n".join(lines)


def write_section(doc: Path, markers: tuple[str, str], text: str) -> None:
    """Put `text` between the two marker lines of `doc` (added at its end when missing)."""
    begin, end = markers
    current = doc.read_text() if doc.exists() else ""
    if begin not in current:
        current += f"\n{begin}\n{end}\n"
    head, _, rest = current.partition(begin)
    _, _, tail = rest.partition(end)
    doc.write_text(f"{head}{begin}\n{text}\n{end}{tail}")


def publish(
    results: Path, markers: tuple[str, str], *, stamp: str, markdown: str, rows: list[Any]
) -> None:
    """A benchmark's rows to its JSON file, and its table with the stamp into docs/models.md."""
    results.write_text(json.dumps({"stamp": stamp, "results": rows}, indent=2) + "\n")
    write_section(DOC, markers, f"{stamp}\n\n{markdown}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--no-write", action="store_true", help="print only")
    parser.add_argument("--only", default="", help="models whose name holds this (print only)")
    args = parser.parse_args()
    results = []
    for load in ALL:
        data = load()
        row = {"data": data.name, "rows": len(data.y), "bad_rate": data.bad_rate, "models": {}}
        for name, make in MODELS.items():
            if args.only.casefold() not in name.casefold():
                continue
            row["models"][name] = measure(data, make, args.folds)
            m = row["models"][name]
            print(
                f"{data.name:24} {name:30} AUC {m['auc']:.4f}  Brier {m['brier']:.4f}  "
                f"slope {m['slope']:.3f}  fit {m['fit_s']:.2f} s",
                flush=True,
            )
        results.append(row)
    if args.only:
        return
    markdown = table(results)
    print(markdown)
    if not args.no_write:
        stamp = (
            f"Measured {datetime.now(UTC):%Y-%m-%d} with `python -m bench.models` "
            f"({args.folds} folds, Python {platform.python_version()}, {platform.machine()})."
        )
        publish(RESULTS, MARKERS, stamp=stamp, markdown=markdown, rows=results)


if __name__ == "__main__":
    main()

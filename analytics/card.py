"""A fitted scorecard as plain data, and what scoring with it takes: bins, bands, reasons.

`analytics.scorecard` fits a card and exports it (`export_card`); everything here scores an
exported card with numpy and pandas alone, so the web app and the API score applicants
without importing scikit-learn (about 80 MB of each web worker's memory with SciPy).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from vocabulary import BANDS

MISSING = "missing"
PD_BANDS = BANDS
PD_EDGES = (0.05, 0.15, 0.35)


@dataclass(frozen=True)
class Bin:
    label: str
    low: float | None = None  # numeric: low <= x < high
    high: float | None = None
    categories: tuple[str, ...] = ()


def category_text(values: pd.Series) -> pd.Series:
    """Categories as text, the same whatever the dtype: integer codes read "2" whether the
    column holds ints or floats (a missing value makes pandas store codes as floats)."""
    if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        numbers = pd.to_numeric(values, errors="coerce").astype(float)
        whole = numbers.notna() & (numbers == numbers.round())
        text = numbers.astype(object).map(repr).astype("string")
        text[whole] = numbers[whole].astype("int64").astype(str)
        return text.where(numbers.notna(), pd.NA)
    return values.astype("string")


def assign_bins(bins: list[Bin], values: pd.Series) -> np.ndarray:
    """The bin index of every value; -1 where a category was never seen in fitting."""
    out = np.full(len(values), -1)
    missing = values.isna().to_numpy()
    has_missing = bins[-1].label == MISSING
    if bins[0].categories or (len(bins) == 1 and has_missing):
        codes, names = pd.factorize(category_text(values))  # code -1: missing
        of_category = {c: k for k, b in enumerate(bins) for c in b.categories or ()}
        out = np.array([of_category.get(name, -1) for name in names] + [-1])[codes]
    else:
        x = pd.to_numeric(values, errors="coerce").to_numpy(dtype=float)
        for k, b in enumerate(bins):
            if b.label == MISSING:
                continue
            inside = ~np.isnan(x)
            if b.low is not None:
                inside &= x >= b.low
            if b.high is not None:
                inside &= x < b.high
            out[inside] = k
    if has_missing:
        out[missing] = len(bins) - 1
    return out


def ramp_points(knots: list[float], points: list[float], x: np.ndarray) -> np.ndarray:
    """A continuous characteristic's points between its bins' (linear between its knots,
    flat beyond the outer ones); NaN where x is missing."""
    return np.interp(x, knots, points)


def best_points(
    bins: list[Bin], bin_points: list[float], knots: list[float], points: list[float]
) -> float:
    """The most points a characteristic with a ramp can give: each range's points plus the
    most its ramp reaches within the range (at an end or a knot: it is piecewise linear)."""
    best = -np.inf
    for b, at_bin in zip(bins, bin_points, strict=True):
        if b.label == MISSING or b.categories:
            best = max(best, at_bin)
            continue
        low = knots[0] if b.low is None else b.low
        high = knots[-1] if b.high is None else b.high
        inside = [k for k in knots if low < k < high]
        best = max(
            best, at_bin + float(np.max(ramp_points(knots, points, np.array([low, high, *inside]))))
        )
    return float(best)


def readable_number(value: float) -> str:
    """A bin edge as people read it: 25,500, 103, 5.1, 0.35 (never 2.55e+04)."""
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.3g}"


def range_label(low: float | None, high: float | None) -> str:
    if low is None and high is None:
        return "all"
    if low is None:
        return f"under {readable_number(high)}"  # type: ignore[arg-type]
    if high is None:
        return f"{readable_number(low)} or more"
    return f"{readable_number(low)} to under {readable_number(high)}"


_NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:e[+-]?\d+)?")


def readable_reason(code: str, labels: dict[str, str]) -> str:
    """A reason code ("amount: 3.78e+03 to < 6.85e+03", as models trained before the labels
    were written for people store them, or "amount: 3,780 to under 6,850") as a sentence
    part: "Amount: 3,780 to under 6,850". `labels` names the characteristics."""
    feature, _, label = code.partition(": ")
    if label and not label.startswith(tuple("<>-0123456789")):
        return f"{labels.get(feature, feature.replace('_', ' ').capitalize())}: {label}"
    text = _NUMBER.sub(lambda m: readable_number(float(m.group())), label.replace(",", ""))
    if text.startswith(">= "):
        text = f"{text[3:]} or more"
    text = text.replace("to < ", "to under ").removeprefix("< ").strip()
    if label.startswith("< "):
        text = f"under {text}"
    return f"{labels.get(feature, feature.replace('_', ' ').capitalize())}: {text}"


def band_of_pd(pd_values: np.ndarray | pd.Series) -> np.ndarray:
    """Risk band of each probability of default, with the app's band edges."""
    return np.array(PD_BANDS, dtype=object)[
        np.digitize(np.asarray(pd_values, dtype=float), PD_EDGES)
    ]


def pd_of_score(score: np.ndarray, *, offset: float, factor: float) -> np.ndarray:
    """The probability of default a whole-point score stands for: the same score always
    has the same PD and band (the unrounded points would give neighbours of one score PDs
    up to half a point apart, and at a band edge two bands)."""
    return 1 / (1 + np.exp((np.asarray(score, dtype=float) - offset) / factor))


def assess_with(exported: dict, X: pd.DataFrame, *, reasons: int = 4) -> pd.DataFrame:
    """`Scorecard.assess` from an exported card: the same PD, score, band and reasons."""
    points = {}
    code_ids = {}  # each row's "characteristic: bin" code, as an index into `names`
    names: list[str] = []
    best = {}
    for feature, spec in exported["characteristics"].items():
        bins = [Bin(b["label"], b["low"], b["high"], tuple(b["categories"])) for b in spec]
        index = assign_bins(bins, X[feature])
        index[index < 0] = len(spec)  # unseen: the last points (0) and the last code
        values = np.array([b["points"] for b in spec] + [0.0])
        points[feature] = values[index]
        code_ids[feature] = len(names) + index
        names += [f"{feature}: {b['label']}" for b in spec] + [f"{feature}: unseen"]
        best[feature] = max(b["points"] for b in spec)
        ramp = exported.get("ramps", {}).get(feature)
        if ramp:  # points linear between knots, added to the bin's (none where missing)
            x = pd.to_numeric(X[feature], errors="coerce").to_numpy(dtype=float)
            points[feature] = points[feature] + np.where(
                np.isnan(x), 0.0, ramp_points(ramp["knots"], ramp["points"], x)
            )
            best[feature] = best_points(
                bins, [b["points"] for b in spec], ramp["knots"], ramp["points"]
            )
    features = list(exported["characteristics"])
    total = np.sum([points[f] for f in features], axis=0) + exported["base_points"]
    score = np.round(total).astype(int)
    probability = pd_of_score(score, offset=exported["offset"], factor=exported["factor"])
    # The largest gaps to each characteristic's best points, ties in feature order.
    gaps = np.column_stack([best[f] - points[f] for f in features])
    top = np.argsort(-gaps, axis=1, kind="stable")[:, :reasons]
    picked = np.take_along_axis(np.column_stack([code_ids[f] for f in features]), top, axis=1)
    picked = np.where(np.take_along_axis(gaps > 1e-9, top, axis=1), picked, -1)
    # Rows share few distinct reason lists: name each distinct one once.
    radix = (len(names) + 1) ** np.arange(picked.shape[1], dtype=np.int64)
    _, first, inverse = np.unique((picked + 1) @ radix, return_index=True, return_inverse=True)
    named = [[names[c] for c in picked[row] if c >= 0] for row in first]
    codes = [list(named[k]) for k in inverse.tolist()]
    return pd.DataFrame(
        {
            "pd": probability,
            "score": score,
            "band": band_of_pd(probability),
            "reasons": codes,
        },
        index=X.index,
    )

"""The customer journey as a funnel: visit -> application -> approval -> disbursement ->
repaid or defaulted, with conversion from each step to the next."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd

from analytics.frames import wide_table

FUNNEL = ("visit", "application", "approval", "disbursement")
OUTCOMES = ("repaid", "defaulted")


def funnel(steps: pd.DataFrame) -> pd.DataFrame:
    """Totals per stage (in funnel order, then outcomes) with the conversion from the step
    before (outcomes: share of disbursed loans). `steps` has stage and events."""
    totals = steps.groupby("stage")["events"].sum()
    rows = [(s, int(totals.get(s, 0))) for s in (*FUNNEL, *OUTCOMES)]
    out = pd.DataFrame(rows, columns=["stage", "events"])
    before = [None, *[r[1] for r in rows[: len(FUNNEL) - 1]]] + [rows[len(FUNNEL) - 1][1]] * len(
        OUTCOMES
    )
    out["conversion"] = [(n / b) if b else None for (_, n), b in zip(rows, before, strict=True)]
    return out


def whole_months(steps: pd.DataFrame, *, first: date, today: date) -> pd.DataFrame:
    """The steps (with a "YYYY-MM" month) of the whole months from `first` on: not the month
    `first` falls in unless it starts it, nor the month of `today`, still in progress."""
    start = first if first.day == 1 else (first.replace(day=1) + timedelta(days=32)).replace(day=1)
    if steps.empty:
        return steps
    months = steps["month"]
    return steps[(months >= f"{start:%Y-%m}") & (months < f"{today:%Y-%m}")]


def conversion_by(steps: pd.DataFrame, by: str) -> pd.DataFrame:
    """Per `by` ("channel" or "month"): applications, approval rate (approvals per
    application) and take-up (disbursements per approval)."""
    if by not in ("channel", "month"):
        raise ValueError(f"by must be 'channel' or 'month'; got {by!r}")
    wide = wide_table(steps, index=by, columns="stage", values="events")
    for stage in FUNNEL:
        if stage not in wide.columns:
            wide[stage] = 0
    out = pd.DataFrame(
        {
            "applications": wide["application"],
            "approval_rate": wide["approval"] / wide["application"].where(wide["application"] > 0),
            "take_up": wide["disbursement"] / wide["approval"].where(wide["approval"] > 0),
        }
    )
    return out.reset_index().sort_values(by, ignore_index=True)

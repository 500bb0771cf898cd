"""The customer journey as a funnel: visit -> application -> approval -> disbursement ->
repaid or defaulted, with conversion from each step to the next."""

from __future__ import annotations

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

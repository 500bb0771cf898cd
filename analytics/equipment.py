"""Equipment recommendations from use: replace what is broken, reorder what runs short,
and point out surplus that could go to another school."""

from __future__ import annotations

import math

import pandas as pd

HEADROOM = 1.2  # keep 20% more than the most ever used in one lesson
SHORT = 0.25  # a quarter of the lessons used 90% or more of the items: running short
IDLE = 0.4  # never more than 40% in use: surplus


def equipment_recommendations(use: pd.DataFrame) -> pd.DataFrame:
    """One action per item of `use` (data.queries.pe.equipment_use): replace when broken,
    reorder when a quarter of the lessons used nearly all of it (or it is worn and in
    regular use), surplus when never more than 40% is in use.

    Columns added: action ("replace" | "reorder" | "surplus" | "ok"), amount (items to buy or
    spare; 0 for ok), reason (one sentence). Sorted replace, reorder, surplus, ok.
    """
    rows = [_action(item) for item in use.itertuples(index=False)]
    actions = pd.DataFrame(rows, columns=["action", "amount", "reason"], index=use.index)
    out = pd.concat([use, actions], axis=1)
    order = {"replace": 0, "reorder": 1, "surplus": 2, "ok": 3}
    return out.sort_values("action", key=lambda s: s.map(order), kind="stable", ignore_index=True)


def _action(item) -> tuple[str, int, str]:  # type: ignore[no-untyped-def]
    usable = 0 if item.condition == "broken" else int(item.quantity)
    peak, lessons = int(item.peak_used), int(item.sessions_used)
    need = math.ceil(peak * HEADROOM)
    if item.condition == "broken":
        amount = max(int(item.quantity), need)
        return "replace", amount, f"All {item.quantity} are broken; lessons used up to {peak}."
    if lessons and item.full_sessions >= SHORT * lessons:
        amount = max(need - usable, 1)
        return (
            "reorder",
            amount,
            (
                f"In {item.full_sessions} of its {lessons} lessons nearly all {usable} were in "
                f"use; order {amount} more."
            ),
        )
    if item.condition == "worn" and lessons and peak >= usable / 2:
        amount = math.ceil(usable / 2)
        return (
            "reorder",
            amount,
            f"Worn and used in {lessons} lessons; order {amount} new ones before they give out.",
        )
    if lessons == 0 or peak <= IDLE * usable:
        used = "Not used in this period" if lessons == 0 else f"At most {peak} of {usable} used"
        return "surplus", usable - need, f"{used}; {usable - need} could go where they are short."
    return "ok", 0, f"Up to {peak} of {usable} in use."

"""Choices for search-as-you-type pickers, keeping what is already chosen."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pandas as pd


def escape_like(text: str) -> str:
    """Text for a LIKE pattern with its wildcards taken literally (escape character \\)."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def student_choices(found: pd.DataFrame, keep: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    kept = list(keep)
    chosen = {o["value"] for o in kept}
    return kept + [
        {"label": f"{n} (grade {g})", "value": int(i)}
        for i, n, g in found[["id", "name", "grade"]].itertuples(index=False)
        if int(i) not in chosen
    ]

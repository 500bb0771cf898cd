"""Choices for search-as-you-type pickers, keeping what is already chosen."""

from __future__ import annotations

from collections.abc import Callable, Iterable
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


def host_choices(hosts: pd.DataFrame) -> list[dict[str, Any]]:
    """Tutors and mentors, each marked as which (data.schedules.hosts); namesakes told apart
    by their number ("Sam Lee #812 (tutor)")."""
    twins = set(hosts.loc[hosts["name"].duplicated(), "name"])
    return [
        {"label": f"{n} #{h.partition(':')[2]} ({k})" if n in twins else f"{n} ({k})", "value": h}
        for h, n, k in hosts[["host", "name", "kind"]].itertuples(index=False)
    ]


def room_choices(rooms: pd.DataFrame, *, seats: bool = False) -> list[dict[str, Any]]:
    return [
        {"label": f"{n} (seats {c})" if seats else n, "value": int(i)}
        for i, n, c in rooms[["id", "name", "capacity"]].itertuples(index=False)
    ]


def search_choices(
    text: str | None,
    chosen: Any,
    current: list[dict[str, Any]] | None,
    find: Callable[[str], pd.DataFrame],
) -> list[dict[str, Any]]:
    """The options of a student picker after the user typed `text`: what is chosen stays,
    and from two letters on, the students `find` returns for the (LIKE-escaped) text."""
    picked = set(chosen) if isinstance(chosen, list) else {chosen} if chosen else set()
    keep = [o for o in current or [] if o.get("value") in picked]
    searched = search_text(text)
    return student_choices(find(searched), keep) if searched else keep


def search_text(text: str | None) -> str | None:
    """What a search-as-you-type picker looks for: from two letters on, LIKE-escaped."""
    text = (text or "").strip()[:60]
    return escape_like(text) if len(text) >= 2 else None

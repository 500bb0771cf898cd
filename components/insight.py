"""The card an AI (or template) text is shown in, and the facts of a page read from its own
KPI cards: the numbers exactly as the page shows them. The "Explain this view" button that
shows the card is `widgets.explain.ExplainAIO`."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, NamedTuple

import dash_bootstrap_components as dbc
from dash import html
from dash.development.base_component import Component


def insight_card(
    text: str,
    *,
    source: str,
    note: str | None,
    retry: bool = False,
    extra: Iterable[Component] = (),
) -> dbc.Card:
    """`source` is "ai" or "template"; the note says which model or why a template."""
    badge = dbc.Badge(
        "AI" if source == "ai" else "Template",
        color="info" if source == "ai" else "secondary",
        className="me-2",
    )
    footer = [badge, html.Small(note or "", className="text-secondary")]
    if retry:
        footer.append(html.Small(" Press the button again to retry.", className="text-secondary"))
    return dbc.Card(
        [
            dbc.CardBody([html.P(text, className="insight-text mb-0"), *extra]),
            dbc.CardFooter(footer),
        ],
        className="insight-card",
    )


def _classes(node: Any) -> str:
    return str(getattr(node, "className", "") or "")


def _text(node: Any) -> str:
    if node is None:
        return ""
    if isinstance(node, str | int | float):
        return str(node)
    if isinstance(node, list | tuple):
        return "".join(_text(n) for n in node)
    return _text(getattr(node, "children", None))


def _walk(node: Any) -> Iterable[Any]:
    if isinstance(node, list | tuple):
        for item in node:
            yield from _walk(item)
    elif isinstance(node, Component):
        yield node
        yield from _walk(getattr(node, "children", None))


class KpiReading(NamedTuple):
    """One KPI card as the user sees it (the fields of `analytics.narrative.Fact`)."""

    label: str
    value: str
    change: str | None
    wrong_way: bool


def facts_from_kpi_cards(cards: Any) -> list[KpiReading]:
    """Read title, value and change back out of `kpi_card`s: what the user sees."""
    facts = []
    for node in _walk(cards):
        if "kpi-card" not in _classes(node):
            continue
        parts = {c: "" for c in ("kpi-title", "kpi-value", "kpi-delta", "kpi-period")}
        for inner in _walk(node):
            for name in parts:
                if name in _classes(inner).split() and not parts[name]:
                    parts[name] = _text(inner).strip()
        if parts["kpi-title"] and parts["kpi-value"]:
            value, change = parts["kpi-value"], parts["kpi-delta"] or None
            if change is None and parts["kpi-period"]:
                value = f"{value} ({parts['kpi-period']})"  # context, not a comparison
            elif change and parts["kpi-period"]:
                change = f"{change} {parts['kpi-period']}"
            wrong_way = any("bad" in _classes(n).split() for n in _walk(node))
            facts.append(KpiReading(parts["kpi-title"], value, change, wrong_way))
    return facts

"""The designed 'nothing to show' block used by charts, tables and pages."""

from __future__ import annotations

from dash import html


def empty_state(title: str, hint: str) -> html.Div:
    return html.Div(
        [
            html.Div("∅", className="empty-state-icon", **{"aria-hidden": "true"}),
            html.P(title, className="empty-state-title"),
            html.P(hint, className="empty-state-hint"),
        ],
        className="empty-state",
        role="status",
    )

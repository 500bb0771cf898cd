"""The designed 'nothing to show' block used by charts, tables and pages."""

from __future__ import annotations

from dash import html

from components.attrs import attrs


def empty_state(title: str, hint: str) -> html.Div:
    return html.Div(
        [
            html.Div("∅", className="empty-state-icon", **attrs(aria_hidden="true")),
            html.P(title, className="empty-state-title"),
            html.P(hint, className="empty-state-hint"),
        ],
        className="empty-state",
        role="status",
    )

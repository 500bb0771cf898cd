"""Risk band badges: the same four colours everywhere, with the band named in text."""

from __future__ import annotations

from dash import html

from components.theme import RISK_COLORS, RISK_TEXT


def band_badge(band: str) -> html.Span:
    return html.Span(
        band,
        className="band-badge",
        style={
            "backgroundColor": RISK_COLORS.get(band, "#495057"),
            "color": RISK_TEXT.get(band, "#fff"),
        },
    )

"""Risk band badges: the same four colours everywhere, with the band named in text."""

from __future__ import annotations

from typing import TYPE_CHECKING

from dash import html

from components.theme import RISK_COLORS, RISK_TEXT

if TYPE_CHECKING:
    from actions.credit_model import ModelStatus


def band_badge(band: str) -> html.Span:
    return html.Span(
        band,
        className="band-badge",
        style={
            "backgroundColor": RISK_COLORS.get(band, "#495057"),
            "color": RISK_TEXT.get(band, "#fff"),
        },
    )


DRIFT_WORDS = {
    "stable": ("Drift stable", "low"),
    "watch": ("Drift: watch", "medium"),
    "act": ("Drift: act", "critical"),
}


def model_badge(status: ModelStatus | None) -> html.Span | None:
    """Which model gave the scores beside it, and whether it still fits today's applicants:
    'Model scorecard-20261205 · drift stable', the state coloured like the risk bands and
    linking to Model monitoring. None without a model."""
    if status is None:
        return None
    words, band = DRIFT_WORDS.get(status.drift or "", ("Drift not measured yet", ""))
    why = (
        f"Largest drift since training: {status.worst} (PSI {status.worst_psi:.2f}); "
        "see Model monitoring."
        if status.worst is not None and status.worst_psi is not None
        else "The scheduled refresh measures drift; see Model monitoring."
    )
    return html.Span(
        [
            html.Span(f"Model {status.version}", className="model-version"),
            html.A(
                words,
                href="/credit/monitoring",
                className="band-badge ms-2",
                style={
                    "textTransform": "none",  # a sentence, not a band's name: "Drift: watch"
                    "backgroundColor": RISK_COLORS.get(band, "#6c757d"),
                    "color": RISK_TEXT.get(band, "#fff"),
                },
                title=why,
            ),
        ],
        className="model-badge small",
    )

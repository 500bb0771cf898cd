"""One meaning per colour, and Plotly figures that follow the active theme."""

from __future__ import annotations

import plotly.graph_objects as go

THEMES = ("light", "dark")
DEFAULT_THEME = "light"

# Risk bands keep these colours everywhere, in every theme (all readable on white and on #212529).
RISK_COLORS = {"low": "#2f9e44", "medium": "#f08c00", "high": "#e8590c", "critical": "#c92a2a"}
# Text on those colours with at least 4.5:1 contrast (WCAG AA): black 5.9-8.4:1, white 5.5:1.
RISK_TEXT = {"low": "#000000", "medium": "#000000", "high": "#000000", "critical": "#ffffff"}
# Series colours, chosen to stay distinguishable for the common colour-vision deficiencies.
SERIES_COLORS = ["#1c7ed6", "#f59f00", "#12b886", "#ae3ec9", "#868e96", "#e64980"]
STATUS_COLORS = {
    "completed": "#1c7ed6",
    "approved": "#1c7ed6",
    "scheduled": "#12b886",
    "no_show": "#f59f00",
    "declined": "#f59f00",
    "rescheduled": "#ae3ec9",
    "cancelled": "#868e96",
    "withdrawn": "#868e96",
    "submitted": "#12b886",
}
_FONT = {"light": "#212529", "dark": "#dee2e6"}
_GRID = {"light": "#e9ecef", "dark": "#343a40"}


def valid_theme(theme: str | None) -> str:
    return theme if theme in THEMES else DEFAULT_THEME


def themed(figure: go.Figure, theme: str | None) -> go.Figure:
    """Give a figure the active theme's template, transparent background and readable text."""
    theme = valid_theme(theme)
    figure.update_layout(
        template="plotly_dark" if theme == "dark" else "plotly_white",
        paper_bgcolor="rgba(0,0,0,0)",
        plot_bgcolor="rgba(0,0,0,0)",
        font={"color": _FONT[theme], "family": "system-ui, -apple-system, Segoe UI, sans-serif"},
        margin={"l": 48, "r": 16, "t": 64, "b": 40},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.0, "x": 0},
        colorway=SERIES_COLORS,
    )
    figure.update_xaxes(gridcolor=_GRID[theme], zerolinecolor=_GRID[theme])
    figure.update_yaxes(gridcolor=_GRID[theme], zerolinecolor=_GRID[theme])
    return figure

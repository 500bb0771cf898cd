"""Figure factories shared by pages: values in, themed Plotly figures out."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from components.theme import SERIES_COLORS, STATUS_COLORS, themed


def stacked_bars(wide: pd.DataFrame, *, theme: str | None, y_title: str) -> go.Figure:
    """One bar segment per column (a status), one bar per index value (a week)."""
    figure = go.Figure()
    for i, column in enumerate(wide.columns):
        figure.add_bar(
            x=wide.index,
            y=wide[column],
            name=str(column).replace("_", " "),
            marker_color=STATUS_COLORS.get(str(column), SERIES_COLORS[i % len(SERIES_COLORS)]),
            hovertemplate="%{x|%Y-%m-%d}: %{y:,.0f}<extra>%{fullData.name}</extra>",
        )
    figure.update_layout(barmode="stack", yaxis_title=y_title, hovermode="x unified")
    return themed(figure, theme)


def share_line(series: pd.Series, *, theme: str | None, y_title: str) -> go.Figure:
    """A line of shares (0..1) shown as percentages; missing weeks stay gaps."""
    figure = go.Figure(
        go.Scatter(
            x=series.index,
            y=series,
            mode="lines+markers",
            name=y_title,
            connectgaps=False,
            line={"color": SERIES_COLORS[0], "width": 2},
            hovertemplate="%{x|%Y-%m-%d}: %{y:.1%}<extra></extra>",
        )
    )
    figure.update_layout(yaxis_title=y_title, yaxis_tickformat=".0%", showlegend=False)
    return themed(figure, theme)

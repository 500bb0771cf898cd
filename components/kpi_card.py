"""KPI card: a value, its change against the previous period and a sparkline."""

from __future__ import annotations

from collections.abc import Sequence

import dash_bootstrap_components as dbc
from dash import dcc, html

from components.attrs import attrs
from components.formatting import shown_change, signed_count, signed_percent, signed_points
from components.theme import SERIES_COLORS


def delta_class(change: float | None, higher_is_better: bool) -> str:
    if change is None or change == 0:
        return "kpi-delta neutral"
    good = (change > 0) == higher_is_better
    return "kpi-delta good" if good else "kpi-delta bad"


def sparkline(values: Sequence[float], label: str) -> html.Div:
    """A small static line of the trend. A plain figure dict with no template: it has no axes,
    legend or text to style, so it costs nothing to build and adds no template to the page."""
    figure = {
        "data": [
            {
                "type": "scatter",
                "y": [float(v) for v in values],
                "mode": "lines",
                "line": {"width": 2, "color": SERIES_COLORS[0]},
                "fill": "tozeroy",
                "fillcolor": "rgba(28,126,214,0.12)",
                "hoverinfo": "skip",
            }
        ],
        "layout": {
            "margin": {"l": 0, "r": 0, "t": 0, "b": 0},
            "height": 36,
            "showlegend": False,
            "paper_bgcolor": "rgba(0,0,0,0)",
            "plot_bgcolor": "rgba(0,0,0,0)",
            "xaxis": {"visible": False},
            "yaxis": {"visible": False, "rangemode": "tozero"},
        },
    }
    graph = dcc.Graph(figure=figure, config={"staticPlot": True}, className="kpi-sparkline")
    return html.Div(graph, role="img", **attrs(aria_label=label))


def kpi_card(
    *,
    title: str,
    value: str,
    change: float | None,
    period: str,
    trend: Sequence[float] = (),
    higher_is_better: bool = True,
    compare: bool = True,
    absolute: bool = False,
    points: bool = False,
) -> dbc.Card:
    """`period` says what the change is against; with compare=False it is shown alone as context.
    `change` is relative (0.1 = +10%), a plain difference with absolute=True, or a rate's
    difference in percentage points with points=True (0.044 = 4.4 points)."""
    if absolute:
        text, shown = signed_count(change), shown_change(change, scale=1.0, decimals=0)
    else:
        text = signed_points(change) if points else signed_percent(change)
        shown = shown_change(change)
    delta = [html.Span(f"{text} ", className=delta_class(shown, higher_is_better))]
    body = [
        html.Div(title, className="kpi-title"),
        html.Div(value, className="kpi-value"),
        html.Div([*(delta if compare else []), html.Span(period, className="kpi-period")]),
    ]
    if len(trend):
        body.append(sparkline(trend, f"{title}, weekly trend"))
    return dbc.Card(dbc.CardBody(body), className="kpi-card h-100")

"""Chart card: title, a one-line subtitle saying what is measured, the chart or its empty state."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import dash_bootstrap_components as dbc
from dash import dcc, html
from dash.development.base_component import Component

from components.chart_text import with_text
from components.empty_state import empty_state
from components.figures import NO_DRILL, hover_hint
from components.theme import Figure, figure_parts, plain_figure
from components.view_tools import export_menu


def chart_body(
    figure: Figure | None,
    *,
    empty_title: str,
    empty_hint: str,
    drill_id: str | dict[str, Any] | None = None,
    drill_hint: str = "Click to drill down",
) -> Component:
    """The card's content: the figure with its text alternative (`chart_text.with_text`),
    or the designed empty state when there is nothing to draw. With `drill_id` the graph has
    that id, for a callback that drills down on a click (its `clickData`), shows a pointer
    over its marks, and its tooltips end with `drill_hint`; without, they say that it does
    not drill down."""
    if figure is None or not figure_parts(figure)[0]:
        return empty_state(empty_title, empty_hint)
    # A plain dict: cheap to keep in the cache and to send (a Figure re-validates itself).
    drill: dict[str, Any] = {"id": drill_id} if drill_id is not None else {}
    graph = dcc.Graph(
        figure=hover_hint(plain_figure(figure), drill_hint if drill_id is not None else NO_DRILL),
        config={"displaylogo": False, "responsive": True},
        className="chart-graph chart-drills" if drill_id else "chart-graph",
        **drill,
    )
    return with_text(graph, figure)


def chart_bodies(
    parts: Sequence[str],
    figures: Sequence[Figure | None],
    *,
    empty: tuple[str, str],
    drill: tuple[str, str | dict[str, Any], str],
) -> tuple[Component, ...]:
    """The bodies of a view's charts, in order: `parts` names each figure, and the part
    `drill` names (part, graph id, hint) drills down; `empty` is (title, hint)."""
    part, drill_id, hint = drill
    return tuple(
        chart_body(
            figure,
            empty_title=empty[0],
            empty_hint=empty[1],
            drill_id=drill_id if name == part else None,
            drill_hint=hint,
        )
        for name, figure in zip(parts, figures, strict=True)
    )


def chart_card(
    *,
    body_id: str | dict[str, Any],
    title: str,
    subtitle: str,
    export: tuple[str, str] | None = None,
) -> dbc.Card:
    """An empty card whose body a callback fills; it shows a spinner while loading. With
    `export` (view, part) its header has the export menu (CSV, Excel, PNG, SVG)."""
    heading = html.Div(
        [
            html.H3(title, className="chart-title"),
            html.P(subtitle, className="chart-subtitle"),
        ],
        className="me-auto",
    )
    menu = [export_menu(*export, title=title, chart=True)] if export else []
    return dbc.Card(
        [
            dbc.CardHeader(
                heading if not menu else html.Div([heading, *menu], className="d-flex gap-2")
            ),
            dbc.CardBody(
                dcc.Loading(
                    html.Div(id=body_id, className="chart-body"), type="default", delay_show=150
                )
            ),
        ],
        className="chart-card h-100",
    )

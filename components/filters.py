"""Labelled controls and the filter bars made of them: one look for every page's filters."""

from __future__ import annotations

from collections.abc import Mapping

import dash_bootstrap_components as dbc
from dash import dcc, html
from dash.development.base_component import Component

from components.attrs import label_for


def field(
    label: str,
    control: Component,
    *,
    md: int | None = None,
    lg: int | None = None,
    class_name: str = "",
) -> dbc.Col:
    """A control under its label (the label names it, so a click or a screen reader finds it),
    as a column of a filter bar or a form row."""
    return dbc.Col(
        [dbc.Label(label, html_for=label_for(control)), control], md=md, lg=lg, className=class_name
    )


def filter_bar(fields: list[Component], *, class_name: str = "g-2") -> dbc.Row:
    """The row of filters at the top of a page."""
    return dbc.Row(fields, className=f"filter-bar {class_name}")


def period_filter(component_id: str, periods: Mapping[int, str], value: int) -> html.Div:
    """The bar of a page filtered by period alone ("Last 12 months", ...)."""
    return html.Div(
        [
            html.Label("Period", htmlFor=component_id, className="form-label me-2"),
            dcc.Dropdown(
                id=component_id,
                value=value,
                clearable=False,
                style={"width": "14rem"},
                options=[{"label": v, "value": k} for k, v in periods.items()],
            ),
        ],
        className="filter-bar d-flex align-items-center",
    )

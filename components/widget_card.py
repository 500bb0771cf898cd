"""A dashboard widget's frame: title, size and order controls, its own settings and its body."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import dash_bootstrap_components as dbc
from dash import dcc, html
from dash.dependencies import Wildcard
from dash.development.base_component import Component

from components.attrs import attrs

SIZE_LABELS = {"small": "Small", "medium": "Medium", "large": "Large"}
SIZE_COLUMNS = {"small": 4, "medium": 6, "large": 12}


def widget_id(kind: str, widget: str | Wildcard, **more: Any) -> dict[str, Any]:
    """Pattern-matching ids of a widget's parts: pe-body, pe-size, pe-up, pe-down, pe-remove,
    pe-add (gallery), pe-opt (with `field`)."""
    return {"type": kind, "widget": widget, **more}


def icon_button(
    kind: str, widget: str, text: str, label: str, *, disabled: bool = False
) -> html.Button:
    return html.Button(
        text,
        id=widget_id(kind, widget),
        className="btn btn-sm btn-outline-secondary",
        disabled=disabled,
        title=label,
        n_clicks=0,
        **attrs(aria_label=label),
    )


def widget_card(
    *,
    widget: str,
    title: str,
    description: str,
    size: str,
    first: bool,
    last: bool,
    settings: list[Component],
    export: Component | None = None,
    body: Component | None = None,
) -> dbc.Col:
    header = html.Div(
        [
            html.Div(
                [
                    html.H2(title, className="chart-title"),
                    html.P(description, className="chart-subtitle"),
                ],
                className="widget-heading",
            ),
            html.Div(
                [
                    html.Label(
                        [
                            html.Span(f"Size of {title}", className="visually-hidden"),
                            dbc.Select(
                                id=widget_id("pe-size", widget),
                                options=[{"label": v, "value": k} for k, v in SIZE_LABELS.items()],
                                value=size,
                                size="sm",
                                className="widget-size",
                            ),
                        ],
                        className="m-0",
                    ),
                    *([export] if export is not None else []),
                    icon_button("pe-up", widget, "↑", f"Move {title} earlier", disabled=first),
                    icon_button("pe-down", widget, "↓", f"Move {title} later", disabled=last),
                    icon_button("pe-remove", widget, "✕", f"Remove {title}"),
                ],
                className="widget-tools",
            ),
        ],
        className="widget-header",
    )
    parts = [
        html.Div(settings, className="widget-settings") if settings else None,
        dcc.Loading(
            html.Div(body, id=widget_id("pe-body", widget), className="widget-body"),
            type="default",
            delay_show=200,
        ),
    ]
    card = dbc.Card(
        [dbc.CardHeader(header), dbc.CardBody([p for p in parts if p is not None])],
        className="chart-card widget-card",
    )
    return dbc.Col(
        html.Div(card, **attrs(data_widget=widget, data_size=size)),
        lg=SIZE_COLUMNS.get(size, 6),
        md=12,
        className="mb-3",
    )


def setting_select(
    widget: str, field: str, label: str, choices: Mapping[Any, str], value: Any
) -> html.Label:
    """A labelled select (the label wraps it, so pattern-matching ids need no `for`)."""
    return html.Label(
        [
            html.Span(label, className="setting-label"),
            dbc.Select(
                id=widget_id("pe-opt", widget, field=field),
                options=[{"label": text, "value": str(key)} for key, text in choices.items()],
                value=None if value is None else str(value),
                size="sm",
            ),
        ],
        className="widget-setting",
    )


def gallery_item(
    *, widget: str, title: str, description: str, category: str, added: bool
) -> html.Li:
    return html.Li(
        [
            html.Div(
                [
                    html.Strong(title),
                    dbc.Badge(category, color="light", text_color="dark", className="ms-2"),
                    html.P(description, className="chart-subtitle mb-0"),
                ]
            ),
            html.Button(
                "Added" if added else "Add",
                id=widget_id("pe-add", widget),
                className="btn btn-sm btn-primary",
                disabled=added,
                n_clicks=0,
                **attrs(aria_label=f"Added: {title}" if added else f"Add {title}"),
            ),
        ],
        className="gallery-item",
    )

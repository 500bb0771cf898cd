"""Plain data tables: every cell rendered as text, dates in ISO, a designed empty state."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import dash_bootstrap_components as dbc
import pandas as pd
from dash import Input, Output, ctx, html
from dash.development.base_component import Component
from dash.exceptions import MissingCallbackContextException

from components.empty_state import empty_state
from components.formatting import local_datetime

Cell = Callable[[Any, pd.Series], Component | str | None]


def cell_text(value: Any) -> str:
    if value is None or (not isinstance(value, list | dict) and pd.isna(value)):
        return ""
    if isinstance(value, pd.Timestamp):
        return local_datetime(value) if value.tzinfo else str(value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def data_table(
    frame: pd.DataFrame,
    columns: Mapping[str, str],
    *,
    empty_title: str,
    empty_hint: str,
    cells: Mapping[str, Cell] | None = None,
    caption: str | None = None,
) -> Component:
    """`columns` maps frame columns to headers; `cells` may render a column specially."""
    if frame.empty:
        return empty_state(empty_title, empty_hint)
    cells = cells or {}
    head = html.Thead(html.Tr([html.Th(label, scope="col") for label in columns.values()]))
    body = html.Tbody(
        [
            html.Tr(
                [
                    html.Td(cells[name](row[name], row) if name in cells else cell_text(row[name]))
                    for name in columns
                ]
            )
            for _, row in frame.iterrows()
        ]
    )
    parts = [html.Caption(caption)] if caption else []
    return dbc.Table(
        [*parts, head, body], hover=True, responsive=True, size="sm", className="data-table"
    )


def pager(prefix: str) -> html.Div:
    """Previous / next buttons and a status line for a table paged on the server.

    Ids: f"{prefix}-prev", f"{prefix}-next", f"{prefix}-status"; a callback sets them.
    """
    return html.Div(
        [
            dbc.Button("Previous", id=f"{prefix}-prev", size="sm", outline=True, disabled=True),
            html.Span(id=f"{prefix}-status", className="pager-text", role="status"),
            dbc.Button("Next", id=f"{prefix}-next", size="sm", outline=True, disabled=True),
        ],
        className="pager",
    )


def page_after(*, prefix: str, page: int | None, pages: int) -> int:
    """The page to show after a click on prev/next (any other trigger starts again at 1)."""
    try:
        trigger = ctx.triggered_id
    except MissingCallbackContextException:  # called directly, e.g. by a test
        trigger = None
    page = page or 1
    if trigger == f"{prefix}-prev":
        page -= 1
    elif trigger == f"{prefix}-next":
        page += 1
    else:
        page = 1
    return min(max(page, 1), max(pages, 1))


def pager_io(prefix: str) -> tuple[list[Output], list[Input]]:
    """The outputs (status text, previous/next disabled) and inputs (their clicks) of a pager."""
    return (
        [
            Output(f"{prefix}-status", "children"),
            Output(f"{prefix}-prev", "disabled"),
            Output(f"{prefix}-next", "disabled"),
        ],
        [Input(f"{prefix}-prev", "n_clicks"), Input(f"{prefix}-next", "n_clicks")],
    )


def paged(
    *, prefix: str, page: int | None, total: int, size: int, noun: str
) -> tuple[int, int, tuple]:
    """The page to show of `total` rows, its first row's offset, and the pager's outputs."""
    pages = max(1, -(-total // size))
    page = page_after(prefix=prefix, page=page, pages=pages)
    status = f"Page {page} of {pages} · {total:,} {noun}"
    return page, (page - 1) * size, (status, page <= 1, page >= pages)

"""Columns of Beacon's data grids (AG Grid) and a small grid for a handful of rows.

A column says what it holds, how it filters and how it shows; `column_def` makes AG Grid's
definition. Cells render as text or through the renderers in
assets/dashAgGridComponentFunctions.js (a link, a band badge, a number, a few lines), never
as HTML."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import dash_ag_grid as dag
import dash_bootstrap_components as dbc
import pandas as pd
from dash import dcc, html
from dash.development.base_component import Component

from components.empty_state import empty_state
from components.theme import RISK_COLORS, RISK_TEXT

Render = Literal["text", "link", "band", "percent", "number", "date", "lines"]


@dataclass(frozen=True)
class GridColumn:
    """A column: `field` in the rows, its header, how it filters (`kind`) and shows
    (`render`). A link's `href` is a template filled from the row, e.g. "/x?id={id}"."""

    field: str
    header: str
    kind: Literal["text", "number", "date"] = "text"
    render: Render = "text"
    sortable: bool = True
    filterable: bool = True
    href: str | None = None
    width: int | None = None


DEFAULT_WIDTH = 280  # px: a column of text or a few lines
# Rows a small grid holds in the browser (its export has them all): a whole board of six
# tables at the xlarge scale sent 870 KB of rows at 500 each, about 200 KB at 200.
MAX_SMALL_ROWS = 200


SMALL_GRID = "SmallGrid"  # the kind of a kept small grid's ids (a PE board's tables)


def grid_id(aio_id: str | Any, part: str, *, kind: str = "DataGridAIO") -> dict[str, Any]:
    """The id of a part ("grid", "state", "shown", ...) of a kept grid: `widgets.grid`'s
    callbacks keep its sort, filters and columns in step with the address."""
    return {"component": kind, "subcomponent": part, "aio_id": aio_id}


def small_grid_id(aio_id: str | Any, part: str) -> dict[str, Any]:
    """The id of a part of a kept small grid (a kind of its own: a page that gathers its
    small grids' states matches them alone, never another page's data grid)."""
    return grid_id(aio_id, part, kind=SMALL_GRID)


@dataclass(frozen=True)
class TableView:
    """A small grid whose sort, filters and columns the page keeps (in the address): the
    grid's id, its state as the address carries it, its models and the columns shown."""

    aio_id: str
    encoded: str = ""
    column_state: list[dict[str, Any]] = field(default_factory=list)
    filter_model: dict[str, Any] = field(default_factory=dict)
    visible: tuple[str, ...] = ()


def width_of(c: GridColumn) -> int:
    return c.width or DEFAULT_WIDTH


def column_def(c: GridColumn) -> dict[str, Any]:
    made: dict[str, Any] = {
        "field": c.field,
        "headerName": c.header,
        "sortable": c.sortable,
        "filter": {"text": "agTextColumnFilter", "number": "agNumberColumnFilter"}.get(
            c.kind, "agDateColumnFilter"
        )
        if c.filterable
        else False,
        "filterParams": {"maxNumConditions": 2, "buttons": ["reset"]},
    }
    # Fixed widths, never flex: AG Grid keeps a grid's cells hidden while flex columns do
    # not fit (a phone), so a flexing grid showed nothing there.
    made["width"] = width_of(c)
    if c.render == "link":
        made["cellRenderer"] = "BeaconLink"
        made["cellRendererParams"] = {"href": c.href}
    elif c.render == "band":
        made["cellRenderer"] = "BeaconBand"
        made["cellRendererParams"] = {"colors": RISK_COLORS, "text": RISK_TEXT}
    elif c.render == "lines":  # a line each, cut to the width; the whole text on hover
        made.update(cellRenderer="BeaconLines", cellClass="grid-lines")
    elif c.render in ("percent", "number"):
        made["type"] = "rightAligned"
        made["cellRenderer"] = "BeaconNumber"
        made["cellRendererParams"] = {"style": c.render}
    return made


def as_displayed(frame: pd.DataFrame, columns: Sequence[GridColumn]) -> pd.DataFrame:
    """The columns' values as a small grid shows them (and filters them): percent columns
    hold shares (0.25) and show 25.0; dates are ISO days."""
    shown = frame[[c.field for c in columns if c.field in frame]].copy()
    for c in columns:
        if c.render == "percent" and c.field in shown:
            shown[c.field] = shown[c.field] * 100
        elif c.kind == "date" and c.field in shown:
            shown[c.field] = pd.to_datetime(shown[c.field]).dt.strftime("%Y-%m-%d")
    return shown


def small_grid(
    frame: pd.DataFrame,
    columns: Sequence[GridColumn],
    *,
    caption: str | None = None,
    empty: tuple[str, str] | None = None,
    page_size: int | None = None,
    view: TableView | None = None,
) -> Component:
    """A widget's rows in a grid that sorts and filters in the browser: every row (up to
    MAX_SMALL_ROWS) is there, `page_size` to a page. With a `view`, its sort, filters and
    columns are the page's (kept in the address), with a column chooser and filters on
    every filterable column. With no rows: the `empty` state (title, hint), or nothing."""
    if frame.empty:
        return empty_state(*empty) if empty else html.Div()
    shown = as_displayed(frame, columns)
    held = shown.head(MAX_SMALL_ROWS)
    held = held.astype(object).where(held.notna(), None)
    # Narrow cards: the columns share the width and long text wraps onto taller rows.
    share = {"number": 90, "date": 110, "text": 150}  # widths in proportion; lines 240
    defs = [
        column_def(c)
        | {
            "width": 240 if c.render == "lines" else share[c.kind],
            # Room for the header's longest word, the sort arrow and the filter button.
            "minWidth": (52 if view and c.filterable else 32)
            + 9 * max(len(word) for word in c.header.split()),
        }
        | ({} if view else {"filter": False})
        for c in columns
    ]
    for made in defs:  # a few lines wrap here, in full, rather than being cut
        if made.get("cellRenderer") == "BeaconLines":
            del made["cellRenderer"]
    paged = page_size is not None and len(held) > page_size
    kept: dict[str, Any] = (
        {
            "id": small_grid_id(view.aio_id, "grid"),
            "columnState": view.column_state,
            "filterModel": view.filter_model,
        }
        if view
        else {}
    )
    grid = dag.AgGrid(
        rowData=held.to_dict("records"),
        columnDefs=defs,
        defaultColDef={
            "resizable": True,
            "suppressMovable": True,
            "wrapHeaderText": True,
            "wrapText": True,
            "autoHeight": True,
            "minWidth": 70,
        },
        dashGridOptions={
            "domLayout": "autoHeight",
            "headerHeight": 64,  # three lines of a wrapped header, never measured
            "localeText": {"noRowsToShow": "No rows match: clear a filter."},
            "multiSortKey": "ctrl",
        }
        | (
            {
                "pagination": True,
                "paginationPageSize": page_size,
                "paginationPageSizeSelector": False,
            }
            if paged
            else {}
        ),
        columnSize="responsiveSizeToFit",  # the card's width, shared in those proportions
        className="beacon-grid small-grid",
        style={"height": None},
        **kept,
    )
    parts: list[Component] = [html.P(caption, className="grid-caption")] if caption else []
    if view:
        parts.append(_small_toolbar(view, columns, min(len(shown), MAX_SMALL_ROWS)))
    if len(shown) > MAX_SMALL_ROWS:
        parts.append(
            html.P(
                f"The table holds the first {MAX_SMALL_ROWS:,} of {len(shown):,} rows; its "
                "export has them all. Narrow the board's filters to see the rest here.",
                className="widget-note",
            )
        )
    extra = [dcc.Store(id=small_grid_id(view.aio_id, "state"), data=view.encoded)] if view else []
    return html.Div([*parts, *extra, grid], className="small-grid-box")


def _small_toolbar(view: TableView, columns: Sequence[GridColumn], held: int) -> Component:
    """How many rows the table's filters keep (`widgets.grid` counts them as the grid
    filters), and its column chooser."""
    chooser = html.Details(
        [
            html.Summary("Columns", className="btn btn-sm btn-outline-secondary"),
            dbc.Checklist(
                id=small_grid_id(view.aio_id, "shown"),
                options=[{"label": c.header, "value": c.field} for c in columns],
                value=list(view.visible) or [c.field for c in columns],
                className="grid-columns-list",
            ),
        ],
        className="grid-columns",
    )
    return html.Div(
        [
            html.Span(
                f"{held:,} {'row' if held == 1 else 'rows'}",
                id=small_grid_id(view.aio_id, "rows"),
                className="small",
                role="status",
            ),
            chooser,
        ],
        className="grid-toolbar small-grid-bar",
    )

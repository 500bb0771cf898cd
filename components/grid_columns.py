"""Columns of Beacon's data grids (AG Grid) and a small grid for a handful of rows.

A column says what it holds, how it filters and how it shows; `column_def` makes AG Grid's
definition. Cells render as text or through the renderers in
assets/dashAgGridComponentFunctions.js (a link, a band badge, a number, a few lines), never
as HTML."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import dash_ag_grid as dag
import pandas as pd
from dash import html
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


def small_grid(
    frame: pd.DataFrame,
    columns: Sequence[GridColumn],
    *,
    caption: str | None = None,
    empty: tuple[str, str] | None = None,
) -> Component:
    """A few rows (a widget's top ten, say) in a grid sorted in the browser: every row is
    already there. Percent columns hold shares (0.25) and show 25.0%. With no
    rows: the `empty` state (title, hint), or nothing."""
    if frame.empty:
        return empty_state(*empty) if empty else html.Div()
    shown = frame[[c.field for c in columns if c.field in frame]].copy()
    for c in columns:
        if c.render == "percent" and c.field in shown:
            shown[c.field] = shown[c.field] * 100
        elif c.kind == "date" and c.field in shown:
            shown[c.field] = pd.to_datetime(shown[c.field]).dt.strftime("%Y-%m-%d")
    shown = shown.astype(object).where(shown.notna(), None)
    # Narrow cards: the columns share the width and long text wraps onto taller rows; a
    # header click sorts (a dozen rows need no filter, and its button would cost the room).
    share = {"number": 90, "date": 110, "text": 150}  # widths in proportion; lines 240
    defs = [
        column_def(c)
        | {
            "filter": False,
            "width": 240 if c.render == "lines" else share[c.kind],
            # Room for the header's longest word and the sort arrow: never "Inci…".
            "minWidth": 44 + 9 * max(len(word) for word in c.header.split()),
        }
        for c in columns
    ]
    for made in defs:  # a few lines wrap here, in full, rather than being cut
        if made.get("cellRenderer") == "BeaconLines":
            del made["cellRenderer"]
    grid = dag.AgGrid(
        rowData=shown.to_dict("records"),
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
            "localeText": {"noRowsToShow": "Nothing to show."},
        },
        columnSize="responsiveSizeToFit",  # the card's width, shared in those proportions
        className="beacon-grid small-grid",
        style={"height": None},
    )
    parts = [html.P(caption, className="grid-caption")] if caption else []
    return html.Div([*parts, grid], className="small-grid-box")

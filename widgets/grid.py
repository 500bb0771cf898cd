"""Analyst-grade tables: an AG Grid whose rows come from the server a block at a time, sorted
and filtered there, with the sort, filters, hidden columns and widths kept in the URL.

`DataGridAIO` is the widget; its page answers `getRowsRequest` with `rows_response`. The
grid's state travels as `GridState`: parsed and checked here from the grid's own models or
from the URL (only known columns, filter types and operators survive), and encoded back as a
short JSON for the address, share links and exports."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import dash
import dash_ag_grid as dag
import dash_bootstrap_components as dbc
import numpy as np
import pandas as pd
from dash import MATCH, Input, Output, callback, ctx, dcc, html
from dash.dependencies import Wildcard

from auth.access import EVERYONE, requires
from components.attrs import attrs
from components.grid_columns import (
    SMALL_GRID,
    GridColumn,
    TableView,
    as_displayed,
    column_def,
    grid_id,
    small_grid_id,
    width_of,
)
from data.grid import OPS, ColumnFilter, Condition, SortKey, filter_frame, sort_frame

BLOCK = 100  # rows per request: a screen or two, never the table
MAX_SORT_KEYS = 3
MAX_TEXT = 80


@dataclass(frozen=True)
class GridState:
    sort: tuple[SortKey, ...] = ()
    filters: tuple[ColumnFilter, ...] = ()
    hidden: tuple[str, ...] = ()
    widths: tuple[tuple[str, int], ...] = field(default=())

    def encode(self) -> str:
        """Short JSON for the URL ("" when nothing differs from the grid's defaults)."""
        data: dict[str, Any] = {}
        if self.sort:
            data["sort"] = [[k.column, "desc" if k.descending else "asc"] for k in self.sort]
        if self.filters:
            data["filter"] = filter_model(self.filters)
        if self.hidden:
            data["hide"] = list(self.hidden)
        if self.widths:
            data["width"] = dict(self.widths)
        # Letters as themselves (an "é" escaped is six characters of the address's limit).
        return json.dumps(data, separators=(",", ":"), ensure_ascii=False) if data else ""

    def visible(self, columns: Sequence[GridColumn]) -> list[GridColumn]:
        return [c for c in columns if c.field not in self.hidden]


def parse_state(raw: str, columns: Sequence[GridColumn]) -> GridState:
    """The grid state of a URL value; raises ValueError on what is not JSON. Unknown columns,
    filter types, operators and bad values are dropped one by one."""
    try:
        data = json.loads(raw) if raw else {}
    except RecursionError:  # "[[[[…": nested past what the parser takes
        raise ValueError("the grid state is nested too deeply") from None
    if not isinstance(data, dict):
        raise ValueError("the grid state must be an object")
    by_field = {c.field: c for c in columns}
    sort = [
        {"colId": k[0], "sort": k[1]}
        for k in _list(data.get("sort"))
        if isinstance(k, list) and len(k) == 2
    ]
    widths = data.get("width")
    widths = widths if isinstance(widths, dict) else {}
    hidden = _list(data.get("hide"))
    return GridState(
        sort=sort_keys(sort, columns),
        filters=column_filters(data.get("filter"), columns),
        hidden=tuple(h for h in hidden if _named(h, by_field))[: len(columns) - 1],
        widths=_widths(widths, by_field),
    )


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _named(value: Any, names: Mapping[str, Any] | set[str]) -> bool:
    """Whether a value from the browser is one of the names (a forged list or object is not,
    and never reaches a lookup that would fail on it)."""
    return isinstance(value, str) and value in names


def sort_keys(model: Any, columns: Sequence[GridColumn]) -> tuple[SortKey, ...]:
    """AG Grid's sort model ([{"colId", "sort"}, ...]) on sortable columns."""
    sortable = {c.field for c in columns if c.sortable}
    keys = [
        SortKey(item["colId"], item["sort"] == "desc")
        for item in _list(model)
        if isinstance(item, dict)
        and _named(item.get("colId"), sortable)
        and item.get("sort") in ("asc", "desc")
    ]
    return tuple(keys[:MAX_SORT_KEYS])


def column_filters(model: Any, columns: Sequence[GridColumn]) -> tuple[ColumnFilter, ...]:
    """AG Grid's filter model on filterable columns, each condition checked."""
    if not isinstance(model, dict):
        return ()
    kinds = {c.field: c.kind for c in columns if c.filterable}
    found = []
    for name, entry in model.items():
        kind = kinds.get(name)
        if kind is None or not isinstance(entry, dict) or entry.get("filterType") != kind:
            continue
        parts = _list(entry.get("conditions")) if "conditions" in entry else [entry]
        checked = [c for c in (_condition(kind, p) for p in parts[:2]) if c]
        if checked:
            found.append(
                ColumnFilter(
                    name, kind, tuple(checked), "OR" if entry.get("operator") == "OR" else "AND"
                )
            )
    return tuple(found)


def filter_model(filters: Sequence[ColumnFilter]) -> dict[str, Any]:
    """The filters in AG Grid's own model (to hand back to the grid)."""
    model: dict[str, Any] = {}
    for f in filters:
        parts = [_model_condition(f.kind, c) for c in f.conditions]
        if len(parts) == 1:
            model[f.column] = parts[0]
        else:
            model[f.column] = {"filterType": f.kind, "operator": f.join, "conditions": parts}
    return model


def _condition(kind: str, part: Any) -> Condition | None:
    if not isinstance(part, dict) or not _named(part.get("type"), set(OPS[kind])):
        return None
    op = part["type"]
    if op in ("blank", "notBlank"):
        return Condition(op)
    try:
        if kind == "text":
            value = part.get("filter")
            return Condition(op, value[:MAX_TEXT]) if isinstance(value, str) and value else None
        if kind == "number":
            low = _number(part.get("filter"))
            high = _number(part.get("filterTo")) if op == "inRange" else None
            return Condition(op, low, high) if op != "inRange" or high is not None else None
        low_day = _day(part.get("dateFrom"))
        high_day = _day(part.get("dateTo")) if op == "inRange" else None
        return Condition(op, low_day, high_day)
    except (TypeError, ValueError, OverflowError):
        return None


def _day(value: Any) -> date:
    """A filter's day; years 1900 to 9998 only (a day's end must exist in any zone)."""
    day = date.fromisoformat(str(value)[:10])
    if not 1900 <= day.year <= 9998:
        raise ValueError(f"a filter date must be in 1900 to 9998; got {day}")
    return day


def _number(value: Any) -> float:
    number = float(value)
    if isinstance(value, bool) or not math.isfinite(number):
        raise ValueError(f"a filter number must be finite; got {value!r}")
    return number


def _model_condition(kind: str, c: Condition) -> dict[str, Any]:
    made: dict[str, Any] = {"filterType": kind, "type": c.op}
    if c.op in ("blank", "notBlank"):
        return made
    if kind == "date":
        made["dateFrom"] = f"{c.value.isoformat()} 00:00:00"
        made["dateTo"] = f"{c.to.isoformat()} 00:00:00" if c.to else None
    else:
        made["filter"] = c.value
        if c.to is not None:
            made["filterTo"] = c.to
    return made


def _widths(widths: Mapping[Any, Any], by_field: Mapping[str, GridColumn]) -> tuple:
    return tuple(
        (name, int(width))
        for name, width in widths.items()
        if name in by_field and isinstance(width, int | float) and 40 <= width <= 1200
    )


def state_from_grid(column_state: Any, model: Any, columns: Sequence[GridColumn]) -> GridState:
    """The state the grid shows: its column state (sort, hidden, widths) and filters."""
    by_field = {c.field: c for c in columns}
    entries = [e for e in _list(column_state) if isinstance(e, dict)]
    entries = [e for e in entries if _named(e.get("colId"), by_field)]
    sorted_entries = sorted(
        (e for e in entries if e.get("sort")),
        key=lambda e: e["sortIndex"] if isinstance(e.get("sortIndex"), int) else 0,
    )
    widths = {
        e["colId"]: e.get("width")
        for e in entries
        if e.get("width") != width_of(by_field[e["colId"]])
    }
    return GridState(
        sort=sort_keys(sorted_entries, columns),
        filters=column_filters(model, columns),
        hidden=tuple(e["colId"] for e in entries if e.get("hide") is True),
        widths=_widths(widths, by_field),
    )


def column_state(
    state: GridState, columns: Sequence[GridColumn], *, widths: bool = True
) -> list[dict[str, Any]]:
    """The grid's column state for a GridState (every column, in the page's order); without
    `widths` for a small grid, whose columns share its width."""
    order = {k.column: (i, k) for i, k in enumerate(state.sort)}
    kept_widths = dict(state.widths)
    made = []
    for c in columns:
        entry: dict[str, Any] = {"colId": c.field, "hide": c.field in state.hidden}
        if c.field in order:
            index, key = order[c.field]
            entry.update(sort="desc" if key.descending else "asc", sortIndex=index)
        else:
            entry.update(sort=None, sortIndex=None)
        if widths:
            entry["width"] = kept_widths.get(c.field, width_of(c))
        made.append(entry)
    return made


def describe(state: GridState, columns: Sequence[GridColumn]) -> str:
    """The state in words, for a report's list of filters."""
    headers = {c.field: c.header for c in columns}
    words = [
        f"sorted by {headers[k.column]} {'descending' if k.descending else 'ascending'}"
        for k in state.sort
    ]
    words += [f"{headers[f.column]} filtered" for f in state.filters]
    if state.hidden:
        words.append(f"{len(state.hidden)} column{'s' if len(state.hidden) > 1 else ''} hidden")
    return "; ".join(words) or "as shown"


def rows_response(frame: pd.DataFrame, total: int, columns: Sequence[GridColumn]) -> dict:
    """The grid's answer to a getRowsRequest: JSON-safe rows (dates as ISO days, no NaN)."""
    dated = {c.field for c in columns if c.kind == "date"}
    fields = list(frame.columns)
    cells = []
    # Column by column as Python values, missing ones None: a copy, `astype(object)`, a
    # `where` and `to_dict` took 3-4 ms for a block of 100 rows (#26).
    for name, series in frame.items():
        values = series.tolist()
        if series.dtype == object:  # numpy scalars held as objects, as Python's
            values = [v.item() if isinstance(v, np.generic) else v for v in values]
        if name in dated:  # ISO days, unless the page wrote its own
            values = [_iso_day(value) for value in values]
        missing = series.isna().tolist()
        cells.append([None if gone else value for value, gone in zip(values, missing, strict=True)])
    rows = [dict(zip(fields, row, strict=True)) for row in zip(*cells, strict=True)]
    return {"rowData": rows if cells else [{} for _ in range(len(frame))], "rowCount": int(total)}


def as_shown(frame: pd.DataFrame, state: GridState, columns: Sequence[GridColumn]) -> pd.DataFrame:
    """The columns the grid shows, in its order, headed as it heads them (for an export)."""
    shown = [c for c in state.visible(columns) if c.field in frame]
    return frame[[c.field for c in shown]].rename(columns={c.field: c.header for c in shown})


def _iso_day(value: Any) -> Any:
    if value is None or isinstance(value, str) or pd.isna(value):
        return value
    return pd.Timestamp(value).strftime("%Y-%m-%d")


def rows_io(aio_id: str) -> list[Any]:
    """The dependencies of a page's rows callback, `rows(request, query)`: it answers the
    grid's request for a block (and says how many rows match) under the page's query."""
    return [
        Output(DataGridAIO.ids.grid(aio_id), "getRowsResponse"),
        Output(DataGridAIO.ids.count(aio_id), "children"),
        Input(DataGridAIO.ids.grid(aio_id), "getRowsRequest"),
        dash.State(DataGridAIO.ids.query(aio_id), "data"),
    ]


def requested_view(
    request: Any, query: Any, view: Any, columns: Sequence[GridColumn]
) -> tuple[int, int, dict[str, Any]]:
    """The first row, the row count and the view's state (its filters from the page's query,
    checked, and "grid": the request's sort and filters) of a getRowsRequest."""
    start, size, grid = requested(request, columns)
    return start, size, {**view.state(query if isinstance(query, dict) else {}), "grid": grid}


def requested(request: Any, columns: Sequence[GridColumn]) -> tuple[int, int, GridState]:
    """The first row, the row count and the sort and filters of a getRowsRequest."""
    request = request if isinstance(request, dict) else {}
    start = request.get("startRow")
    start = start if isinstance(start, int) and 0 <= start <= 10_000_000 else 0
    state = GridState(
        sort=sort_keys(request.get("sortModel"), columns),
        filters=column_filters(request.get("filterModel"), columns),
    )
    return start, BLOCK, state


class DataGridAIO(html.Div):
    """The grid, a "Columns" chooser and a live count of the rows that match."""

    class ids:
        @staticmethod
        def grid(aio_id: str | Wildcard) -> dict[str, Any]:
            return grid_id(aio_id, "grid")

        @staticmethod
        def state(aio_id: str | Wildcard) -> dict[str, Any]:
            return grid_id(aio_id, "state")

        @staticmethod
        def shown(aio_id: str | Wildcard) -> dict[str, Any]:
            return grid_id(aio_id, "shown")

        @staticmethod
        def query(aio_id: str | Wildcard) -> dict[str, Any]:
            return grid_id(aio_id, "query")

        @staticmethod
        def asked(aio_id: str | Wildcard) -> dict[str, Any]:
            return grid_id(aio_id, "asked")

        @staticmethod
        def count(aio_id: str | Wildcard) -> dict[str, Any]:
            return grid_id(aio_id, "count")

    def __init__(
        self,
        aio_id: str,
        *,
        state: GridState,
        query: Mapping[str, Any],
        label: str,
        height: int = 520,
        row_height: int = 42,
    ) -> None:
        columns = GRIDS[aio_id]
        chooser = html.Details(
            [
                html.Summary("Columns", className="btn btn-sm btn-outline-secondary"),
                dbc.Checklist(
                    id=self.ids.shown(aio_id),
                    options=[{"label": c.header, "value": c.field} for c in columns],
                    value=[c.field for c in state.visible(columns)],
                    className="grid-columns-list",
                ),
            ],
            className="grid-columns",
        )
        super().__init__(
            [
                html.Div(
                    [html.Span(id=self.ids.count(aio_id), role="status"), chooser],
                    className="grid-toolbar",
                ),
                dcc.Store(id=self.ids.state(aio_id), data=state.encode()),
                dcc.Store(id=self.ids.query(aio_id), data=dict(query)),
                dcc.Store(id=self.ids.asked(aio_id)),
                dag.AgGrid(
                    id=self.ids.grid(aio_id),
                    rowModelType="infinite",
                    columnDefs=[column_def(c) for c in columns],
                    columnState=column_state(state, columns),
                    filterModel=filter_model(state.filters),
                    defaultColDef={
                        "resizable": True,
                        "suppressMovable": True,
                        "wrapHeaderText": True,
                    },
                    dashGridOptions={
                        "cacheBlockSize": BLOCK,
                        "rowHeight": row_height,
                        # Fixed, room for three lines: AG Grid's measured header height
                        # left the headers hidden in a narrow window until a resize.
                        "headerHeight": 64,
                        "maxBlocksInCache": 10,
                        "infiniteInitialRowCount": 1,
                        "multiSortKey": "ctrl",
                        "suppressDragLeaveHidesColumns": True,
                        "localeText": {"noRowsToShow": "No rows match: clear a filter."},
                    },
                    style={"height": f"{height}px"},
                    className="beacon-grid",
                ),
            ],
            className="data-grid",
            role="region",
            **attrs(aria_label=label),
        )


GRIDS: dict[str, tuple[GridColumn, ...]] = {}


def grid_columns(aio_id: str, columns: Sequence[GridColumn]) -> tuple[GridColumn, ...]:
    """Declare a grid's columns once, at import: the server trusts these, never the page."""
    GRIDS[aio_id] = tuple(columns)
    return GRIDS[aio_id]


def table_view(aio_id: str, state: GridState) -> TableView:
    """A small grid's view of a state (its columns declared with `grid_columns`)."""
    columns = GRIDS[aio_id]
    return TableView(
        aio_id=aio_id,
        encoded=state.encode(),
        column_state=column_state(state, columns, widths=False),
        filter_model=filter_model(state.filters),
        visible=tuple(c.field for c in state.visible(columns)),
    )


def as_seen_in_grid(
    frame: pd.DataFrame, state: GridState, columns: Sequence[GridColumn]
) -> pd.DataFrame:
    """A small grid's rows as it shows them under a state (filtered in the browser by the
    same rules), for its export: values as shown, filtered, sorted, its columns, its headers."""
    shown = as_displayed(frame, columns)
    shown = sort_frame(filter_frame(shown, state.filters), state.sort)
    return as_shown(shown, state, columns)


@requires(*EVERYONE)
def keep_in_step(current: Any, model: Any, shown: Any, encoded: Any) -> tuple[Any, ...]:
    """The grid, its column chooser and the URL's state follow whichever one changed."""
    made_by = ctx.triggered_id if isinstance(ctx.triggered_id, dict) else {}
    columns = GRIDS.get(str(made_by.get("aio_id")), ())
    if not columns:
        raise dash.exceptions.PreventUpdate
    keep = dash.no_update
    trigger = made_by.get("subcomponent")
    small = made_by.get("component") == SMALL_GRID  # its widths follow its card
    encoded = encoded if isinstance(encoded, str) else ""
    if trigger == "state":
        try:
            state = parse_state(encoded, columns)
        except ValueError:
            raise dash.exceptions.PreventUpdate from None
        visible = [c.field for c in state.visible(columns)]
        shape = column_state(state, columns, widths=not small)
        return keep, shape, filter_model(state.filters), visible
    state = state_from_grid(current, model, columns)
    if small:  # a small grid's widths follow its card, never the address
        state = GridState(state.sort, state.filters, state.hidden)
    if trigger == "shown":
        names = {c.field for c in columns}
        chosen = {n for n in _list(shown) if _named(n, names)} or {columns[0].field}  # never none
        hidden = tuple(c.field for c in columns if c.field not in chosen)
        state = GridState(state.sort, state.filters, hidden, state.widths)
        made = state.encode()
        if small:  # the browser hides its columns itself (below): a columnState sent to a
            return made, keep, keep, keep  # grid that sizes to fit can be lost in a resize
        return made, column_state(state, columns), keep, keep
    made = state.encode()
    if made == encoded:
        raise dash.exceptions.PreventUpdate
    return made, keep, keep, [c.field for c in state.visible(columns)]


for _part in (grid_id, small_grid_id):  # the data grids and the kept small grids
    callback(
        Output(_part(MATCH, "state"), "data"),
        Output(_part(MATCH, "grid"), "columnState"),
        Output(_part(MATCH, "grid"), "filterModel"),
        Output(_part(MATCH, "shown"), "value"),
        Input(_part(MATCH, "grid"), "columnState"),
        Input(_part(MATCH, "grid"), "filterModel"),
        Input(_part(MATCH, "shown"), "value"),
        Input(_part(MATCH, "state"), "data"),
        prevent_initial_call=True,
    )(keep_in_step)


# A change of the page's own filters (the grid's query) asks the grid for its rows again.
dash.clientside_callback(
    """function (query, id) {
        const grid = Object.assign({}, id, {subcomponent: "grid"});
        dash_ag_grid.getApiAsync(grid).then(function (api) { api.purgeInfiniteCache(); });
        return Date.now();
    }""",
    Output(DataGridAIO.ids.asked(MATCH), "data"),
    Input(DataGridAIO.ids.query(MATCH), "data"),
    dash.State(DataGridAIO.ids.query(MATCH), "id"),
    prevent_initial_call=True,
)


# A small grid's count follows its filters, as the browser applies them.
dash.clientside_callback(
    """function (rows, held) {
        const shown = Array.isArray(rows) ? rows.length : 0;
        const total = Array.isArray(held) ? held.length : 0;
        const word = total === 1 ? "row" : "rows";
        return shown === total ? total.toLocaleString("en") + " " + word
            : shown.toLocaleString("en") + " of " + total.toLocaleString("en") + " rows match";
    }""",
    Output(small_grid_id(MATCH, "rows"), "children"),
    Input(small_grid_id(MATCH, "grid"), "virtualRowData"),
    dash.State(small_grid_id(MATCH, "grid"), "rowData"),
    prevent_initial_call=True,
)

# A small grid's column chooser hides and shows its columns in the browser (the grid then
# reports its new column state, which `keep_in_step` puts into the address).
dash.clientside_callback(
    """function (shown, id) {
        const grid = Object.assign({}, id, {subcomponent: "grid"});
        dash_ag_grid.getApiAsync(grid).then(function (api) {
            const state = api.getColumnState();
            const chosen = Array.isArray(shown) && shown.length ? shown : [state[0].colId];
            const keep = new Set(chosen);
            const hide = function (c) { return {colId: c.colId, hide: !keep.has(c.colId)}; };
            api.applyColumnState({state: state.map(hide)});
        });
        return window.dash_clientside.no_update;
    }""",
    Output(small_grid_id(MATCH, "rows"), "title"),
    Input(small_grid_id(MATCH, "shown"), "value"),
    dash.State(small_grid_id(MATCH, "shown"), "id"),
    prevent_initial_call=True,
)

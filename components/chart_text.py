"""A chart's text alternative: a sentence that sums it up for screen readers, and its data
as a table anyone can open under the chart. Both are read from the figure itself, so they
always say what the chart shows."""

from __future__ import annotations

from datetime import date, datetime
from html import escape
from typing import Any

import numpy as np
import pandas as pd
from dash import html
from dash.development.base_component import Component

from components.attrs import attrs
from components.formatting import count_of, number, percent
from components.theme import Figure, figure_parts

MAX_ROWS = 60  # a chart's table beyond this points to the export for the rest
SERIES_TYPES = {"bar", "scatter", "scattergl", "funnel"}


def series_of(figure: Figure) -> tuple[str, list[tuple[str, list[Any], list[Any]]]]:
    """The category axis's title and each named series as (name, categories, values)."""
    data, layout = figure_parts(figure)
    found = []
    axis = ""
    for trace in data:
        kind = trace.get("type", "scatter")
        if kind == "heatmap":  # a row of cells is a series over the x axis
            axis = axis or (_title(layout.get("xaxis")) or "")
            rows, columns = _or_empty(trace.get("y")), list(_or_empty(trace.get("x")))
            for row, cells in zip(rows, _or_empty(trace.get("z")), strict=False):
                found.append((_label(row), columns, list(cells)))
            continue
        if kind == "pie":
            found.append(
                (
                    trace.get("name") or "Share",
                    list(_or_empty(trace.get("labels"))),
                    list(_or_empty(trace.get("values"))),
                )
            )
            continue
        if kind not in SERIES_TYPES or (
            trace.get("showlegend") is False and trace.get("fill") == "toself"
        ):
            continue  # a shaded band is drawn around a series, not a series of its own
        orientation = trace.get("orientation")
        horizontal = orientation == "h" or (kind == "funnel" and orientation != "v")
        categories, values = (
            (trace.get("y"), trace.get("x")) if horizontal else (trace.get("x"), trace.get("y"))
        )
        if categories is None or values is None:
            continue
        title = _title(layout.get("yaxis" if horizontal else "xaxis"))
        axis = axis or (title or "")
        found.append((_series_name(trace), list(categories), list(values)))
    return axis, found


def _series_name(trace: dict[str, Any]) -> str:
    """The trace's name, or what its `meta` says it is where the legend names something
    else (a shaded band's edge)."""
    meta = trace.get("meta")
    said = meta.get("series") if isinstance(meta, dict) else None
    return str(said or trace.get("name") or "Value")


def _or_empty(values: Any) -> Any:
    return [] if values is None else values


def _title(axis: dict[str, Any] | None) -> str | None:
    title = (axis or {}).get("title")
    return title.get("text") if isinstance(title, dict) else title


def _label(value: Any) -> str:
    if isinstance(value, datetime):  # pandas Timestamps too
        midnight = (value.hour, value.minute, value.second) == (0, 0, 0)
        return value.strftime("%Y-%m-%d" if midnight else "%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    text = str(value)
    return text[:10] if len(text) >= 19 and text[4] == "-" and text[10] == "T" else text


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float | np.number) and not isinstance(value, bool)


def _number(value: Any, as_percent: bool) -> str:
    if isinstance(value, int | float) and not pd.isna(value):
        if as_percent:
            return percent(value)
        return number(value) if float(value).is_integer() else f"{value:,.3g}"
    return "–" if value is None or pd.isna(value) else str(value)


def _percent_axis(figure: Figure) -> bool:
    layout = figure_parts(figure)[1]
    formats = [(layout.get(axis) or {}).get("tickformat") or "" for axis in ("yaxis", "xaxis")]
    return any("%" in f for f in formats)


def chart_summary(figure: Figure) -> str:
    """One or two sentences: how many series and points, and for a single series its highest
    and lowest point."""
    axis, series = series_of(figure)
    if not series:
        return "A chart without data points."
    as_percent = _percent_axis(figure)
    names = [name for name, _, _ in series]
    points = max(len(c) for _, c, _ in series)
    by = f" by {axis.lower()}" if axis else ""
    if len(series) > 1:
        listed = ", ".join(names[:6]) + (", …" if len(names) > 6 else "")
        return f"{len(series)} series{by}, {count_of(points, 'point')} each at most: {listed}."
    text = f"{names[0]}{by}, {count_of(points, 'point')}"
    _, categories, values = series[0]
    numeric = [
        (v, c) for c, v in zip(categories, values, strict=False) if isinstance(v, int | float)
    ]
    if not numeric:
        return f"{text}."
    high, low = max(numeric, key=lambda p: p[0]), min(numeric, key=lambda p: p[0])
    if len(numeric) == 1:  # not "Highest: Grade 1 (15.6); lowest: Grade 1 (15.6)"
        return f"{text}: {_label(high[1])} ({_number(high[0], as_percent)})."
    return (
        f"{text}. Highest: {_label(high[1])} ({_number(high[0], as_percent)}); "
        f"lowest: {_label(low[1])} ({_number(low[0], as_percent)})."
    )


def chart_table(figure: Figure) -> Component | None:
    """The chart's data as a table, one row per category and a column per series, inside a
    closed disclosure ("Data as a table") under the chart."""
    axis, series = series_of(figure)
    if not series:
        return None
    as_percent = _percent_axis(figure)
    order: list[str] = []
    cells: dict[tuple[str, str], str] = {}
    at: dict[str, Any] = {}  # each row's category as the chart places it
    for name, categories, values in series:
        for category, value in zip(categories, values, strict=False):
            key = _label(category)
            if key not in order:
                order.append(key)
                at[key] = category
            cells[(key, name)] = _number(value, as_percent)
    if all(_is_number(c) for c in at.values()):  # a numeric axis runs low to high
        order.sort(key=lambda key: float(at[key]))
    names = list(dict.fromkeys(name for name, _, _ in series))
    shown = order[:MAX_ROWS]
    note = (
        [html.P(f"The first {MAX_ROWS} of {len(order)} rows; export the chart for all of them.")]
        if len(order) > MAX_ROWS
        else []
    )
    return html.Details(
        [
            html.Summary("Data as a table"),
            html.Div(  # scrolls in its own box, and the keyboard can scroll it
                # The table's HTML, every text in it escaped, drawn by assets/chart_table.js
                # once the reader opens it (#26: drawn through dcc.Markdown, every chart's
                # closed table cost every page load the Markdown bundles and a parse).
                html.Div(
                    className="chart-data-table",
                    **attrs(data_table=table_html(axis or "Category", names, shown, cells)),
                ),
                tabIndex="0",
                role="region",
                className="chart-data-scroll",
                **attrs(aria_label="The chart's data"),
            ),
            *note,
        ],
        className="chart-data small",
    )


def table_html(
    corner: str, columns: list[str], rows: list[str], cells: dict[tuple[str, str], str]
) -> str:
    """The table as one piece of HTML, every text escaped. One component in the browser
    instead of one per cell: Dash's renderer walks every component of an answer, and a
    page's chart tables (up to 60 rows each) were most of its components, over a second of
    the tutor risk page's first load at the xlarge scale."""
    head = "".join(f'<th scope="col">{_text(text)}</th>' for text in [corner, *columns])
    body = "".join(
        f'<tr><th scope="row">{_text(row)}</th>'
        + "".join(f"<td>{_text(cells.get((row, c), '–'))}</td>" for c in columns)
        + "</tr>"
        for row in rows
    )
    return (
        f'<table class="table table-sm mb-1"><thead><tr>{head}</tr></thead>'
        f"<tbody>{body}</tbody></table>"
    )


def _text(value: str) -> str:
    """A cell's text for the table's HTML: escaped, its white space as single spaces (as
    the chart's own labels show it)."""
    return escape(" ".join(str(value).split()))


def with_text(graph: Component, figure: Figure) -> Component:
    """The graph, its summary sentence (for screen readers) and its data table."""
    return html.Figure(
        [
            graph,
            html.Figcaption(chart_summary(figure), className="visually-hidden"),
            *[t for t in [chart_table(figure)] if t is not None],
        ],
        className="chart-figure mb-0",
    )

"""Figure factories shared by pages: values in, themed figures out, as plain dicts (plotly's
validation of each property cost 3-6 ms a chart and bought nothing here, #26); tests hold
each to the JSON its `go.Figure` made."""

from __future__ import annotations

import math
from collections.abc import Sequence, Sized
from typing import Any

import pandas as pd

from components.theme import (
    RISK_COLORS,
    SERIES_COLORS,
    STATUS_COLORS,
    FigureT,
    themed,
    values,
)

NO_DRILL = "This chart does not drill down"

WEEK_MS = 7 * 24 * 3600 * 1000
A_MONDAY = "2000-01-03"


def week_axis(weeks: Sized, *, on: Any = A_MONDAY) -> dict[str, Any]:
    """The x axis of weekly points: a tick on their weekday (`on`, a date on it: Monday-start
    weeks by default), every week or every few weeks (at most 8 ticks). Plotly's own weekly
    ticks fall on Sundays, so each bar stood a day to the right of a date not its week's."""
    every = max(1, math.ceil(len(weeks) / 8))
    return {"type": "date", "tick0": str(pd.Timestamp(on).date()), "dtick": every * WEEK_MS}


def hover_hint(figure: dict[str, Any], hint: str) -> dict[str, Any]:
    """Every trace's tooltip ends with `hint`, which says what a click on the chart does (or
    that it does nothing). A trace without a tooltip of its own gets the plain one of its type
    (with its text, if it has any). A tooltip that lists every trace at once (unified hover)
    says it once, on the first trace that shows one."""
    unified = "unified" in str(figure.get("layout", {}).get("hovermode", ""))
    for trace in figure.get("data", []):
        if trace.get("hoverinfo") in ("skip", "none"):
            continue
        template = trace.get("hovertemplate") or _plain_tooltip(trace)
        if isinstance(template, list | tuple):
            trace["hovertemplate"] = [_with_hint(str(one), hint) for one in template]
        else:
            trace["hovertemplate"] = _with_hint(str(template), hint)
        if unified:
            break
    return figure


def _with_hint(template: str, hint: str) -> str:
    head, extra, tail = template.partition("<extra>")
    return f"{head}<br><i>{hint}</i>{extra}{tail}"


def _plain_tooltip(trace: dict[str, Any]) -> str:
    kind = trace.get("type", "scatter")
    if kind == "heatmap":
        shown = "%{y}, %{x}: %{z}"
    elif kind == "pie":
        shown = "%{label}: %{value}"
    else:
        shown = "%{y}: %{x}" if trace.get("orientation") == "h" else "%{x}: %{y}"
    if trace.get("hovertext") is not None:
        shown += "<br>%{hovertext}"
    elif trace.get("text") is not None:
        shown += "<br>%{text}"
    return shown + ("<extra>%{fullData.name}</extra>" if trace.get("name") else "<extra></extra>")


def stacked_bars(wide: pd.DataFrame, *, theme: str | None, y_title: str) -> dict[str, Any]:
    """One bar segment per column (a status), one bar per index value (a Monday-start week)."""
    traces = [
        {
            "type": "bar",
            "x": values(wide.index),
            "y": values(wide[column]),
            "name": str(column).replace("_", " "),
            "marker": {
                "color": STATUS_COLORS.get(str(column), SERIES_COLORS[i % len(SERIES_COLORS)])
            },
            "hovertemplate": "%{x|%Y-%m-%d}: %{y:,.0f}<extra>%{fullData.name}</extra>",
        }
        for i, column in enumerate(wide.columns)
    ]
    yaxis: dict[str, Any] = {"title": {"text": y_title}}
    tallest = float(wide.sum(axis=1).max()) if len(wide) else 0.0
    if tallest < 12:  # few items: whole numbers on the axis, not 0.5 of a session
        yaxis["dtick"] = 1
    layout = {
        "barmode": "stack",
        "xaxis": week_axis(wide.index),
        "yaxis": yaxis,
        "hovermode": "x unified",
    }
    return themed({"data": traces, "layout": layout}, theme)


def region_bars(
    rows: pd.DataFrame, *, theme: str | None, chosen: int | None = None
) -> dict[str, Any]:
    """One stacked bar per region (rows: region_id, region, status, sessions), one segment
    per status; each bar carries its region id (a click drills to it) and, with `chosen`,
    the other regions' bars are faded."""
    # Sessions per region (rows) and status (columns), missing pairs 0: pivot_table's frame
    # without its cost (5-7 ms a call, #26).
    grouped = rows.groupby(["region_id", "region", "status"], sort=True)["sessions"].sum()
    wide = grouped.unstack("status", fill_value=0).sort_index(level="region")
    keys = values([int(region_id) for region_id, _ in wide.index])
    names = values([str(name) for _, name in wide.index])
    opacity = values([1.0 if chosen in (None, key) else 0.35 for key in keys])
    traces = [
        {
            "type": "bar",
            "x": names,
            "y": values(wide[column]),
            "customdata": keys,
            "name": str(column).replace("_", " "),
            "marker": {
                "color": STATUS_COLORS.get(str(column), SERIES_COLORS[i % len(SERIES_COLORS)]),
                "opacity": opacity,
            },
            "hovertemplate": "%{x}: %{y:,.0f}<extra>%{fullData.name}</extra>",
        }
        for i, column in enumerate(wide.columns)
    ]
    layout = {
        "barmode": "stack",
        "yaxis": {"title": {"text": "sessions"}},
        "hovermode": "x unified",
    }
    return themed({"data": traces, "layout": layout}, theme)


def share_line(series: pd.Series, *, theme: str | None, y_title: str) -> dict[str, Any]:
    """A line of weekly shares (0..1, indexed by Monday) shown as percentages; missing weeks
    stay gaps."""
    trace = {
        "type": "scatter",
        "x": values(series.index),
        "y": values(series),
        "mode": "lines+markers",
        "name": y_title,
        "connectgaps": False,
        "line": {"color": SERIES_COLORS[0], "width": 2},
        "hovertemplate": "%{x|%Y-%m-%d}: %{y:.1%}<extra></extra>",
    }
    layout = {
        "xaxis": week_axis(series.index),
        "yaxis": {"title": {"text": y_title}, "tickformat": ".0%"},
        "showlegend": False,
    }
    return themed({"data": [trace], "layout": layout}, theme)


def banded_bars(
    frame: pd.DataFrame, *, x: str, y: str, theme: str | None, x_title: str, y_title: str
) -> dict[str, Any]:
    """Bars coloured by risk band (column `band`), bands in their fixed order and colours."""
    traces = []
    for band, color in RISK_COLORS.items():
        part = frame[frame["band"] == band]
        if len(part):
            traces.append(
                {
                    "type": "bar",
                    "x": values(part[x]),
                    "y": values(part[y]),
                    "name": band,
                    "marker": {"color": color},
                    "customdata": values([band] * len(part)),  # what a click drills down to
                    "hovertemplate": f"%{{x}}: %{{y:,.0f}}<extra>{band}</extra>",
                }
            )
    layout = {
        "barmode": "stack",
        "xaxis": {"title": {"text": x_title}},
        "yaxis": {"title": {"text": y_title}},
        "bargap": 0.05,
        # The legend reads low to critical, as the band cards do (plotly reverses a stack's
        # legend by default; a score's bar is one band, so nothing stacks here).
        "legend": {"traceorder": "normal"},
    }
    return themed({"data": traces, "layout": layout}, theme)


def clicked(click_data: Any, key: str = "customdata") -> Any:
    """`key` of the point a user clicked on a graph (its `clickData`), or None for anything
    else (no click, or a forged value)."""
    points = click_data.get("points") if isinstance(click_data, dict) else None
    if not isinstance(points, list) or not points or not isinstance(points[0], dict):
        return None
    return points[0].get(key)


Line = tuple[float, str, str | None]  # where, dash style ("dot", "dash"), label or None


def reference_lines(
    figure: FigureT, *, across: Sequence[Line] = (), along: Sequence[Line] = ()
) -> FigureT:
    """Reference lines: `across` the x axis at an x value (what `add_vline` draws), `along`
    it at a y value (`add_hline`), each labelled at the top (right) when it has a label,
    shape for shape as plotly's helpers make them. They are added in one layout update:
    plotly's helpers re-validate the figure for every line, about 3 ms a line (#26)."""
    shapes: list[dict[str, Any]] = []
    notes: list[dict[str, Any]] = []
    for x, dash, label in across:
        shapes.append(
            {"line": {"dash": dash}, "type": "line", "x0": x, "x1": x, "xref": "x"}
            | {"y0": 0, "y1": 1, "yref": "y domain"}
        )
        if label:
            notes.append(
                {"showarrow": False, "text": label, "x": x, "xanchor": "left", "xref": "x"}
                | {"y": 1, "yanchor": "top", "yref": "y domain"}
            )
    for y, dash, label in along:
        shapes.append(
            {"line": {"dash": dash}, "type": "line", "x0": 0, "x1": 1, "xref": "x domain"}
            | {"y0": y, "y1": y, "yref": "y"}
        )
        if label:
            notes.append(
                {"showarrow": False, "text": label, "x": 1, "xanchor": "right"}
                | {"xref": "x domain", "y": y, "yanchor": "bottom", "yref": "y"}
            )
    if isinstance(figure, dict):
        plain: dict[str, Any] = figure.setdefault("layout", {})
        if shapes:  # as plotly keeps them: no empty list
            plain["shapes"] = [*plain.get("shapes", ()), *shapes]
        if notes:
            plain["annotations"] = [*plain.get("annotations", ()), *notes]
        return figure
    return figure.update_layout(
        shapes=[*figure.layout.shapes, *shapes], annotations=[*figure.layout.annotations, *notes]
    )

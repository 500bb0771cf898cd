"""PE dashboard: each user's own board of physical-education widgets, with shared filters.
The widgets are declared in `actions.pe_widgets` and drawn by `components.pe_widgets`.

The saved board in the database is the one source of truth: every change (add, remove,
move, resize, a widget's settings, the filters) reads it, validates it against the widget
registry, applies the change and saves it, so two tabs cannot undo each other's work.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import dash
import dash_bootstrap_components as dbc
import pandas as pd
from dash import ALL, Input, Output, State, callback, clientside_callback, ctx, dcc, html
from dash.development.base_component import Component
from dash.exceptions import PreventUpdate
from flask_login import current_user
from pydantic import ValidationError

from actions.account import save_preference
from actions.base import Actor, Refused
from actions.pe_board import (
    PREFERENCE,
    WIDGETS,
    Filters,
    FitnessOptions,
    HealthOptions,
    PageOptions,
    edit_board,
    read_board,
    visible_widgets,
)
from actions.pe_widgets import DEFAULT_DAYS, board_scope, default_dates, read_widget
from analytics.narrative import Fact
from analytics.pe import SKILLS
from analytics.teams import TeamOptions
from auth.access import (
    EVERYONE,
    AccessDenied,
    current_actor,
    deny_if_forged,
    region_scope,
    requires,
)
from auth.audit import audit
from components.attrs import attrs
from components.empty_state import empty_state
from components.filters import field, filter_bar
from components.formatting import number, percent
from components.grid_columns import MAX_SMALL_ROWS, small_grid_id
from components.pe_widgets import DRAW, TABLES, clicked_grade, draw, grade_drill_id
from components.shell import ids as shell_ids
from components.theme import valid_theme
from components.view_tools import export_menu, view_actions, view_location
from components.widget_card import (
    gallery_item,
    setting_select,
    widget_card,
    widget_id,
)
from data.engine import connect
from data.preferences import read_preference
from data.queries import pe
from settings import business_today
from sharing.views import Explained, Param, Part, View, iso_day, record_id, whole_number_in
from sharing.views import State as ViewState
from sharing.views import register as register_view
from widgets.explain import ExplainAIO
from widgets.grid import (
    GRIDS,
    GridState,
    as_seen_in_grid,
    describe,
    grid_columns,
    parse_state,
    table_view,
)

dash.register_page(
    __name__,
    path="/pe",
    name="PE dashboard",
    area="PE programs",
    order=1,
    roles=EVERYONE,
)

VIEW = "pe-dashboard"
# The controls of a moved widget that take the focus when the one used is gone or disabled
# (its "later" button once it is last), in this order.
KEEP_FOCUS = "pe-down pe-up pe-size"


class ids:
    notices = "pe-notices"
    status = "pe-status"
    filters = "pe-filters"
    school = "pe-school"
    grade = "pe-grade"
    klass = "pe-class"
    dates = "pe-dates"
    dates_note = "pe-dates-note"
    newest = "pe-newest"
    grid = "pe-grid"
    open_gallery = "pe-open-gallery"
    gallery = "pe-gallery"
    search = "pe-search"
    gallery_list = "pe-gallery-list"
    tables = "pe-tables"
    drawn_theme = "pe-drawn-theme"
    redraw = "pe-redraw"


def table_grid(widget: str) -> str:
    """The id of a widget's table (its sort, filters and columns are kept in the address)."""
    return f"pe-table-{widget}"


for _name, _table in TABLES.items():
    grid_columns(table_grid(_name), _table.columns)

# Settings the board reads a widget with, whatever is saved: the incident log holds its
# newest incidents in one table that pages, sorts and filters them.
BOARD_OPTIONS: dict[str, dict[str, Any]] = {
    "incident_log": {"page": 1, "per_page": MAX_SMALL_ROWS},
}


def layout(**query: str) -> Component:
    """The board under the saved filters, or under the filters the address names (a link,
    Back, a grade clicked on a chart): those are then saved as the board's. `?class=<id>`
    (from the global search) opens the board filtered to that class."""
    with connect() as conn:
        classes = pe.filter_options(conn=conn, region_ids=region_scope())
        bounds = pe.date_bounds(conn=conn)
        board, problems = _saved_board(conn)
        theme = valid_theme(read_preference(conn=conn, user_id=current_user.user_id, name="theme"))
    if bounds is None:
        return empty_state(
            "No PE data yet", "Widgets appear once classes and attendance are recorded."
        )
    addressed = _addressed(query, board["filters"]) or board["filters"]
    filters, problem = _in_scope(_asked_class(addressed, query, classes), classes)
    if problem:
        problems.append(problem)
    if filters != board["filters"]:
        board["filters"] = filters
        _save(board)
    chosen = _dated(filters, bounds)
    start, end = date.fromisoformat(chosen["start"]), date.fromisoformat(chosen["end"])
    tables = SPEC.state(query)["tables"]
    # The address carries dates only when they were chosen: one of a board that moves with
    # the data has none, so a reload, a bookmark or Back on a later day keeps it moving.
    address = SPEC.query(_view_state(filters) | {"tables": tables})
    return html.Div(
        [
            html.Div(
                [dbc.Alert(p, color="warning", dismissable=True) for p in problems],
                id=ids.notices,
            ),
            dcc.Store(id=ids.filters, data=chosen),
            dcc.Store(id=ids.tables, data=encode_tables(tables)),
            # The theme the cards below were drawn in; "System" is the device's, which only
            # the browser knows: a dark device's board had come in the light theme.
            dcc.Store(id=ids.drawn_theme, data=theme),
            dcc.Store(id=ids.redraw),
            _filter_bar(classes, filters, bounds, start, end),
            html.Div(
                [
                    html.Span(dates_note(filters), id=ids.dates_note, **attrs(aria_live="polite")),
                    dbc.Button("Newest days", id=ids.newest, color="link", size="sm"),
                ],
                className="widget-note d-flex flex-wrap align-items-center gap-1 mb-2",
            ),
            view_location(VIEW, shown=address),
            view_actions(VIEW, can_embed=False, can_share=False),
            ExplainAIO(VIEW, context=chosen),
            html.Div(
                id=ids.status,
                role="status",
                className="visually-hidden",
                **attrs(aria_live="polite"),
            ),
            html.Div(  # a keyboard user's focus survives the board's redraw (assets/a11y.js)
                dbc.Row(_cards(board, classes, chosen, theme, tables), id=ids.grid),
                **attrs(data_keep_focus=ids.open_gallery, data_keep_focus_kinds=KEEP_FOCUS),
            ),
            dbc.Offcanvas(
                [
                    dbc.Label("Search widgets", html_for=ids.search),
                    dbc.Input(
                        id=ids.search,
                        type="search",
                        placeholder="Title, description or category",
                        debounce=False,
                        className="mb-3",
                    ),
                    html.Ul(
                        _gallery(board, ""),
                        id=ids.gallery_list,
                        className="gallery-list",
                        **attrs(data_keep_focus=ids.search),
                    ),
                ],
                id=ids.gallery,
                title="Widget gallery",
                placement="end",
                is_open=False,
            ),
        ]
    )


# The address's names of the board's filters.
ADDRESSED = {
    "school": "school_id",
    "grade": "grade",
    "class": "class_id",
    "start": "start",
    "end": "end",
}


def _addressed(query: dict[str, str], saved: dict[str, Any]) -> dict[str, Any] | None:
    """The filters the address names, when it names any and they are valid, else None. An
    address with dates is a whole board's (Back, a pasted board address): a filter it does
    not name is off. One without (a link to a class or a grade) changes only what it names,
    and the saved class when it names a school or grade instead."""
    named = {k: v for k, v in SPEC.state(query).items() if k in ADDRESSED and v is not None}
    if not named:
        return None
    whole = "start" in named or "end" in named
    asked = {field: None for field in ADDRESSED.values()} if whole else dict(saved)
    if not whole and "class" not in named and ("school" in named or "grade" in named):
        asked["class_id"] = None
    asked |= {ADDRESSED[name]: value for name, value in named.items()}
    try:
        filters = Filters.model_validate(asked)
    except ValidationError:
        return None
    return filters.model_dump(mode="json")


def dates_note(filters: dict[str, Any]) -> str:
    """Whether the board's dates move with the data or stay as chosen. A board with no dates
    chosen moves: its picker shows the newest window greyed, as placeholders. (The picker's
    dates came back with every change of a school or a grade, were saved, and froze the
    board on the day of that change.)"""
    if filters.get("start") and filters.get("end"):
        return "Dates as chosen: they stay until you change them."
    if filters.get("start"):
        return f"From {filters['start']} to the newest day with data, which moves with it."
    if filters.get("end"):
        return f"The {DEFAULT_DAYS} days to {filters['end']}, as chosen."
    return f"The newest {DEFAULT_DAYS} days with data: the dates move as new data comes in."


def _view_state(filters: dict[str, Any]) -> ViewState:
    """The board's filters as the address carries them."""
    return {name: filters.get(field) for name, field in ADDRESSED.items()}


def _saved_board(conn: Any) -> tuple[dict[str, Any], list[str]]:
    raw = read_preference(conn=conn, user_id=current_user.user_id, name=PREFERENCE)
    return read_board(raw, current_user.role)


def _asked_class(
    filters: dict[str, Any], query: dict[str, str], classes: pd.DataFrame
) -> dict[str, Any]:
    """The filters narrowed to the class the address asks for, when the user may see it."""
    asked = str(query.get("class", ""))
    wanted = int(asked) if asked.isdigit() and len(asked) < 10 else None
    found = classes[classes["class_id"] == wanted] if wanted else classes.iloc[:0]
    if found.empty:
        return filters
    row = found.iloc[0]
    return {
        **filters,
        "school_id": int(row["school_id"]),
        "grade": int(row["grade"]),
        "class_id": int(row["class_id"]),
    }


def _in_scope(raw: dict[str, Any], classes: pd.DataFrame) -> tuple[dict[str, Any], str | None]:
    """Filters whose school and class the user may see; others are cleared, with a message."""
    filters = dict(raw)
    if filters.get("school_id") and filters["school_id"] not in set(classes["school_id"]):
        filters["school_id"] = None
    if filters.get("class_id") and filters["class_id"] not in set(classes["class_id"]):
        filters["class_id"] = None
    if filters != raw:
        return (
            filters,
            "A filter pointed at a school or class you cannot see; it was cleared.",
        )
    return filters, None


def _filter_bar(
    classes: pd.DataFrame,
    filters: dict[str, Any],
    bounds: tuple[date, date],
    start: date,
    end: date,
) -> dbc.Row:
    schools = classes.drop_duplicates("school_id")
    select: dict[str, Any] = {"clearable": True}
    return filter_bar(
        [
            field(
                "School",
                dcc.Dropdown(
                    id=ids.school,
                    options=[
                        {"label": n, "value": int(i)}
                        for i, n in schools[["school_id", "school_name"]].itertuples(index=False)
                    ],
                    value=filters.get("school_id"),
                    placeholder="All schools",
                    **select,
                ),
                md=3,
            ),
            field(
                "Grade",
                dcc.Dropdown(
                    id=ids.grade,
                    options=[
                        {"label": f"Grade {g}", "value": int(g)}
                        for g in sorted(classes["grade"].unique())
                    ],
                    value=filters.get("grade"),
                    placeholder="All grades",
                    **select,
                ),
                md=2,
            ),
            field(
                "Class",
                dcc.Dropdown(
                    id=ids.klass,
                    options=_class_choices(classes, filters.get("school_id"), filters.get("grade")),
                    value=filters.get("class_id"),
                    placeholder="All classes",
                    **select,
                ),
                md=3,
            ),
            field(
                "Dates",
                dcc.DatePickerRange(
                    id=ids.dates,
                    # Dates chosen, or none: the newest window then shows as placeholders.
                    start_date=filters.get("start"),
                    end_date=filters.get("end"),
                    start_date_placeholder_text=start.isoformat(),
                    end_date_placeholder_text=end.isoformat(),
                    # Opens on the window shown, not on the earliest day allowed.
                    initial_visible_month=start.isoformat(),
                    clearable=True,
                    min_date_allowed=bounds[0].isoformat(),
                    # Figures stop at yesterday, the last whole day (data_end).
                    max_date_allowed=max(end, business_today() - timedelta(days=1)).isoformat(),
                    display_format="YYYY-MM-DD",
                    first_day_of_week=1,
                ),
                md=3,
            ),
            dbc.Col(
                dbc.Button("Add widgets", id=ids.open_gallery, color="primary", className="mt-4"),
                md=1,
                className="text-md-end",
            ),
        ]
    )


def _class_choices(classes: pd.DataFrame, school_id: int | None, grade: int | None) -> list[dict]:
    chosen = classes
    if school_id:
        chosen = chosen[chosen["school_id"] == school_id]
    if grade:
        chosen = chosen[chosen["grade"] == grade]
    return [
        {"label": f"{s} · {n}", "value": int(i)}
        for i, n, s in chosen[["class_id", "class_name", "school_name"]].itertuples(index=False)
    ]


def _settings(widget: str, options: dict[str, Any], classes: pd.DataFrame) -> list[Component]:
    """The controls of a widget's own settings, made from its settings model."""
    kind = WIDGETS[widget].options
    if kind is FitnessOptions:
        metrics = {
            "shuttle_run": "Shuttle run",
            "push_ups": "Push-ups",
            "sit_and_reach": "Sit and reach",
        }
        return [setting_select(widget, "metric", "Test", metrics, options["metric"])]
    if kind is HealthOptions:
        return [
            setting_select(
                widget,
                "metric",
                "Reading",
                {"bmi": "BMI", "resting_hr": "Resting heart rate"},
                options["metric"],
            )
        ]
    if kind is PageOptions:  # the board's table pages the log itself (BOARD_OPTIONS)
        return []
    if kind is TeamOptions:
        choices = {"": "Dashboard class"} | {
            o["value"]: o["label"] for o in _class_choices(classes, None, None)
        }
        by = {"overall": "Overall"} | {s: s.replace("_", " ").capitalize() for s in SKILLS}
        return [
            setting_select(widget, "class_id", "Class", choices, options["class_id"] or ""),
            setting_select(
                widget, "teams", "Teams", {n: str(n) for n in range(2, 7)}, options["teams"]
            ),
            setting_select(widget, "balance_by", "Balance by", by, options["balance_by"]),
        ]
    return []


def _cards(
    board: dict[str, Any],
    classes: pd.DataFrame,
    filters: Any,
    theme: str | None,
    tables: dict[str, GridState],
) -> list[Component]:
    """The board's cards, each drawn already (the page arrives whole: no request per
    widget after it loads)."""
    placed = board["widgets"]
    actor = current_actor()
    if not placed:
        return [
            dbc.Col(
                empty_state(
                    "Your dashboard is empty",
                    "Use “Add widgets” to choose from the gallery; your layout is saved for you.",
                )
            )
        ]
    return [
        widget_card(
            widget=p["widget"],
            title=WIDGETS[p["widget"]].title,
            description=WIDGETS[p["widget"]].description,
            size=p["size"],
            first=i == 0,
            last=i == len(placed) - 1,
            settings=_settings(p["widget"], p["options"], classes),
            export=export_menu(VIEW, p["widget"], title=WIDGETS[p["widget"]].title, chart=True),
            body=_drawn(actor, p["widget"], filters, theme, p["options"], tables=tables),
        )
        for i, p in enumerate(placed)
    ]


def _gallery(board: dict[str, Any], query: str) -> list[Component]:
    words = query.lower().split()
    present = {p["widget"] for p in board["widgets"]}
    found = [
        w
        for w in visible_widgets(current_user.role)
        if all(word in f"{w.title} {w.description} {w.category}".lower() for word in words)
    ]
    if not found:
        return [html.Li(empty_state("No widget matches", "Try another word, e.g. “safety”."))]
    return [
        gallery_item(
            widget=w.id,
            title=w.title,
            description=w.description,
            category=w.category,
            added=w.id in present,
        )
        for w in found
    ]


def _save(board: dict[str, Any]) -> None:
    save_preference(actor=current_actor(), name=PREFERENCE, value=board)


def pe_facts(state: ViewState) -> list[Fact]:
    """The headline numbers behind the board for its filters (kept in the explain widget's
    context): counts and rates only. Raises ValueError on filters that are not valid; a
    school or class outside the user's regions is refused and audited, as on the board."""
    scope = board_scope(state.get("context"), region_ids=current_actor().region_ids)
    with connect() as conn:
        classes = pe.filter_options(conn=conn, region_ids=scope.region_ids)
        asked = {"school_id": scope.school_id, "class_id": scope.class_id}
        if _in_scope(asked, classes)[1]:
            audit("access.denied", what="pe filter", filters=asked)
            raise AccessDenied()
        daily = pe.attendance_daily(conn=conn, scope=scope)
        incidents = pe.incident_counts(conn=conn, scope=scope)
    present, expected = int(daily["present"].sum()), int(daily["expected"].sum())
    if scope.class_id is not None:
        classes = classes[classes["class_id"] == scope.class_id]
    elif scope.school_id is not None:
        classes = classes[classes["school_id"] == scope.school_id]
    if scope.grade is not None:
        classes = classes[classes["grade"] == scope.grade]
    serious = incidents[incidents["severity"] != "minor"]["n"].sum() if len(incidents) else 0
    period = f"{scope.start:%Y-%m-%d} to {scope.end:%Y-%m-%d}"
    return [
        Fact("Period", period),
        Fact("Classes in view", number(len(classes))),
        Fact("Attendance rate", percent(present / expected if expected else None)),
        Fact("Places attended", number(present)),
        Fact("School days with lessons", number(len(daily))),
        Fact("Safety incidents", number(int(incidents["n"].sum()) if len(incidents) else 0)),
        Fact("Incidents more than minor", number(int(serious))),
    ]


@callback(
    Output(ids.grade, "value", allow_duplicate=True),
    Input(grade_drill_id(ALL), "clickData"),
    prevent_initial_call=True,
)
@requires(*EVERYONE)
def drill_to_grade(_clicks: list[Any]) -> int:
    """A click on a grade's mark in a widget filters the board to that grade; the address
    follows (a new history entry), so Back returns to the board before."""
    grade = clicked_grade(ctx.triggered[0]["value"]) if ctx.triggered else None
    if grade is None:
        raise PreventUpdate
    return grade


@callback(
    Output(ids.gallery, "is_open"),
    Input(ids.open_gallery, "n_clicks"),
    prevent_initial_call=True,
)
@requires(*EVERYONE)
def open_gallery(_clicks: int | None) -> bool:
    return True


@callback(
    Output(ids.gallery_list, "children"),
    Input(ids.search, "value"),
    prevent_initial_call=True,
)
@requires(*EVERYONE)
def search_gallery(query: str | None) -> list[Component]:
    with connect() as conn:
        board, _ = _saved_board(conn)
    return _gallery(board, (query or "")[:100])


@callback(
    Output(ids.grid, "children"),
    Output(ids.gallery_list, "children", allow_duplicate=True),
    Output(ids.status, "children"),
    Input(widget_id("pe-add", ALL), "n_clicks"),
    Input(widget_id("pe-remove", ALL), "n_clicks"),
    Input(widget_id("pe-up", ALL), "n_clicks"),
    Input(widget_id("pe-down", ALL), "n_clicks"),
    Input(widget_id("pe-size", ALL), "value"),
    State(ids.search, "value"),
    State(ids.filters, "data"),
    State(shell_ids.theme, "data"),
    State(ids.tables, "data"),
    prevent_initial_call=True,
)
@requires(*EVERYONE)
def change_board(*args: Any) -> tuple[Any, Any, str]:
    """Add, remove, move or resize one widget; saved at once. The last four arguments are
    the gallery's search, the dashboard filters, the theme and the tables' address."""
    search, filters, theme, tables = args[-4:]
    trigger = ctx.triggered_id
    value = ctx.triggered[0]["value"] if ctx.triggered else None
    if not isinstance(trigger, dict) or not value:
        raise PreventUpdate  # new controls appearing, not a user's action
    with connect() as conn:
        board, _ = _saved_board(conn)
        classes = pe.filter_options(conn=conn, region_ids=region_scope())
    edited = edit_board(
        board,
        move=str(trigger.get("type")).removeprefix("pe-"),
        widget=str(trigger.get("widget")),
        value=value,
        role=current_user.role,
    )
    deny_if_forged(edited)
    if isinstance(edited, Refused):
        return dash.no_update, dash.no_update, edited.message
    if edited.board is None:
        raise PreventUpdate
    board, message = edited.board, edited.message
    _save(board)
    cards = _cards(board, classes, filters, theme, kept_tables(tables))
    return cards, _gallery(board, (search or "")[:100]), message


@callback(
    Output(ids.filters, "data"),
    Output(ids.klass, "options"),
    Output(ids.klass, "value"),
    Output(ids.notices, "children", allow_duplicate=True),
    Output(ExplainAIO.ids.context(VIEW), "data"),
    Output(ids.dates_note, "children"),
    Output(ids.dates, "start_date_placeholder_text"),
    Output(ids.dates, "end_date_placeholder_text"),
    Input(ids.school, "value"),
    Input(ids.grade, "value"),
    Input(ids.klass, "value"),
    Input(ids.dates, "start_date"),
    Input(ids.dates, "end_date"),
    prevent_initial_call=True,
)
@requires(*EVERYONE)
def apply_filters(
    school_id: Any, grade: Any, class_id: Any, start: Any, end: Any
) -> tuple[Any, ...]:
    """Validate the filters against what the user may see, remember them, and pass them on
    (to the widgets, and to "Explain this view"). No dates chosen is saved as none: the
    board then moves with the newest data."""
    with connect() as conn:
        classes = pe.filter_options(conn=conn, region_ids=region_scope())
        board, _ = _saved_board(conn)
        bounds = pe.date_bounds(conn=conn)
    if bounds is None:
        raise PreventUpdate  # no PE data: the page shows no filters
    try:
        filters = Filters.model_validate(
            {
                "school_id": school_id,
                "grade": grade,
                "class_id": class_id,
                "start": str(start)[:10] if start else None,
                "end": str(end)[:10] if end else None,
            }
        )
    except ValidationError as error:
        reason = error.errors()[0]["msg"].removeprefix("Value error, ")
        return (
            dash.no_update,
            dash.no_update,
            dash.no_update,
            dbc.Alert(f"Filters not applied: {reason}.", color="warning", dismissable=True),
            dash.no_update,
            dash.no_update,
            dash.no_update,
            dash.no_update,
        )
    chosen = filters.model_dump(mode="json")
    scoped, problem = _in_scope(chosen, classes)
    if problem:
        audit("access.denied", what="pe filter", filters=chosen)
        raise AccessDenied()
    choices = _class_choices(classes, scoped["school_id"], scoped["grade"])
    if scoped["class_id"] and scoped["class_id"] not in {c["value"] for c in choices}:
        scoped["class_id"] = None  # the class is not in the chosen school or grade
    board["filters"] = scoped
    _save(board)
    shown = _dated(scoped, bounds)
    # The placeholders show the window drawn, which moves while the page is open.
    note = dates_note(scoped)
    return shown, choices, scoped["class_id"], [], shown, note, shown["start"], shown["end"]


@callback(
    Output(ids.dates, "start_date", allow_duplicate=True),
    Output(ids.dates, "end_date", allow_duplicate=True),
    Input(ids.newest, "n_clicks"),
    prevent_initial_call=True,
)
@requires(*EVERYONE)
def newest_days(clicks: int | None) -> tuple[None, None]:
    """Back to the newest days with data: no dates chosen, so the board moves with them."""
    if not clicks:
        raise PreventUpdate
    return None, None


@callback(
    Output(widget_id("pe-body", ALL), "children"),
    Input(ids.filters, "data"),
    Input(shell_ids.theme, "data"),
    Input(widget_id("pe-opt", ALL, field=ALL), "value"),
    Input(ids.redraw, "data"),
    State(ids.tables, "data"),
    prevent_initial_call=True,  # the layout and change_board draw the cards they make
)
@requires(*EVERYONE)
def show_widgets(
    filters: Any, theme: str | None, _values: list[Any], _redraw: Any, tables: Any
) -> list[Any]:
    """Redraw the board's widgets when the filters or the theme change, in one answer (the
    browser applies one update, not one per widget); a change of one widget's settings
    redraws that widget alone and is saved."""
    names = [str(output["id"]["widget"]) for output in ctx.outputs_list]
    settings: dict[str, dict[str, Any]] = {name: {} for name in names}
    for control in ctx.inputs_list[2]:
        control_id = control.get("id") if isinstance(control, dict) else None
        if isinstance(control_id, dict) and control_id.get("widget") in settings:
            value = control.get("value")
            settings[control_id["widget"]][str(control_id.get("field"))] = (
                None if value == "" else value
            )
    trigger = ctx.triggered_id
    changed = (
        str(trigger.get("widget"))
        if isinstance(trigger, dict) and trigger.get("type") == "pe-opt"
        else None
    )
    with connect() as conn:
        board, _ = _saved_board(conn)
    placed = {p["widget"] for p in board["widgets"]}
    if len(names) != len(set(names)) or not set(names) <= placed:
        audit("access.denied", what="pe widgets", widgets=[str(n)[:40] for n in names[:10]])
        raise AccessDenied()  # the page only ever asks for the cards of the saved board
    actor = current_actor()
    return [
        dash.no_update
        if changed is not None and name != changed
        else _drawn(
            actor,
            name,
            filters,
            theme,
            settings[name],
            tables=kept_tables(tables),
            save=changed is not None,
        )
        for name in names
    ]


# The board drawn in another theme than the page's (the device's, for "System"): drawn again.
clientside_callback(
    """function(drawn, theme) {
        const known = theme && theme !== "system";  // "system" is resolved in a moment
        return known && drawn && theme !== drawn ? theme : window.dash_clientside.no_update;
    }""",
    Output(ids.redraw, "data"),
    Input(ids.drawn_theme, "data"),
    State(shell_ids.theme, "data"),
)


def _drawn(
    actor: Actor,
    name: str,
    filters: Any,
    theme: str | None,
    settings: dict[str, Any],
    *,
    tables: dict[str, GridState],
    save: bool = False,
) -> Component:
    """One widget drawn under the filters and its settings (saved when `save`), its table
    as the address keeps it, or why not."""
    result = read_widget(
        actor=actor,
        widget_id=name,
        filters=filters,
        options=settings | BOARD_OPTIONS.get(name, {}),
    )
    deny_if_forged(result)
    if isinstance(result, Refused):
        return dbc.Alert(result.message, color="warning")
    if save:
        _save_settings(name, result.options.model_dump())
    if result.data is None:
        return empty_state(result.widget.empty, result.widget.empty_hint)
    table = table_view(table_grid(name), tables.get(name, GridState())) if name in TABLES else None
    return draw(name, result.data, theme=theme, options=result.options.model_dump(), table=table)


def _save_settings(name: str, options: dict[str, Any]) -> None:
    with connect() as conn:
        board, _ = _saved_board(conn)
    for placed in board["widgets"]:
        if placed["widget"] == name:
            placed["options"] = options
    _save(board)


def widget_rows(name: str) -> Callable[[ViewState], pd.DataFrame]:
    """The rows behind a widget as the user's saved board shows it (its filters and
    settings): the widget's main table; for a widget with a table, the table as the address
    keeps it (sort, filters, columns). The figure drawn from the same data rides along in
    the frame's attrs, for the image exports and the report."""

    def rows(state: ViewState) -> pd.DataFrame:
        with connect() as conn:
            board, _ = _saved_board(conn)
            bounds = pe.date_bounds(conn=conn)
        placed = next((p for p in board["widgets"] if p["widget"] == name), None)
        result = read_widget(
            actor=current_actor(),
            widget_id=name,
            filters=_dated(board["filters"], bounds),
            options=(placed["options"] if placed else {}) | BOARD_OPTIONS.get(name, {}),
        )
        deny_if_forged(result)
        if isinstance(result, Refused) or result.data is None:
            return pd.DataFrame()
        data = result.data
        if name in TABLES and TABLES[name].exported:
            kept = (state.get("tables") or {}).get(name, GridState())
            frame = as_seen_in_grid(TABLES[name].rows(data), kept, TABLES[name].columns)
        else:
            frame = next(iter(data.values())) if isinstance(data, dict) else data
            frame = frame.copy()
        frame.attrs["figure"] = first_figure(
            DRAW[name](data, theme=None, options=result.options.model_dump())
        )
        return frame

    rows.__doc__ = f"The rows behind the {name!r} widget on the user's board."
    return rows


def _dated(filters: dict[str, Any], bounds: tuple[date, date] | None) -> dict[str, Any]:
    """The saved filters with the dates the board shows when none are saved (a board whose
    dates were never changed shows the newest days with data)."""
    if bounds is None:
        return filters
    start, end = default_dates(
        start=date.fromisoformat(filters["start"]) if filters.get("start") else None,
        end=date.fromisoformat(filters["end"]) if filters.get("end") else None,
        bounds=bounds,
    )
    return {**filters, "start": start.isoformat(), "end": end.isoformat()}


def first_figure(node: Any) -> Any:
    """The figure of the first graph in a rendered widget (None for a table-only widget)."""
    if isinstance(node, dcc.Graph):
        return node.to_plotly_json()["props"].get("figure")
    children = getattr(node, "children", node if isinstance(node, list | tuple) else None)
    for child in children if isinstance(children, list | tuple) else [children]:
        if child is not None and not isinstance(child, str | int | float):
            found = first_figure(child)
            if found is not None:
                return found
    return None


def widget_figure(frame: pd.DataFrame, _theme: str | None) -> Any:
    return frame.attrs.get("figure")


def read_tables(raw: Any) -> dict[str, GridState]:
    """The tables' states of an address value: {widget: state} for known widgets, each
    checked against its columns; anything else is dropped. Raises ValueError on what is not
    JSON (the address then keeps no table state)."""
    try:
        data = json.loads(raw) if isinstance(raw, str) and raw else {}
    except RecursionError:
        raise ValueError("the tables' state is nested too deeply") from None
    if not isinstance(data, dict):
        return {}
    found = {}
    for name in TABLES:
        entry = data.get(name)
        if isinstance(entry, dict):
            state = parse_state(json.dumps(entry), GRIDS[table_grid(name)])
            if state.encode():
                found[name] = state
    return found


def kept_tables(raw: Any) -> dict[str, GridState]:
    """The tables' states of a store's value; none for one that is not JSON (forged)."""
    try:
        return read_tables(raw)
    except ValueError:
        return {}


def encode_tables(tables: dict[str, GridState]) -> str:
    """The tables' states as the address carries them ("" when every table is as drawn)."""
    kept = {name: json.loads(state.encode()) for name, state in tables.items() if state.encode()}
    return json.dumps(kept, separators=(",", ":"), ensure_ascii=False) if kept else ""


@callback(
    Output(ids.tables, "data"),
    Output(small_grid_id(ALL, "state"), "data", allow_duplicate=True),
    Input(ids.tables, "data"),
    Input(small_grid_id(ALL, "state"), "data"),
    prevent_initial_call=True,
)
@requires(*EVERYONE)
def keep_tables(encoded: Any, states: list[Any]) -> tuple[Any, list[Any]]:
    """The board's tables and the address keep in step: a table's sort, filter or columns
    changed goes into the address (a new entry, so Back undoes it); an address reached with
    Back sets every table it names, and the others back to as drawn."""
    grids = [str(o["id"].get("aio_id")) for o in ctx.outputs_list[1]]
    if not isinstance(states, list) or len(states) != len(grids):
        raise PreventUpdate  # a forged request: the page always sends a state per table
    known = {table_grid(name): name for name in TABLES}
    tables = kept_tables(encoded)
    if ctx.triggered_id == ids.tables:
        made = [
            (tables.get(known[g], GridState()).encode() if g in known else dash.no_update)
            for g in grids
        ]
        if all(m is dash.no_update or m == s for m, s in zip(made, states, strict=True)):
            raise PreventUpdate
        return dash.no_update, made
    for grid, state in zip(grids, states, strict=True):
        if grid in known:
            try:
                parsed = parse_state(state if isinstance(state, str) else "", GRIDS[grid])
            except ValueError:
                continue
            tables[known[grid]] = parsed
    made_address = encode_tables(tables)
    if made_address == (encoded or ""):
        raise PreventUpdate
    return made_address, [dash.no_update] * len(grids)


def placed_widgets(_state: ViewState) -> list[str]:
    with connect() as conn:
        board, _ = _saved_board(conn)
    return [p["widget"] for p in board["widgets"]]


def _tables_shown(tables: dict[str, GridState]) -> str:
    """The tables' states in words, for a report's list of filters."""
    return "; ".join(
        f"{WIDGETS[name].title}: {describe(state, TABLES[name].columns)}"
        for name, state in tables.items()
    )


def _named(column: str, name: str) -> Callable[[int], str | None]:
    """How a school or class filter reads in a report: its name (None: its id)."""

    def shown(value: int) -> str | None:
        with connect() as conn:
            classes = pe.filter_options(conn=conn, region_ids=region_scope())
        found = classes[classes[column] == value]
        return str(found[name].iloc[0]) if len(found) else None

    return shown


SPEC = register_view(
    View(
        name=VIEW,
        path="/pe",
        title="PE dashboard",
        roles=EVERYONE,
        params=(
            Param(
                "school",
                ids.school,
                "School",
                parse=record_id,
                show=_named("school_id", "school_name"),
            ),
            Param(
                "grade",
                ids.grade,
                "Grade",
                parse=whole_number_in(tuple(range(1, 13))),
                show=lambda grade: f"Grade {grade}",
            ),
            Param(
                "class", ids.klass, "Class", parse=record_id, show=_named("class_id", "class_name")
            ),
            Param("start", ids.dates, "From", parse=iso_day, prop="start_date"),
            Param("end", ids.dates, "To", parse=iso_day, prop="end_date"),
            Param(
                "tables",
                ids.tables,
                "Tables",
                parse=read_tables,
                default={},
                prop="data",
                show=_tables_shown,
                limit=4000,
                encode=encode_tables,
            ),
        ),
        parts=tuple(
            Part(name, widget.title, widget_rows(name), widget_figure)
            for name, widget in WIDGETS.items()
        ),
        embeddable=False,  # a personal board: each user's own widgets, filters and settings
        shown=placed_widgets,
        explained=Explained("PE dashboard", pe_facts),
    )
)

"""Schedules: sessions by week, by month or as a list, filtered; the view lives in the URL."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import dash
import dash_bootstrap_components as dbc
import pandas as pd
from dash import Input, Output, State, callback, ctx, dcc, html
from dash.development.base_component import Component
from dash.exceptions import PreventUpdate

from auth.access import EVERYONE, MANAGERS, allowed, region_scope, requires
from auth.answers import cached_answer
from components.calendar import month_view, no_sessions, week_view
from components.filters import field, filter_bar
from components.formatting import count_of
from components.pickers import host_choices, room_choices
from components.view_tools import export_menu, view_actions, view_location
from data import schedules
from data.engine import connect
from settings import business_today, get_settings
from sharing.embed import EMBED_ROLES
from sharing.views import Param, Part, View, grid_param, iso_day, one_of, record_id, register
from sharing.views import State as ViewState
from widgets.grid import (
    DataGridAIO,
    GridColumn,
    GridState,
    as_shown,
    grid_columns,
    requested,
    rows_io,
    rows_response,
)
from widgets.pickers import HostPickerAIO, StudentPickerAIO

dash.register_page(
    __name__,
    refreshes=True,  # auto-refresh may redraw it (a dashboard, not a form)
    path="/schedules",
    name="Calendar",
    area="Schedules",
    order=1,
    roles=EVERYONE,
)

WRITERS = MANAGERS
WEEK_PER_DAY = 30  # sessions drawn per day; the rest behind "+N more" (the day's list)
MONTH_PER_DAY = 3
MAX_EXPORT = 5_000
VIEW = "schedules"
GRID = grid_columns(
    "sched-sessions",
    [
        GridColumn("starts_at", "When", "date", width=230),
        GridColumn("title", "Session", render="link", href="/schedules/book?id={id}", width=230),
        GridColumn("host_name", "Host", width=180),
        GridColumn("room", "Room", width=150),
        GridColumn("status", "Status", sortable=False, filterable=False, width=120),
        GridColumn("attendees", "Students", "number", "number", filterable=False, width=110),
    ],
)


class ids:
    view = "sched-view"
    anchor = "sched-date"
    until = "sched-until"
    host = HostPickerAIO.ids.dropdown("sched-host")
    room = "sched-room"
    student = StudentPickerAIO.ids.dropdown("sched-student")
    status = "sched-status"
    body = "sched-body"
    title = "sched-range"
    export = "sched-export"
    prev = "sched-prev"
    next = "sched-next"
    shown = "sched-shown"  # the filters the body was last drawn for
    sessions = "sched-sessions"  # the list view's grid
    listed = "sched-listed"


def layout(**query: str) -> Component:
    view = schedules.ScheduleView.from_args(query)
    scope = region_scope()
    with connect() as conn:
        hosts = schedules.find_hosts(
            conn=conn, region_ids=scope, text=None, keys=[view.host] if view.host else []
        )
        rooms = schedules.rooms(conn=conn, region_ids=scope)
        student = (
            schedules.students_by_id(conn=conn, ids=[view.student_id]) if view.student_id else None
        )
    student_options = (
        [{"label": n, "value": int(i)} for i, n in student[["id", "name"]].itertuples(index=False)]
        if student is not None
        else []
    )
    tools = [
        html.A(
            "Export .ics",
            id=ids.export,
            className="btn btn-outline-secondary btn-sm",
            href="/schedules/export.ics",
        ),
    ]
    if allowed(WRITERS):
        tools.insert(
            0, dbc.Button("Book a session", href="/schedules/book", color="primary", size="sm")
        )
    return html.Div(
        [
            view_location(VIEW),
            filter_bar(
                [
                    field(
                        "Host",
                        HostPickerAIO(
                            "sched-host",
                            value=view.host,
                            placeholder="Any host (type a name)",
                            clearable=True,
                            options=host_choices(hosts),
                        ),
                        md=2,
                    ),
                    field(
                        "Student",
                        StudentPickerAIO(
                            "sched-student",
                            value=view.student_id,
                            options=student_options,
                            placeholder="Type a name",
                            clearable=True,
                            search_value="",
                        ),
                        md=2,
                    ),
                    field(
                        "Room",
                        dcc.Dropdown(
                            id=ids.room,
                            value=view.room_id,
                            placeholder="Any room",
                            clearable=True,
                            options=room_choices(rooms),
                        ),
                        md=2,
                    ),
                    field(
                        "Status",
                        dcc.Dropdown(
                            id=ids.status,
                            value=view.status,
                            placeholder="Any status",
                            clearable=True,
                            options=[
                                {"label": s.capitalize(), "value": s} for s in schedules.STATUSES
                            ],
                        ),
                        md=2,
                    ),
                    field(
                        "From",
                        dcc.DatePickerSingle(
                            id=ids.anchor,
                            # Empty means today, as in the URL: a filled-in default made the
                            # URL sync reset it on load and draw the calendar twice.
                            date=view.anchor.isoformat() if view.anchor else None,
                            display_format="YYYY-MM-DD",
                            first_day_of_week=1,
                            clearable=True,
                            placeholder="Today",
                        ),
                        md=2,
                    ),
                    field(
                        "To (list)",
                        dcc.DatePickerSingle(
                            id=ids.until,
                            date=view.until.isoformat() if view.until else None,
                            display_format="YYYY-MM-DD",
                            first_day_of_week=1,
                            clearable=True,
                            placeholder="4 weeks",
                        ),
                        md=2,
                    ),
                ],
                class_name="g-2 filter-bar-pairs",
            ),
            html.Div(
                [
                    dbc.RadioItems(
                        id=ids.view,
                        value=view.view,
                        inline=True,
                        className="btn-group",
                        inputClassName="btn-check",
                        labelClassName="btn btn-outline-primary btn-sm",
                        labelCheckedClassName="active",
                        options=[{"label": v.capitalize(), "value": v} for v in schedules.VIEWS],
                    ),
                    html.Div(
                        [
                            html.Button(
                                "← Earlier",
                                id=ids.prev,
                                className="btn btn-outline-secondary btn-sm",
                                n_clicks=0,
                            ),
                            html.Strong(id=ids.title, className="calendar-range", role="status"),
                            html.Button(
                                "Later →",
                                id=ids.next,
                                className="btn btn-outline-secondary btn-sm",
                                n_clicks=0,
                            ),
                        ],
                        className="calendar-nav",
                    ),
                    html.Div(tools, className="calendar-tools"),
                ],
                className="calendar-bar",
            ),
            html.Div(
                [
                    view_actions(VIEW, can_embed=allowed(EMBED_ROLES)),
                    export_menu(VIEW, "sessions", title="Sessions", chart=False),
                ],
                className="d-flex justify-content-between align-items-start gap-2 mt-2",
            ),
            dcc.Loading(html.Div(id=ids.body), type="default", delay_show=200),
            dcc.Store(id=ids.shown),
            html.Div(
                DataGridAIO(
                    ids.sessions,
                    state=SPEC.state(query)["grid"],
                    query=list_query(view),
                    label="Sessions: click a header to sort, Ctrl+click to add a sort",
                ),
                id=ids.listed,
                hidden=view.view != "list",
            ),
        ]
    )


def _local(frame: pd.DataFrame) -> pd.DataFrame:
    zone = get_settings().timezone
    return frame.assign(
        local_start=frame["starts_at"].dt.tz_convert(zone),
        local_end=frame["ends_at"].dt.tz_convert(zone),
    )


@callback(
    Output(ids.anchor, "date"),
    Input(ids.prev, "n_clicks"),
    Input(ids.next, "n_clicks"),
    State(ids.anchor, "date"),
    State(ids.view, "value"),
    prevent_initial_call=True,
)
@requires(*EVERYONE)
def step(_prev: int, _next: int, anchor: str | None, view: str | None) -> str:
    view_ = schedules.ScheduleView.from_args({"date": anchor, "view": view})
    today = business_today()
    first, following = view_.window(view_.anchor or today)
    back = dash.ctx.triggered_id == ids.prev
    if view_.view == "month":
        moved = (first - timedelta(days=1)).replace(day=1) if back else following
    else:
        length = following - first
        moved = first - length if back else following
    return moved.isoformat()


# The view's filters, in `chosen_view`'s order.
FILTERS = [
    Input(ids.view, "value"),
    Input(ids.anchor, "date"),
    Input(ids.host, "value"),
    Input(ids.room, "value"),
    Input(ids.student, "value"),
    Input(ids.status, "value"),
    Input(ids.until, "date"),
]


@callback(
    Output(ids.body, "children"),
    Output(ids.title, "children"),
    Output(ids.export, "href"),
    Output(ids.listed, "hidden"),
    Output(ids.shown, "data"),
    *FILTERS,
    State(ids.shown, "data"),
)
@requires(*EVERYONE)
def show(*args: Any) -> tuple:
    """The calendar or list. The date pickers report their date again once their script has
    loaded; drawing the same filters twice is skipped."""
    *values, shown = args
    if shown == values and ctx.triggered_id in (ids.anchor, ids.until):
        raise PreventUpdate
    return (*draw(*values), values)


@cached_answer("schedules", "tutors")
def draw(
    view: Any,
    anchor: Any,
    host: Any,
    room: Any,
    student: Any,
    status: Any,
    until: Any = None,
) -> tuple:
    chosen = chosen_view(view, anchor, host, room, student, status, until)
    zone = get_settings().timezone
    listing = chosen.view == "list"
    first, following, since, until = chosen.moments(
        datetime.now(ZoneInfo(zone)).date(), zone, whole_weeks=not listing
    )  # a month's grid shows its neighbours' days in the first and last week
    with connect() as conn:
        args = {
            "conn": conn,
            "view": chosen,
            "region_ids": region_scope(),
            "since": since,
            "until": until,
        }
        if listing:  # the grid below lists them
            frame, total = schedules.in_view(**args, limit=0)
        else:
            per_day = WEEK_PER_DAY if chosen.view == "week" else MONTH_PER_DAY
            frame, counts = schedules.calendar_days(**args, zone=zone, per_day=per_day)
            in_window = [first <= day < following for day in counts.index]
            total = int(counts[in_window].sum()) if len(counts) else 0
    export = "/schedules/export.ics?" + urlencode(chosen.query(date=first.isoformat()))
    period = f"{first:%d %b} – {following - timedelta(days=1):%d %b %Y}"
    if listing:  # the grid counts what it lists, under its own column filters too
        return (no_sessions() if total == 0 else None), period, export, total == 0
    if chosen.view == "month":
        title = f"{first:%B %Y} · {count_of(total, 'session')}"
    else:
        title = f"{period} · {count_of(total, 'session')}"
    if frame.empty:
        return no_sessions(), title, export, True
    frame = _local(frame)
    if chosen.view == "week":
        body: Component = week_view(frame, monday=first, counts=counts, filters=chosen.query())
    else:
        body = month_view(frame, first=first, counts=counts, filters=chosen.query())
    return body, title, export, True


def chosen_view(
    view: Any, anchor: Any, host: Any, room: Any, student: Any, status: Any, until: Any
) -> schedules.ScheduleView:
    return schedules.ScheduleView.from_args(
        {
            "view": view,
            "date": str(anchor)[:10] if anchor else None,
            "until": str(until)[:10] if until else None,
            "host": host,
            "room": room,
            "student": student,
            "status": status,
        }
    )


def list_query(view: schedules.ScheduleView) -> dict[str, Any]:
    """The view's filters as the list grid's query (the grid answers only in list view)."""
    return view.query() | {"view": view.view}


@callback(
    Output(DataGridAIO.ids.query(ids.sessions), "data"),
    *FILTERS,
    prevent_initial_call=True,
)
@requires(*EVERYONE)
def narrow(*values: Any) -> dict[str, Any]:
    return list_query(chosen_view(*values))


@callback(*rows_io(ids.sessions))
@requires(*EVERYONE)
def rows(request: Any, query: Any) -> tuple[Any, str]:
    start, size, grid = requested(request, GRID)
    chosen = schedules.ScheduleView.from_args(query if isinstance(query, dict) else {})
    if chosen.view != "list":  # hidden: the calendar shows these sessions (an answer all
        return {"rowData": [], "rowCount": 0}, ""  # the same: an unanswered one blocks the grid
    frame, total = list_page(chosen, grid, limit=size, offset=start)
    if not frame.empty:
        frame = _local(frame)
        frame = frame.assign(
            starts_at=[
                f"{s:%Y-%m-%d %a %H:%M}–{e:%H:%M}"
                for s, e in zip(frame["local_start"], frame["local_end"], strict=True)
            ]
        )
    return rows_response(frame, total, GRID), (
        f"{count_of(total, 'session')} {'matches' if total == 1 else 'match'}"
    )


def list_page(
    chosen: schedules.ScheduleView, grid: GridState, *, limit: int, offset: int = 0
) -> tuple[pd.DataFrame, int]:
    """A block of the sessions in the list's window, in the grid's order and filters."""
    zone = get_settings().timezone
    _, _, since, until = chosen.moments(datetime.now(ZoneInfo(zone)).date(), zone)
    with connect() as conn:
        return schedules.in_view(
            conn=conn,
            view=chosen,
            region_ids=region_scope(),
            since=since,
            until=until,
            sort=grid.sort,
            filters=grid.filters,
            zone=zone,
            limit=limit,
            offset=offset,
        )


def session_rows(state: ViewState) -> pd.DataFrame:
    """Every session in the view's window that the filters match (the ics export's limit);
    in the list view, in the grid's order and filters, with the columns it shows."""
    chosen = schedules.ScheduleView.from_args(state)
    listing = chosen.view == "list"  # the week and month show every session
    grid = state["grid"] if listing else GridState()
    frame, _ = list_page(chosen, grid, limit=MAX_EXPORT)
    if frame.empty:
        return frame
    frame = _local(frame)
    if not listing:
        return frame
    shown = as_shown(frame.assign(starts_at=frame["local_start"]), grid, GRID)
    shown.insert(0, "Session ID", frame["id"])  # whatever is shown: a spreadsheet joins on it
    return shown


def _host(raw: str) -> str:
    schedules.parse_host(raw)  # ValueError for anything but tutor:<id> or user:<id>
    return raw


SPEC = register(
    View(
        name=VIEW,
        path="/schedules",
        title="Schedules",
        roles=EVERYONE,
        params=(
            Param("view", ids.view, "View", parse=one_of(schedules.VIEWS), default="week"),
            Param("date", ids.anchor, "From", parse=iso_day, prop="date"),
            Param("until", ids.until, "To", parse=iso_day, prop="date"),
            Param("host", ids.host, "Host", parse=_host),
            Param("room", ids.room, "Room", parse=record_id),
            Param("student", ids.student, "Student", parse=record_id),
            Param("status", ids.status, "Status", parse=one_of(schedules.STATUSES)),
            grid_param(ids.sessions, GRID),
        ),
        parts=(Part("sessions", "Sessions", session_rows),),
    )
)

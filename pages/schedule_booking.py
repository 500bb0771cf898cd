"""Book, edit, complete or cancel one session; conflicts are shown with the nearest free slot."""

from __future__ import annotations

from datetime import date, datetime, time
from datetime import date as date_type
from typing import Any
from zoneinfo import ZoneInfo

import dash
import dash_bootstrap_components as dbc
import pandas as pd
from dash import Input, Output, State, callback, dcc, html
from dash.development.base_component import Component
from flask_login import current_user
from pydantic import ValidationError

from actions.base import Refused
from actions.schedules import (
    WRITERS,
    BookingRequest,
    Clash,
    book_session,
    booking_problem,
    set_session_status,
)
from analytics.scheduling import BusinessHours
from auth.access import EVERYONE, allowed, current_actor, deny_if_forged, region_scope, requires
from auth.requests import now
from components.empty_state import empty_state
from components.filters import field
from components.pickers import host_choices, room_choices
from components.table import data_table
from data import schedules
from data.engine import connect
from settings import get_settings
from vocabulary import STATUS_LABELS
from widgets.pickers import HostPickerAIO, StudentPickerAIO

dash.register_page(
    __name__,
    path="/schedules/book",
    name="Session",
    area="Schedules",
    order=9,
    roles=EVERYONE,
    nav=False,
)


class ids:
    session = "book-session"
    go = "book-go"
    title = "book-title"
    focus = "book-focus"
    description = "book-description"
    host = HostPickerAIO.ids.dropdown("book-host")
    room = "book-room"
    day = "book-day"
    start = "book-start"
    end = "book-end"
    students = StudentPickerAIO.ids.dropdown("book-students")
    group = "book-group"
    save = "book-save"
    result = "book-result"
    suggestion = "book-suggestion"
    use_suggestion = "book-use-suggestion"
    absent = "book-absent"
    complete = "book-complete"
    cancel = "book-cancel"
    status_result = "book-status-result"


def business_hours() -> BusinessHours:
    s = get_settings()
    return BusinessHours(s.business_opens, s.business_closes, tuple(s.business_days), s.timezone)


def layout(id: str | None = None, date: str | None = None, **_kwargs: str) -> Component:  # noqa: A002
    """?id= opens a session; ?date= starts a new booking on that day."""
    scope = region_scope()
    session = None
    with connect() as conn:
        if id and str(id).isdigit():
            session = schedules.one(conn=conn, schedule_id=int(id))
            if session is None or (scope is not None and session["region_id"] not in scope):
                return empty_state(
                    "No such session", "It may have been removed, or be outside your regions."
                )
        hosts = schedules.find_hosts(
            conn=conn, region_ids=scope, text=None, keys=[session["host"]] if session else []
        )
        rooms = schedules.rooms(conn=conn, region_ids=scope)
        groups = schedules.groups(conn=conn, region_ids=scope)
        attendees = (
            schedules.students_by_id(conn=conn, ids=session["students"]) if session else None
        )
    writer = allowed(WRITERS)
    editable = writer and (session is None or session["status"] == "scheduled")
    zone = ZoneInfo(get_settings().timezone)
    start = session["starts_at"].astimezone(zone) if session else None
    end = session["ends_at"].astimezone(zone) if session else None
    student_options = (
        [
            {"label": n, "value": int(i)}
            for i, n in attendees[["id", "name"]].itertuples(index=False)
        ]
        if attendees is not None
        else []
    )
    form = dbc.Card(
        dbc.CardBody(
            [
                dbc.Row(
                    [
                        field(
                            "Title",
                            dbc.Input(
                                id=ids.title,
                                value=session["title"] if session else None,
                                maxLength=160,
                                disabled=not editable,
                            ),
                            md=6,
                            class_name="mb-2",
                        ),
                        field(
                            "Focus topic",
                            dbc.Input(
                                id=ids.focus,
                                value=session["focus"] if session else None,
                                maxLength=80,
                                disabled=not editable,
                            ),
                            md=6,
                            class_name="mb-2",
                        ),
                    ],
                    className="g-2",
                ),
                field(
                    "Description",
                    dbc.Textarea(
                        id=ids.description,
                        value=session["description"] if session else None,
                        maxLength=2000,
                        disabled=not editable,
                    ),
                    md=12,
                    class_name="mb-2",
                ),
                dbc.Row(
                    [
                        field(
                            "Host (tutor or mentor)",
                            HostPickerAIO(
                                "book-host",
                                value=session["host"] if session else None,
                                disabled=not editable,
                                options=host_choices(hosts),
                                placeholder="A mentor, or type a tutor's name",
                            ),
                            md=6,
                            class_name="mb-2",
                        ),
                        field(
                            "Room",
                            dcc.Dropdown(
                                id=ids.room,
                                value=session["room_id"] if session else None,
                                disabled=not editable,
                                options=room_choices(rooms, seats=True),
                            ),
                            md=6,
                            class_name="mb-2",
                        ),
                    ],
                    className="g-2",
                ),
                dbc.Row(
                    [
                        field(
                            "Day",
                            dcc.DatePickerSingle(
                                id=ids.day,
                                date=start.date().isoformat() if start else _day(date),
                                display_format="YYYY-MM-DD",
                                first_day_of_week=1,
                                disabled=not editable,
                            ),
                            md=4,
                            class_name="mb-2",
                        ),
                        field(
                            "Start",
                            dbc.Input(
                                id=ids.start,
                                type="time",
                                step=300,
                                value=f"{start:%H:%M}" if start else "10:00",
                                disabled=not editable,
                            ),
                            md=4,
                            class_name="mb-2",
                        ),
                        field(
                            "End",
                            dbc.Input(
                                id=ids.end,
                                type="time",
                                step=300,
                                value=f"{end:%H:%M}" if end else "11:00",
                                disabled=not editable,
                            ),
                            md=4,
                            class_name="mb-2",
                        ),
                    ],
                    className="g-2",
                ),
                html.P(f"Bookable {business_hours().describe()}.", className="widget-note"),
                dbc.Row(
                    [
                        field(
                            "Students",
                            StudentPickerAIO(
                                "book-students",
                                multi=True,
                                value=session["students"] if session else None,
                                options=student_options,
                                placeholder="Type two letters of a name",
                                disabled=not editable,
                            ),
                            md=8,
                            class_name="mb-2",
                        ),
                        field(
                            "Or a whole group",
                            dcc.Dropdown(
                                id=ids.group,
                                disabled=not editable,
                                placeholder="A class",
                                options=[
                                    {"label": n, "value": int(i)}
                                    for i, n in groups[["id", "name"]].itertuples(index=False)
                                ],
                            ),
                            md=4,
                            class_name="mb-2",
                        ),
                    ],
                    className="g-2",
                ),
                dbc.Button(
                    "Save session" if session else "Book session",
                    id=ids.save,
                    color="primary",
                    className="mt-2",
                    disabled=not editable,
                ),
                html.Div(id=ids.result, role="status", className="mt-3"),
                dcc.Store(id=ids.suggestion),
            ]
        ),
        className="form-card",
    )
    parts: list[Component] = [
        dcc.Store(id=ids.session, data=session["id"] if session else None),
        dcc.Location(id=ids.go, refresh=True),
    ]
    if session:
        parts.append(_status_card(session, attendees))
    parts.append(form)
    return html.Div(parts)


def _day(value: str | None) -> str | None:
    try:
        return date_type.fromisoformat(str(value)).isoformat()
    except ValueError:
        return None


def _status_card(session: dict[str, Any], attendees: pd.DataFrame | None) -> dbc.Card:
    may_change = session["status"] == "scheduled" and (
        allowed(WRITERS) or session["host"] == f"user:{current_user.user_id}"
    )
    body: list[Component] = [
        html.P(["Status: ", html.Strong(STATUS_LABELS[session["status"]])]),
    ]
    if session["status_changed_at"]:
        zone = ZoneInfo(get_settings().timezone)
        changed = session["status_changed_at"].astimezone(zone)
        body.append(
            html.P(f"Changed {changed:%Y-%m-%d %H:%M} ({zone.key})", className="widget-note")
        )
    if may_change:
        started = session["starts_at"] <= now()
        options = (
            []
            if attendees is None
            else [
                {"label": n, "value": int(i)}
                for i, n in attendees[["id", "name"]].itertuples(index=False)
            ]
        )
        body += [
            field(
                "No-shows (students who did not come)",
                dcc.Dropdown(id=ids.absent, multi=True, options=options),
                md=12,
                class_name="mb-2",
            ),
            html.Div(
                [
                    dbc.Button(
                        "Mark completed",
                        id=ids.complete,
                        color="success",
                        disabled=not started,
                    ),
                    # Cancelling cannot be undone (a cancelled session is booked anew), so ask.
                    dcc.ConfirmDialogProvider(
                        dbc.Button("Cancel session", color="danger", outline=True),
                        id=ids.cancel,
                        message=f"Cancel “{session['title']}”? The host and attendees see it "
                        "cancelled, and it cannot be reopened: you would book it again.",
                    ),
                ],
                className="d-flex flex-wrap gap-2",  # the dialog wraps its button in a block
            ),
            html.P(
                "It can be marked completed once it has started.",
                className="widget-note",
                hidden=started,
            ),
            html.Div(id=ids.status_result, role="status", className="mt-2"),
        ]
    return dbc.Card(dbc.CardBody(body), className="form-card")


@callback(
    Output(ids.result, "children"),
    Output(ids.suggestion, "data"),
    Output(ids.go, "href"),
    Input(ids.save, "n_clicks"),
    State(ids.session, "data"),
    State(ids.title, "value"),
    State(ids.focus, "value"),
    State(ids.description, "value"),
    State(ids.host, "value"),
    State(ids.room, "value"),
    State(ids.day, "date"),
    State(ids.start, "value"),
    State(ids.end, "value"),
    State(ids.students, "value"),
    State(ids.group, "value"),
    prevent_initial_call=True,
)
@requires(*WRITERS)
def save(
    _clicks: int | None,
    session_id: int | None,
    title: str | None,
    focus: str | None,
    description: str | None,
    host: str | None,
    room: Any,
    day: str | None,
    start: str | None,
    end: str | None,
    students: list[Any] | None,
    group: Any,
) -> tuple[Any, Any, Any]:
    """Validate the form, then book or change the session (actions.schedules)."""
    try:
        request = BookingRequest.model_validate(
            {
                "title": title or "",
                "focus": focus or "",
                "description": description or "",
                "host": host or "",
                "room_id": room,
                "day": str(day)[:10] if day else None,
                "start": start,
                "end": end,
                "student_ids": students or [],
                "group_id": group,
                "session_id": session_id or None,
            }
        )
    except ValidationError as error:
        return dbc.Alert(booking_problem(error), color="warning"), None, dash.no_update
    result = book_session(actor=current_actor(), request=request, hours=business_hours(), now=now())
    deny_if_forged(result)
    if isinstance(result, Refused):
        return dbc.Alert(result.message, color="warning"), None, dash.no_update
    if isinstance(result, Clash):
        slot = result.slot
        return _conflict(result), slot and slot.isoformat(), dash.no_update
    return (
        dbc.Alert("Saved.", color="success"),
        None,
        f"/schedules/book?id={result.schedule_id}",
    )


def _conflict(found: Clash) -> Component:
    problems, clash, slot, length = found.problems, found.clashes, found.slot, found.length
    zone = ZoneInfo(get_settings().timezone)
    parts: list[Component] = [html.P(p, className="mb-1") for p in problems]
    if not clash.empty:
        shown = clash.assign(
            when=[
                f"{s.astimezone(zone):%a %d %b %H:%M}–{e.astimezone(zone):%H:%M}"
                for s, e in zip(clash["starts_at"], clash["ends_at"], strict=True)
            ]
        )
        parts.append(
            data_table(
                shown,
                {"title": "Session", "when": "When", "shared": "Shared"},
                empty_title="",
                empty_hint="",
            )
        )
    if slot is not None:
        local = slot.astimezone(zone)
        parts.append(
            html.Div(
                [
                    html.Span(
                        f"Nearest free slot: {local:%a %d %b %H:%M}–{(local + length):%H:%M}. "
                    ),
                    dbc.Button("Use this slot", id=ids.use_suggestion, size="sm", color="primary"),
                ]
            )
        )
    else:
        parts.append(html.P("No free slot of that length in the two weeks around it."))
    return dbc.Alert(parts, color="warning")


@callback(
    Output(ids.day, "date"),
    Output(ids.start, "value"),
    Output(ids.end, "value"),
    Input(ids.use_suggestion, "n_clicks"),
    State(ids.suggestion, "data"),
    State(ids.start, "value"),
    State(ids.end, "value"),
    prevent_initial_call=True,
)
@requires(*WRITERS)
def use_suggestion(
    clicks: int | None, suggestion: str | None, start: Any, end: Any
) -> tuple[Any, ...]:
    if not clicks or not suggestion:
        raise dash.exceptions.PreventUpdate
    try:
        slot = datetime.fromisoformat(str(suggestion)).astimezone(ZoneInfo(get_settings().timezone))
        length = datetime.combine(date.min, time.fromisoformat(end)) - datetime.combine(
            date.min, time.fromisoformat(start)
        )
    except (TypeError, ValueError):
        raise dash.exceptions.PreventUpdate from None
    return slot.date().isoformat(), f"{slot:%H:%M}", f"{(slot + length):%H:%M}"


@callback(
    Output(ids.status_result, "children"),
    Output(ids.go, "href", allow_duplicate=True),
    Input(ids.complete, "n_clicks"),
    Input(ids.cancel, "submit_n_clicks"),
    State(ids.session, "data"),
    State(ids.absent, "value"),
    prevent_initial_call=True,
)
@requires(*EVERYONE)
def change_status(
    _complete: int | None, _cancel: int | None, session_id: Any, absent: list[Any] | None
) -> Any:
    """Scheduled -> completed or cancelled (actions.schedules.set_session_status)."""
    if not str(session_id).isdigit():
        return dbc.Alert("No such session.", color="warning"), dash.no_update
    result = set_session_status(
        actor=current_actor(),
        schedule_id=int(session_id),
        status="completed" if dash.ctx.triggered_id == ids.complete else "cancelled",
        absent=[int(a) for a in absent or [] if str(a).isdigit()],
        now=now(),
    )
    deny_if_forged(result)
    if isinstance(result, Refused):
        return dbc.Alert(result.message, color="warning"), dash.no_update
    return (
        dbc.Alert(f"Marked {result.status}.", color="success"),
        f"/schedules/book?id={result.schedule_id}",
    )

"""Book, edit, complete or cancel one session; conflicts are shown with the nearest free slot."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from datetime import date as date_type
from typing import Any
from zoneinfo import ZoneInfo

import dash
import dash_bootstrap_components as dbc
import pandas as pd
from dash import Input, Output, State, callback, dcc, html
from dash.development.base_component import Component
from flask_login import current_user
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from analytics.scheduling import Booking, BusinessHours, clashes, nearest_free_slot
from auth.access import EVERYONE, AccessDenied, allowed, region_scope, requires
from auth.audit import audit
from auth.requests import now
from components.empty_state import empty_state
from components.pickers import host_choices, room_choices, search_choices, search_text
from components.table import data_table
from data import activity, schedules
from data.engine import connect, transaction
from settings import get_settings

dash.register_page(
    __name__,
    path="/schedules/book",
    name="Session",
    area="Schedules",
    order=9,
    roles=EVERYONE,
    nav=False,
)

WRITERS = ("admin", "manager")
MAX_ATTENDEES = 40


class ids:
    session = "book-session"
    go = "book-go"
    title = "book-title"
    focus = "book-focus"
    description = "book-description"
    host = "book-host"
    room = "book-room"
    day = "book-day"
    start = "book-start"
    end = "book-end"
    students = "book-students"
    group = "book-group"
    save = "book-save"
    result = "book-result"
    suggestion = "book-suggestion"
    use_suggestion = "book-use-suggestion"
    absent = "book-absent"
    complete = "book-complete"
    cancel = "book-cancel"
    status_result = "book-status-result"


class BookingForm(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)
    title: str = Field(min_length=1, max_length=160)
    focus: str = Field(default="", max_length=80)
    description: str = Field(default="", max_length=2000)
    host: str
    room_id: int
    day: date
    start: time
    end: time
    student_ids: list[int] = Field(default_factory=list, max_length=MAX_ATTENDEES)
    group_id: int | None = None

    @field_validator("host")
    @classmethod
    def _host(cls, value: str) -> str:
        schedules.parse_host(value)
        return value

    def moments(self) -> tuple[datetime, datetime]:
        zone = ZoneInfo(get_settings().timezone)
        start = datetime.combine(self.day, self.start, zone).astimezone(UTC)
        return start, datetime.combine(self.day, self.end, zone).astimezone(UTC)


FIELD_NAMES = {
    "title": "Title",
    "focus": "Focus topic",
    "description": "Description",
    "host": "Host",
    "room_id": "Room",
    "day": "Day",
    "start": "Start",
    "end": "End",
    "student_ids": "Attendees",
    "group_id": "Group",
}


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
                        _field(
                            "Title",
                            dbc.Input(
                                id=ids.title,
                                value=session and session["title"],
                                maxLength=160,
                                disabled=not editable,
                            ),
                            6,
                        ),
                        _field(
                            "Focus topic",
                            dbc.Input(
                                id=ids.focus,
                                value=session and session["focus"],
                                maxLength=80,
                                disabled=not editable,
                            ),
                            6,
                        ),
                    ],
                    className="g-2",
                ),
                _field(
                    "Description",
                    dbc.Textarea(
                        id=ids.description,
                        value=session and session["description"],
                        maxLength=2000,
                        disabled=not editable,
                    ),
                    12,
                ),
                dbc.Row(
                    [
                        _field(
                            "Host (tutor or mentor)",
                            dcc.Dropdown(
                                id=ids.host,
                                value=session and session["host"],
                                disabled=not editable,
                                options=host_choices(hosts),
                                placeholder="A mentor, or type a tutor's name",
                                search_value="",
                            ),
                            6,
                        ),
                        _field(
                            "Room",
                            dcc.Dropdown(
                                id=ids.room,
                                value=session and session["room_id"],
                                disabled=not editable,
                                options=room_choices(rooms, seats=True),
                            ),
                            6,
                        ),
                    ],
                    className="g-2",
                ),
                dbc.Row(
                    [
                        _field(
                            "Day",
                            dcc.DatePickerSingle(
                                id=ids.day,
                                date=start.date().isoformat() if start else _day(date),
                                display_format="YYYY-MM-DD",
                                first_day_of_week=1,
                                disabled=not editable,
                            ),
                            4,
                        ),
                        _field(
                            "Start",
                            dbc.Input(
                                id=ids.start,
                                type="time",
                                step=300,
                                value=f"{start:%H:%M}" if start else "10:00",
                                disabled=not editable,
                            ),
                            4,
                        ),
                        _field(
                            "End",
                            dbc.Input(
                                id=ids.end,
                                type="time",
                                step=300,
                                value=f"{end:%H:%M}" if end else "11:00",
                                disabled=not editable,
                            ),
                            4,
                        ),
                    ],
                    className="g-2",
                ),
                html.P(f"Bookable {business_hours().describe()}.", className="widget-note"),
                dbc.Row(
                    [
                        _field(
                            "Students",
                            dcc.Dropdown(
                                id=ids.students,
                                multi=True,
                                value=session and session["students"],
                                options=student_options,
                                placeholder="Type two letters of a name",
                                disabled=not editable,
                            ),
                            8,
                        ),
                        _field(
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
                            4,
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
        dcc.Store(id=ids.session, data=session and session["id"]),
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


def _field(label: str, control: Component, width: int) -> dbc.Col:
    return dbc.Col([dbc.Label(label, html_for=control.id), control], md=width, className="mb-2")


def _status_card(session: dict[str, Any], attendees: pd.DataFrame | None) -> dbc.Card:
    may_change = session["status"] == "scheduled" and (
        allowed(WRITERS) or session["host"] == f"user:{current_user.user_id}"
    )
    body: list[Component] = [
        html.P(["Status: ", html.Strong(session["status"].capitalize())]),
    ]
    if session["status_changed_at"]:
        body.append(
            html.P(
                f"Changed {session['status_changed_at']:%Y-%m-%d %H:%M} UTC",
                className="widget-note",
            )
        )
    if may_change:
        options = (
            []
            if attendees is None
            else [
                {"label": n, "value": int(i)}
                for i, n in attendees[["id", "name"]].itertuples(index=False)
            ]
        )
        body += [
            _field(
                "No-shows (students who did not come)",
                dcc.Dropdown(id=ids.absent, multi=True, options=options),
                12,
            ),
            html.Div(
                [
                    dbc.Button(
                        "Mark completed", id=ids.complete, color="success", className="me-2"
                    ),
                    dbc.Button("Cancel session", id=ids.cancel, color="danger", outline=True),
                ]
            ),
            html.Div(id=ids.status_result, role="status", className="mt-2"),
        ]
    return dbc.Card(dbc.CardBody(body), className="form-card")


@callback(
    Output(ids.students, "options"),
    Input(ids.students, "search_value"),
    State(ids.students, "value"),
    State(ids.students, "options"),
    prevent_initial_call=True,
)
@requires(*EVERYONE)
def find_students(text: str | None, chosen: Any, current: list[dict] | None) -> list[dict]:
    """Search as you type (two letters or more), keeping the chosen students."""
    with connect() as conn:
        return search_choices(
            text,
            chosen,
            current,
            lambda t: schedules.find_students(conn=conn, region_ids=region_scope(), text=t),
        )


@callback(
    Output(ids.host, "options"),
    Input(ids.host, "search_value"),
    State(ids.host, "value"),
    prevent_initial_call=True,
)
@requires(*EVERYONE)
def find_host(text: str | None, chosen: Any) -> list[dict]:
    """Search as you type (two letters or more): the mentors and the chosen host stay."""
    with connect() as conn:
        found = schedules.find_hosts(
            conn=conn, region_ids=region_scope(), text=search_text(text), keys=[str(chosen)]
        )
    return host_choices(found)


def _problem(error: ValidationError) -> str:
    first = error.errors()[0]
    name = FIELD_NAMES.get(str(first["loc"][0]), str(first["loc"][0])) if first["loc"] else "Form"
    return f"{name}: {first['msg'].removeprefix('Value error, ')}."


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
    _clicks, session_id, title, focus, description, host, room, day, start, end, students, group
):  # type: ignore[no-untyped-def]
    """Validate, check for double bookings, then create or update in one transaction."""
    try:
        form = BookingForm(
            title=title or "",
            focus=focus or "",
            description=description or "",
            host=host or "",
            room_id=room,
            day=str(day)[:10] if day else None,
            start=start,
            end=end,
            student_ids=students or [],
            group_id=group,
        )
    except ValidationError as error:
        return dbc.Alert(_problem(error), color="warning"), None, dash.no_update
    starts_at, ends_at = form.moments()
    if ends_at <= starts_at:
        return (
            dbc.Alert("End: the session must end after it starts.", color="warning"),
            None,
            dash.no_update,
        )
    hours = business_hours()
    scope = region_scope()
    with connect() as conn:
        before = schedules.one(conn=conn, schedule_id=int(session_id)) if session_id else None
        rooms = schedules.rooms(conn=conn, region_ids=scope).set_index("id")
        hosts = set(schedules.hosts(conn=conn, region_ids=scope)["host"])
        members = (
            schedules.group_members(conn=conn, group_id=form.group_id) if form.group_id else []
        )
        student_ids = sorted(set(form.student_ids) | set(members))
        found = schedules.students_by_id(conn=conn, ids=student_ids)
        if (
            form.room_id not in rooms.index
            or form.host not in hosts
            or (before and scope is not None and before["region_id"] not in scope)
            or (scope is not None and not found["region_id"].isin(scope).all())
            or len(found) != len(student_ids)
        ):
            audit("access.denied", what="schedule", host=form.host, room_id=form.room_id)
            raise AccessDenied()
        if before and before["status"] != "scheduled":
            return (
                dbc.Alert(f"A {before['status']} session cannot be edited.", color="warning"),
                None,
                dash.no_update,
            )
        if len(student_ids) > MAX_ATTENDEES:
            return (
                dbc.Alert(f"Attendees: at most {MAX_ATTENDEES} per session.", color="warning"),
                None,
                dash.no_update,
            )
        booking = Booking(
            starts_at,
            ends_at,
            form.host,
            form.room_id,
            frozenset(student_ids),
            id=before and before["id"],
        )
        window = (
            starts_at.replace(hour=0, minute=0) - pd.Timedelta(days=15),
            ends_at + pd.Timedelta(days=15),
        )
        busy = schedules.busy(
            conn=conn,
            since=window[0],
            until=window[1],
            host=form.host,
            room_id=form.room_id,
            student_ids=student_ids,
        )
    problems = []
    if not hours.contains(starts_at, ends_at):
        problems.append(f"Outside business hours ({hours.describe()}).")
    if starts_at < now() and before is None:
        problems.append("The start is in the past.")
    clash = clashes(booking, busy)
    if not clash.empty:
        problems.append("It double-books the sessions below.")
    if problems:
        slot = nearest_free_slot(
            booking, busy, hours, not_before=max(now(), starts_at.replace(hour=0))
        )
        return (
            _conflict(problems, clash, slot, ends_at - starts_at),
            slot and slot.isoformat(),
            dash.no_update,
        )
    fields = form.model_dump(include={"title", "focus", "description", "host", "room_id"}) | {
        "region_id": int(rooms.loc[form.room_id, "region_id"]),
        "starts_at": starts_at,
        "ends_at": ends_at,
    }
    moment = now()
    with transaction() as conn:
        if before is None:
            schedule_id = schedules.create(
                conn=conn,
                fields=fields,
                student_ids=student_ids,
                by=current_user.user_id,
                now=moment,
            )
        else:
            schedule_id = before["id"]
            schedules.update_details(
                conn=conn,
                schedule_id=schedule_id,
                fields=fields,
                student_ids=student_ids,
                by=current_user.user_id,
                now=moment,
            )
        names = schedules.host_names(conn=conn, keys=[form.host])
        local = starts_at.astimezone(ZoneInfo(get_settings().timezone))
        hosts_to_tell = {
            h for h in (form.host, before and before["host"]) if h and h.startswith("user:")
        }
        activity.record_event(
            conn=conn,
            actor_id=current_user.user_id,
            area="schedules",
            verb="booked" if before is None else "updated",
            entity_type="schedule",
            entity_id=schedule_id,
            region_id=fields["region_id"],
            now=moment,
            summary=f"{current_user.display_name} {'booked' if before is None else 'changed'} "
            f"“{form.title}” with {names.get(form.host, 'a host')} on {local:%a %d %b %H:%M}",
            notify=[int(h.split(":")[1]) for h in hosts_to_tell],
        )
    after = fields | {
        "starts_at": starts_at.isoformat(),
        "ends_at": ends_at.isoformat(),
        "students": student_ids,
    }
    audit(
        "schedule.created" if before is None else "schedule.updated",
        entity_type="schedule",
        entity_id=schedule_id,
        before=before and _plain(before),
        after=after,
    )
    return dbc.Alert("Saved.", color="success"), None, f"/schedules/book?id={schedule_id}"


def _plain(session: dict[str, Any]) -> dict[str, Any]:
    return {k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in session.items()}


def _conflict(
    problems: list[str], clash: pd.DataFrame, slot: datetime | None, length: Any
) -> Component:
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
def use_suggestion(clicks, suggestion, start, end):  # type: ignore[no-untyped-def]
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
    Input(ids.cancel, "n_clicks"),
    State(ids.session, "data"),
    State(ids.absent, "value"),
    prevent_initial_call=True,
)
@requires(*EVERYONE)
def change_status(_complete, _cancel, session_id, absent):  # type: ignore[no-untyped-def]
    """Scheduled -> completed or cancelled, by a writer in scope or the session's own host."""
    status = "completed" if dash.ctx.triggered_id == ids.complete else "cancelled"
    with connect() as conn:
        session = (
            schedules.one(conn=conn, schedule_id=int(session_id))
            if str(session_id).isdigit()
            else None
        )
    scope = region_scope()
    mine = session is not None and session["host"] == f"user:{current_user.user_id}"
    in_scope = session is not None and (scope is None or session["region_id"] in scope)
    if session is None:
        return dbc.Alert("No such session.", color="warning"), dash.no_update
    if not (mine or (allowed(WRITERS) and in_scope)):
        audit("access.denied", what="schedule status", schedule_id=str(session_id)[:20])
        raise AccessDenied()
    absent = (
        [int(a) for a in absent or [] if int(a) in session["students"]]
        if status == "completed"
        else []
    )
    moment = now()
    with transaction() as conn:
        moved = schedules.set_status(
            conn=conn,
            schedule_id=session["id"],
            status=status,
            by=current_user.user_id,
            now=moment,
            absent=absent,
        )
        if moved:
            host = session["host"]
            activity.record_event(
                conn=conn,
                actor_id=current_user.user_id,
                area="schedules",
                verb=status,
                entity_type="schedule",
                entity_id=session["id"],
                region_id=session["region_id"],
                now=moment,
                summary=f"{current_user.display_name} marked “{session['title']}” {status}",
                notify=[int(host.split(":")[1])] if host.startswith("user:") else [],
            )
    if not moved:
        return dbc.Alert(
            "Someone else changed this session first; reload to see it.", color="warning"
        ), dash.no_update
    audit(
        f"schedule.{status}",
        entity_type="schedule",
        entity_id=session["id"],
        before={"status": "scheduled"},
        after={"status": status, "no_shows": absent},
    )
    return dbc.Alert(f"Marked {status}.", color="success"), f"/schedules/book?id={session['id']}"

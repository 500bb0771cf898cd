"""Draft a PE lesson plan for a class from its skill gaps, the activities that train them and
the equipment its school has; edit it and save it as the class's lesson plan."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from typing import Any

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, dcc, html
from flask_login import current_user

from actions.base import Refused
from actions.pe import save_plan
from ai import insights
from analytics.pe import (
    GRADE_BENCHMARKS,
    activity_recommendations,
    equipment_for,
    next_lesson_day,
)
from auth.access import (
    MANAGERS,
    STAFF,
    allowed,
    check_region,
    current_actor,
    deny_if_forged,
    region_scope,
    requires,
)
from auth.requests import now
from components.filters import field
from components.insight import insight_card
from components.pe_widgets import label
from data.engine import connect
from data.lesson_plans import class_region
from data.queries import pe
from settings import business_today

dash.register_page(
    __name__,
    path="/pe/lesson-plan",
    name="Lesson plan draft",
    area="PE programs",
    order=2,
    roles=STAFF,
)
WRITERS = MANAGERS


class ids:
    klass = "plan-class"
    draft = "plan-draft"
    note = "plan-note"
    title = "plan-title"
    day = "plan-day"
    text = "plan-text"
    focus = "plan-focus"
    equipment = "plan-equipment"
    save = "plan-save"
    saved = "plan-saved"


def layout(**_kwargs: str) -> html.Div:
    may_save = allowed(WRITERS)  # analysts draft; saving is for admins and managers
    with connect() as conn:
        classes = pe.filter_options(conn=conn, region_ids=region_scope())
    options = [
        {"label": f"{row['school_name']} · {row['class_name']}", "value": int(row["class_id"])}
        for row in classes.to_dict("records")
    ]
    return html.Div(
        [
            dbc.Row(
                [
                    field(
                        "Class",
                        dcc.Dropdown(id=ids.klass, options=options, placeholder="Choose a class"),
                        md=6,
                    ),
                    dbc.Col(
                        dbc.Button("Draft a lesson plan", id=ids.draft, color="primary"),
                        md=6,
                        className="d-flex align-items-end",
                    ),
                ],
                className="g-3 mb-3",
            ),
            dcc.Loading(html.Div(id=ids.note)),
            dbc.Row(
                [
                    field("Title", dbc.Input(id=ids.title, maxLength=160), md=6),
                    field(
                        "Day",
                        dcc.DatePickerSingle(
                            id=ids.day,
                            date=(now().date() + timedelta(days=1)).isoformat(),
                            display_format="YYYY-MM-DD",
                        ),
                        md=3,
                    ),
                    field("Focus skill", dbc.Input(id=ids.focus, maxLength=32), md=3),
                ],
                className="g-3 mb-2",
            ),
            dbc.Label("Plan (edit freely before saving)", html_for=ids.text),
            dbc.Textarea(id=ids.text, rows=16, maxLength=8000, className="mb-2"),
            dbc.Label("Equipment needed", html_for=ids.equipment),
            dbc.Input(id=ids.equipment, maxLength=1000, className="mb-3"),
            dbc.Button("Save as lesson plan", id=ids.save, color="success", disabled=not may_save),
            html.Div(
                None
                if may_save
                else "Only admins and managers save lesson plans: copy the draft to share it.",
                id=ids.saved,
                className="mt-3 small text-body-secondary",
                role="status",
            ),
        ]
    )


def class_material(class_id: int) -> tuple[str, list[tuple[str, str]], list[str], list[str]]:
    """The class's name, its largest gaps (skill, "N points below the benchmark"), the
    activities recommended for them, and the equipment (not broken) its lessons use that
    those activities are played with."""
    with connect() as conn:
        bounds = pe.date_bounds(conn=conn)
        start, end = bounds if bounds else (date.min, date.max)
        scope = pe.PEFilter(start, end, region_scope(), class_id=class_id)
        means = pe.class_skill_means(conn=conn, scope=scope)
        incidents = pe.incident_counts(conn=conn, scope=scope)
        equipment = pe.equipment_use(conn=conn, scope=scope)
    if means.empty:
        return "", [], [], []
    latest = means[means["assessed_on"] == means["assessed_on"].max()]
    gap = latest["grade"].map(GRADE_BENCHMARKS) - latest["mean"]
    ranked = latest.assign(gap=gap).sort_values("gap", ascending=False)
    gaps = [
        (str(row["skill"]).replace("_", " "), f"{row['gap']:.1f} points below the benchmark")
        for row in ranked.to_dict("records")
        if row["gap"] > 0
    ][:3]
    recs = activity_recommendations(means, incidents, per_class=3)
    activities = [
        f"{str(r['activity']).replace('_', ' ').capitalize()}: {r['reason']}"
        for r in recs.to_dict("records")
    ]
    # What the plan's activities are played with, of what this class's lessons use: the
    # school's whole store (basketballs and hurdles for football and dance) was no list.
    usable = equipment[(equipment["condition"] != "broken") & (equipment["sessions_used"] > 0)]
    items = usable.sort_values("sessions_used", ascending=False, kind="stable")["name"]
    needed = equipment_for([str(a) for a in recs["activity"]], list(dict.fromkeys(items)))
    return str(latest["class_name"].iloc[0]), gaps, activities, needed[:12]


def lesson_days(class_id: int, today: date) -> tuple[date, list[str]]:
    """The day to plan for (`analytics.pe.next_lesson_day`) and the plans the class already
    has from today on, in words ("Endurance on Mon 7 Dec")."""
    with connect() as conn:
        scope = pe.PEFilter(today - timedelta(days=28), today, region_scope(), class_id=class_id)
        held = pe.attendance_daily(conn=conn, scope=scope)
        plans = pe.lesson_plans(conn=conn, scope=replace(scope, start=today), ahead_days=28)
    planned = {d.date() for d in plans["planned_on"]}
    day = next_lesson_day([d.date() for d in held["day"]], planned, today=today)
    already = [
        f"{label(p['focus_skill'])} on {p['planned_on']:%a %-d %b}"
        for p in plans.to_dict("records")
    ]
    return day, already


@callback(
    Output(ids.text, "value"),
    Output(ids.title, "value"),
    Output(ids.focus, "value"),
    Output(ids.equipment, "value"),
    Output(ids.day, "date"),
    Output(ids.note, "children"),
    Input(ids.draft, "n_clicks"),
    State(ids.klass, "value"),
    prevent_initial_call=True,
)
@requires(*STAFF)
def draft(_clicks: int | None, class_id: object) -> tuple:
    if not isinstance(class_id, int):
        return (dash.no_update,) * 5 + (dbc.Alert("Choose a class first.", color="info"),)
    with connect() as conn:
        check_region(class_region(conn=conn, class_id=class_id))
    name, gaps, activities, equipment = class_material(class_id)
    if not name:
        message = dbc.Alert(
            "This class has no skill assessments yet, so there is nothing to plan from.",
            color="info",
        )
        return (dash.no_update,) * 5 + (message,)
    plan = insights.lesson_plan(
        class_name=name,
        gaps=gaps,
        activities=activities,
        equipment=equipment,
        user_id=current_user.user_id,
    )
    day, already = lesson_days(class_id, business_today())
    ready = "Draft ready below: edit it, then save."
    if already:
        ready += " Already planned for this class: " + "; ".join(already) + "."
    note = insight_card(ready, source=plan.source, note=plan.note, retry=plan.retry)
    focus = gaps[0][0] if gaps else "general"
    return plan.text, f"{name}: {focus}", focus, ", ".join(equipment), day.isoformat(), note


@callback(
    Output(ids.saved, "children"),
    Input(ids.save, "n_clicks"),
    State(ids.klass, "value"),
    State(ids.title, "value"),
    State(ids.day, "date"),
    State(ids.focus, "value"),
    State(ids.text, "value"),
    State(ids.equipment, "value"),
    prevent_initial_call=True,
)
@requires(*STAFF)
def save(
    _clicks: int | None,
    class_id: Any,
    title: str | None,
    day: str | None,
    focus: Any,
    text: str | None,
    equipment: list[str] | None,
) -> Any:
    result = save_plan(
        actor=current_actor(),
        class_id=class_id,
        title=title,
        day=day,
        focus=focus,
        text=text,
        equipment=equipment,
        now=now(),
    )
    deny_if_forged(result)
    if isinstance(result, Refused):
        return dbc.Alert(result.message, color="warning")
    return dbc.Alert(
        f"Saved as lesson plan {result.plan_id} for {result.planned_on:%Y-%m-%d}.",
        color="success",
    )

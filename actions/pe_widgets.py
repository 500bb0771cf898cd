"""The PE widgets: what each reads (data.queries.pe) and computes (analytics), and the one
read the PE dashboard, its exports and the API share (`read_widget`). How each is drawn
lives in `components.pe_widgets.DRAW`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pandas as pd
from pydantic import BaseModel, ValidationError

from actions.base import Actor, Refused
from actions.pe_board import (
    WIDGETS,
    Filters,
    FitnessOptions,
    Frames,
    HealthOptions,
    PageOptions,
    Widget,
    first_problem,
    register,
)
from analytics.equipment import equipment_recommendations
from analytics.kpis import whole_weeks_to
from analytics.pe import (
    activity_recommendations,
    attendance_forecast,
    curriculum_coverage,
    performance_forecast,
    skill_gaps,
)
from analytics.pe_safety import safety_risk
from analytics.teams import TeamOptions, balance_teams
from data.engine import connect
from data.queries import pe
from settings import business_today
from vocabulary import ROLES as EVERYONE
from vocabulary import STAFF

DEFAULT_DAYS = 120


@dataclass(frozen=True)
class WidgetData:
    """A widget read under filters and settings. `data` is what the widget draws: a frame,
    or a dict of frames and values; None when there is nothing to draw."""

    widget: Widget
    scope: pe.PEFilter
    options: BaseModel
    data: Any


def default_dates(
    *, start: date | None, end: date | None, bounds: tuple[date, date], today: date | None = None
) -> tuple[date, date]:
    """The dashboard's period: as chosen, else the newest 120 whole days with data. Today,
    still in progress, ends it only when it is all there is: a board ending today drew this
    morning's lessons as the last week's attendance, and forecast from them."""
    today = today or business_today()
    newest = bounds[1] if bounds[1] < today else max(bounds[0], today - timedelta(days=1))
    end = end or newest
    # Both ends are in the period: 120 days run from end - 119 days (it read 121 days).
    start = start or max(bounds[0], end - timedelta(days=DEFAULT_DAYS - 1))
    return start, data_end(start, end, today)


def data_end(start: date, end: date, today: date | None = None) -> date:
    """Where a period's figures stop: at yesterday, the last whole day, when it reaches
    further (an end three weeks ahead read this morning's lessons as "last week" and counted
    "the last 30 days" mostly in the future), unless the period starts today."""
    yesterday = (today or business_today()) - timedelta(days=1)
    return max(start, min(end, yesterday))


def to_whole_weeks(daily: pd.DataFrame, end: date) -> pd.DataFrame:
    """Daily marks up to the last Sunday on or before `end`: a week cut short (an end on a
    Wednesday) is not compared with whole ones, unless it is the only week there is."""
    whole = daily[daily["day"] <= whole_weeks_to(pd.Timestamp(end))]
    return whole if len(whole) else daily


def board_scope(filters: Any, *, region_ids: tuple[int, ...] | None) -> pe.PEFilter:
    """Validated dashboard filters (dates included) as a query filter inside the regions.
    Raises ValueError, with a message for people, when they are not valid."""
    try:
        f = Filters.model_validate(filters)
    except ValidationError as error:
        raise ValueError(str(error.errors()[0]["msg"]).removeprefix("Value error, ")) from error
    if f.start is None or f.end is None:
        raise ValueError("a date range is needed")
    return pe.PEFilter(
        start=f.start,
        end=data_end(f.start, f.end),
        region_ids=None if region_ids is None else list(region_ids),
        school_id=f.school_id,
        grade=f.grade,
        class_id=f.class_id,
    )


def read_widget(
    *, actor: Actor, widget_id: str, filters: Any, options: Any
) -> WidgetData | Refused:
    """One widget's data for the actor's role and regions. A widget the role may not see is
    refused as denied; bad filters or settings are refused with the reason."""
    widget = WIDGETS.get(widget_id)
    if widget is None or not actor.may(widget.roles):
        return Refused(
            "That widget is not available to your role.",
            denied=True,
            detail={"what": "pe widget", "widget": str(widget_id)[:40]},
        )
    try:
        chosen = widget.options.model_validate(options or {})
    except ValidationError as error:
        return Refused(f"The settings of “{widget.title}” are not valid: {first_problem(error)}.")
    try:
        scope = board_scope(filters, region_ids=actor.region_ids)
    except ValueError as error:
        return Refused(f"The filters are not valid: {error}.")
    with connect() as conn:
        data = widget.load(conn, scope, chosen)
    return WidgetData(widget=widget, scope=scope, options=chosen, data=data)


def _labelled(frame: pd.DataFrame) -> pd.DataFrame:
    """Class names repeat across schools ("Grade 3 PE"): name the school too."""
    return frame.assign(class_name=frame["school_name"] + " · " + frame["class_name"])


def _coverage(frames: Frames, scope: pe.PEFilter, _o: Any) -> dict[str, pd.DataFrame]:
    plans, until = _labelled(frames[0]), pd.Timestamp(scope.end)
    upcoming = plans[plans["planned_on"] > until]
    return {
        "coverage": curriculum_coverage(plans, until=until),
        "upcoming": upcoming.assign(planned_on=upcoming["planned_on"].dt.date.astype(str)),
    }


def _safety(frames: Frames, _s: pe.PEFilter, _o: Any) -> dict[str, pd.DataFrame] | None:
    exposure, incidents = frames
    if not exposure["sessions"].sum():
        return None
    by_activity = incidents.groupby(["activity", "severity"])["n"].sum().reset_index()
    return {"risk": safety_risk(_labelled(exposure), incidents), "by_activity": by_activity}


def _activities(frames: Frames, _s: pe.PEFilter, _o: Any) -> pd.DataFrame:
    return activity_recommendations(_labelled(frames[0]), frames[1])


def _teams(frames: Frames, _s: pe.PEFilter, options: TeamOptions) -> dict[str, Any] | None:
    roster = frames[0]
    wide = roster.pivot_table(index=["student_id", "student_name"], columns="skill", values="score")
    if options.balance_by == "overall":
        score = wide.mean(axis=1)
    elif options.balance_by in wide.columns:
        score = wide[options.balance_by]
    else:
        return None
    players = score.rename("score").dropna().reset_index()
    if len(players) < options.teams:
        return None
    name = _labelled(roster)["class_name"].iloc[0]
    return {"split": balance_teams(players, n_teams=options.teams), "class_name": name}


for _widget in (
    Widget(
        "attendance",
        "Attendance and forecast",
        "Weekly attendance rate with a four-week trend forecast and its 80% band.",
        "Attendance",
        EVERYONE,
        (pe.attendance_daily,),
        analyse=lambda f, s, _o: attendance_forecast(to_whole_weeks(f[0], s.end), weeks=4),
    ),
    Widget(
        "active_students",
        "Active students",
        "Students at three in four lessons or more in the last 30 days, against the 30 "
        "days before, per grade.",
        "Attendance",
        EVERYONE,
        (pe.active_students,),
        # Without a lesson in the last 30 days, "0 of 832 active" would read as everyone away.
        analyse=lambda f, _s, _o: f[0] if f[0]["marked_recent"].any() else None,
        empty="No lessons recorded in the 30 days to the end date",
    ),
    Widget(
        "curriculum",
        "Lesson plans and curriculum coverage",
        "How lessons spread over the five skills against an even share, and the next lessons.",
        "Planning",
        EVERYONE,
        (pe.lesson_plans,),
        analyse=_coverage,
        empty="No lesson plans in this period",
    ),
    Widget(
        "fitness",
        "Fitness trends by grade",
        "Mean fitness test results (shuttle run, push-ups, sit and reach) per grade over time.",
        "Health",
        EVERYONE,
        (pe.fitness_by_grade,),
        options=FitnessOptions,
    ),
    Widget(
        "progress",
        "Progress per student and class",
        "Change in mean skill score from the first to the last assessment in the period.",
        "Progress",
        STAFF,
        (pe.student_progress,),
        analyse=lambda f, _s, _o: _labelled(f[0]),
        empty="Fewer than two assessments in this period",
    ),
    Widget(
        "skill_results",
        "Skill assessment results",
        "How the latest assessment's scores spread in each skill.",
        "Skills",
        EVERYONE,
        (pe.skill_distribution,),
        empty="No skill assessments in this period",
    ),
    Widget(
        "skill_gaps",
        "Skill gaps against grade benchmarks",
        "Points behind (or ahead of) each grade's benchmark per skill, and the share below it.",
        "Skills",
        EVERYONE,
        (pe.skill_distribution,),
        analyse=lambda f, _s, _o: skill_gaps(f[0]),
        empty="No skill assessments in this period",
    ),
    Widget(
        "performance_forecast",
        "Performance forecast",
        "Each skill's mean score trend, extended eight weeks ahead with its 80% band.",
        "Progress",
        EVERYONE,
        (pe.class_skill_means,),
        analyse=lambda f, _s, _o: performance_forecast(f[0], weeks=8),
        empty="No skill assessments in this period",
    ),
    Widget(
        "safety_risk",
        "Safety risks by class and activity",
        "Classes ranked by severity-weighted incidents per lesson (steadied toward the average "
        "for classes with few lessons) and health flags; incidents by activity.",
        "Safety",
        EVERYONE,
        (pe.class_exposure, pe.incident_counts),
        analyse=_safety,
        empty="No lessons held in this period",
    ),
    Widget(
        "incident_log",
        "Incident log",
        "Every safety incident, newest first, ten to a page.",
        "Safety",
        STAFF,
        (pe.incident_log,),
        options=PageOptions,
        empty="No incidents in this period",
    ),
    Widget(
        "health",
        "Health measurement trends",
        "Mean BMI or resting heart rate per grade, with readings flagged for follow-up.",
        "Health",
        STAFF,
        (pe.health_readings,),
        options=HealthOptions,
    ),
    Widget(
        "team_suggestions",
        "Team suggestions",
        "Balanced teams for a class from its latest skill scores: pick the class, the number "
        "of teams and what to balance by.",
        "Teams",
        STAFF,
        (pe.class_roster_skills,),
        analyse=_teams,
        options=TeamOptions,
        empty="Pick a class to suggest teams",
        # Not "widen the dates": a class is what it needs (a walk read the two as a clash).
        empty_hint="Choose one in this widget's settings or in the Class filter above.",
    ),
    Widget(
        "equipment",
        "Equipment inventory and use",
        "Every item of the schools in view: quantity, condition and how much lessons use it.",
        "Equipment",
        EVERYONE,
        (pe.equipment_use,),
        empty="No equipment recorded",
    ),
    Widget(
        "equipment_actions",
        "Equipment recommendations",
        "What to replace, reorder or move elsewhere, from condition and peak use.",
        "Equipment",
        EVERYONE,
        (pe.equipment_use,),
        analyse=lambda f, _s, _o: (
            equipment_recommendations(f[0]) if f[0]["sessions_used"].sum() else None
        ),
        empty="No lesson used equipment in this period",
    ),
    Widget(
        "activity_ideas",
        "Activity recommendations",
        "For each class, activities that train its weakest skills, avoiding those where it "
        "had incidents.",
        "Planning",
        EVERYONE,
        (pe.class_skill_means, pe.incident_counts),
        analyse=_activities,
        empty="No skill assessments in this period",
    ),
):
    register(_widget)

"""The PE widget registry: what each widget is, who may see it, what it reads and how it draws.

Not a page (no `register_page`): the PE dashboard page imports it. Each widget declares
a data function from `data.queries.pe`, an optional analysis from `analytics`, a render
function from `components.pe_widgets` and, where the user can tune it, a settings model.
Saved dashboards are validated against this registry (`read_board`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date
from typing import Any, Literal

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from analytics.equipment import equipment_recommendations
from analytics.pe import (
    SKILLS,
    activity_recommendations,
    attendance_forecast,
    curriculum_coverage,
    performance_forecast,
    skill_gaps,
)
from analytics.pe_safety import safety_risk
from analytics.teams import balance_teams
from auth.access import EVERYONE, STAFF
from components import pe_widgets as draw
from data.queries import pe

FILTERS = ("school", "grade", "class", "dates")
SIZES = {"small": 4, "medium": 6, "large": 12}
CATEGORIES = (
    "Attendance",
    "Progress",
    "Skills",
    "Safety",
    "Health",
    "Teams",
    "Equipment",
    "Planning",
)


class NoOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")


class FitnessOptions(NoOptions):
    metric: Literal["shuttle_run", "push_ups", "sit_and_reach"] = "shuttle_run"


class HealthOptions(NoOptions):
    metric: Literal["bmi", "resting_hr"] = "bmi"


class PageOptions(NoOptions):
    page: int = Field(default=1, ge=1, le=10_000)


class TeamOptions(NoOptions):
    class_id: int | None = Field(default=None, ge=1)
    teams: int = Field(default=2, ge=2, le=6)
    balance_by: Literal["overall", *SKILLS] = "overall"  # type: ignore[valid-type]


Frames = list[pd.DataFrame]


@dataclass(frozen=True)
class Widget:
    id: str
    title: str
    description: str
    category: str
    roles: tuple[str, ...]
    # data.queries.pe functions, each (conn=, scope=) -> frame; the first decides "empty".
    data: tuple[Callable[..., pd.DataFrame], ...]
    render: Callable[..., Any]  # a components.pe_widgets function: (data, theme=, options=)
    analyse: Callable[[Frames, pe.PEFilter, Any], Any] | None = None
    options: type[NoOptions] = NoOptions
    filters: tuple[str, ...] = FILTERS
    empty: str = "Nothing recorded under these filters"

    def load(self, conn: Any, scope: pe.PEFilter, options: NoOptions) -> Any:
        """Read, analyse and return what `render` draws; None when there is nothing to draw."""
        class_id = getattr(options, "class_id", None)
        scope = replace(scope, class_id=class_id) if class_id else scope
        if isinstance(options, PageOptions):
            frames = [pe.incident_log(conn=conn, scope=scope, offset=(options.page - 1) * 10)]
        else:
            frames = [read(conn=conn, scope=scope) for read in self.data]
        if frames[0].empty:
            return None
        result = self.analyse(frames, scope, options) if self.analyse else frames[0]
        return None if isinstance(result, pd.DataFrame) and result.empty else result


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
    by_activity = incidents.groupby(["activity", "severity"], as_index=False)["n"].sum()
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


WIDGETS: dict[str, Widget] = {}


def register(widget: Widget) -> None:
    if widget.id in WIDGETS:
        raise ValueError(f"widget id must be unique; got {widget.id!r} twice")
    if widget.category not in CATEGORIES:
        raise ValueError(f"category must be one of {CATEGORIES}; got {widget.category!r}")
    WIDGETS[widget.id] = widget


for _widget in (
    Widget(
        "attendance",
        "Attendance and forecast",
        "Weekly attendance rate with a four-week trend forecast and its 80% band.",
        "Attendance",
        EVERYONE,
        (pe.attendance_daily,),
        draw.attendance,
        analyse=lambda f, _s, _o: attendance_forecast(f[0], weeks=4),
    ),
    Widget(
        "active_students",
        "Active students",
        "Students at three in four lessons or more in the last 30 days, against the 30 "
        "days before, per grade.",
        "Attendance",
        EVERYONE,
        (pe.active_students,),
        draw.active_students,
        analyse=lambda f, _s, _o: (
            f[0] if f[0][["active_recent", "active_before"]].any(axis=None) else None
        ),
        empty="No lessons recorded in the 60 days to the end date",
    ),
    Widget(
        "curriculum",
        "Lesson plans and curriculum coverage",
        "How lessons spread over the five skills against an even share, and the next lessons.",
        "Planning",
        EVERYONE,
        (pe.lesson_plans,),
        draw.curriculum,
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
        draw.measurement_trend,
        options=FitnessOptions,
    ),
    Widget(
        "progress",
        "Progress per student and class",
        "Change in mean skill score from the first to the last assessment in the period.",
        "Progress",
        STAFF,
        (pe.student_progress,),
        draw.progress,
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
        draw.skill_results,
        empty="No skill assessments in this period",
    ),
    Widget(
        "skill_gaps",
        "Skill gaps against grade benchmarks",
        "Points behind (or ahead of) each grade's benchmark per skill, and the share below it.",
        "Skills",
        EVERYONE,
        (pe.skill_distribution,),
        draw.skill_gaps,
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
        draw.performance,
        analyse=lambda f, _s, _o: performance_forecast(f[0], weeks=8),
        empty="No skill assessments in this period",
    ),
    Widget(
        "safety_risk",
        "Safety risks by class and activity",
        "Classes ranked by severity-weighted incidents per lesson and health flags; incidents "
        "by activity.",
        "Safety",
        EVERYONE,
        (pe.class_exposure, pe.incident_counts),
        draw.safety,
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
        draw.incident_log,
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
        draw.measurement_trend,
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
        draw.teams,
        analyse=_teams,
        options=TeamOptions,
        empty="Pick a class (here or in the dashboard filters) to suggest teams",
    ),
    Widget(
        "equipment",
        "Equipment inventory and use",
        "Every item of the schools in view: quantity, condition and how much lessons use it.",
        "Equipment",
        EVERYONE,
        (pe.equipment_use,),
        draw.equipment,
        empty="No equipment recorded",
    ),
    Widget(
        "equipment_actions",
        "Equipment recommendations",
        "What to replace, reorder or move elsewhere, from condition and peak use.",
        "Equipment",
        EVERYONE,
        (pe.equipment_use,),
        draw.equipment_actions,
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
        draw.activity_ideas,
        analyse=_activities,
        empty="No skill assessments in this period",
    ),
):
    register(_widget)


DEFAULT_WIDGETS = (
    ("attendance", "large"),
    ("active_students", "small"),
    ("skill_gaps", "medium"),
    ("safety_risk", "medium"),
    ("equipment_actions", "medium"),
    ("activity_ideas", "medium"),
)
MAX_WIDGETS = 30


class Placement(BaseModel):
    model_config = ConfigDict(extra="forbid")
    widget: str = Field(max_length=40)
    size: Literal["small", "medium", "large"] = "medium"
    options: dict[str, Any] = Field(default_factory=dict)


class Filters(BaseModel):
    model_config = ConfigDict(extra="forbid")
    school_id: int | None = Field(default=None, ge=1)
    grade: int | None = Field(default=None, ge=1, le=12)
    class_id: int | None = Field(default=None, ge=1)
    start: date | None = None
    end: date | None = None

    @model_validator(mode="after")
    def _ordered(self) -> Filters:
        if self.start and self.end and self.start > self.end:
            raise ValueError("the start date must not be after the end date")
        return self


class Board(BaseModel):
    model_config = ConfigDict(extra="forbid")
    widgets: list[Placement] = Field(default_factory=list, max_length=MAX_WIDGETS)
    filters: Filters = Field(default_factory=Filters)


def default_board(role: str) -> dict[str, Any]:
    widgets = [
        {"widget": w, "size": size, "options": {}}
        for w, size in DEFAULT_WIDGETS
        if role in WIDGETS[w].roles
    ]
    return {"widgets": widgets, "filters": Filters().model_dump(mode="json")}


def visible_widgets(role: str) -> list[Widget]:
    return [w for w in WIDGETS.values() if role in w.roles]


def _problem(error: ValidationError) -> str:
    first = error.errors()[0]
    where = ".".join(str(p) for p in first["loc"]) or "value"
    return f"{where}: {first['msg']}"


def read_options(widget: Widget, raw: Any) -> tuple[NoOptions, str | None]:
    """A widget's settings, validated; bad ones fall back to the defaults, with the reason."""
    try:
        return widget.options.model_validate(raw or {}), None
    except ValidationError as error:
        return widget.options(), (
            f"The settings of “{widget.title}” were not valid ({_problem(error)}); "
            "its defaults are used."
        )


def read_board(raw: Any, role: str) -> tuple[dict[str, Any], list[str]]:
    """Validate a saved (or submitted) dashboard for a role.

    Returns the clean board and a message per thing that had to be dropped or reset; an
    unreadable board becomes the default one. Never raises for bad input.
    """
    if raw is None:
        return default_board(role), []
    try:
        board = Board.model_validate(raw)
    except ValidationError as error:
        return default_board(role), [
            f"Your saved dashboard could not be read ({_problem(error)}); "
            "the default dashboard is shown instead."
        ]
    problems: list[str] = []
    seen: set[str] = set()
    widgets = []
    for placed in board.widgets:
        widget = WIDGETS.get(placed.widget)
        if widget is None:
            problems.append(f"The widget “{placed.widget}” no longer exists and was removed.")
            continue
        if role not in widget.roles:
            problems.append(f"“{widget.title}” is not available to your role and was removed.")
            continue
        if placed.widget in seen:
            continue
        seen.add(placed.widget)
        options, problem = read_options(widget, placed.options)
        if problem:
            problems.append(problem)
        widgets.append(
            {"widget": placed.widget, "size": placed.size, "options": options.model_dump()}
        )
    return {"widgets": widgets, "filters": board.filters.model_dump(mode="json")}, problems

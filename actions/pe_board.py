"""The PE dashboard's building blocks: the widget declaration, its settings models, the
registry (filled by `actions.pe_widgets`) and the validation of saved boards. Drawing lives
in `components.pe_widgets`; the page and the API read widget data the same way."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date
from typing import Any, Literal

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from actions.base import Refused

INCIDENTS_PER_PAGE = 10
PREFERENCE = "pe_dashboard"  # the saved board: one of actions.account.PREFERENCES

FILTERS = ("school", "grade", "class", "dates")
EARLIEST, LATEST = date(1900, 1, 1), date(2199, 12, 31)  # dates a board may name
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
    per_page: int = Field(default=INCIDENTS_PER_PAGE, ge=1, le=500)


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
    analyse: Callable[[Frames, Any, Any], Any] | None = None
    options: type[BaseModel] = NoOptions  # a pydantic model with extra="forbid"
    filters: tuple[str, ...] = FILTERS
    empty: str = "Nothing recorded under these filters"
    empty_hint: str = "Widen the dates or clear a filter to see more."

    def load(self, conn: Any, scope: Any, options: BaseModel) -> Any:
        """Read, analyse and return what the widget draws; None when there is nothing to draw."""
        class_id = getattr(options, "class_id", None)
        scope = replace(scope, class_id=class_id) if class_id else scope
        # A paged widget's first read takes the page it is on.
        paging = (
            {"offset": (options.page - 1) * options.per_page, "limit": options.per_page}
            if isinstance(options, PageOptions)
            else {}
        )
        frames = [
            read(conn=conn, scope=scope, **(paging if k == 0 else {}))
            for k, read in enumerate(self.data)
        ]
        if frames[0].empty:
            return None
        result = self.analyse(frames, scope, options) if self.analyse else frames[0]
        return None if isinstance(result, pd.DataFrame) and result.empty else result


WIDGETS: dict[str, Widget] = {}


def register(widget: Widget) -> None:
    if widget.id in WIDGETS:
        raise ValueError(f"widget id must be unique; got {widget.id!r} twice")
    if widget.category not in CATEGORIES:
        raise ValueError(f"category must be one of {CATEGORIES}; got {widget.category!r}")
    WIDGETS[widget.id] = widget


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
    start: date | None = Field(default=None, ge=EARLIEST, le=LATEST)
    end: date | None = Field(default=None, ge=EARLIEST, le=LATEST)

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


def first_problem(error: ValidationError) -> str:
    first = error.errors()[0]
    where = ".".join(str(p) for p in first["loc"]) or "value"
    return f"{where}: {first['msg']}"


def read_options(widget: Widget, raw: Any) -> tuple[BaseModel, str | None]:
    """A widget's settings, validated; bad ones fall back to the defaults, with the reason."""
    try:
        return widget.options.model_validate(raw or {}), None
    except ValidationError as error:
        return widget.options(), (
            f"The settings of “{widget.title}” were not valid ({first_problem(error)}); "
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
            f"Your saved dashboard could not be read ({first_problem(error)}); "
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


BoardMove = Literal["add", "remove", "up", "down", "size"]


@dataclass(frozen=True)
class BoardEdit:
    """The board after one edit and what to tell the person; `board` is None when the edit
    changes nothing (a widget already there or gone, a move past an end, the same size)."""

    board: dict[str, Any] | None
    message: str


def edit_board(
    board: dict[str, Any], *, move: str, widget: str, value: Any, role: str
) -> BoardEdit | Refused:
    """Add, remove, move up or down, or resize one widget of a (validated) board. Adding a
    widget the role may not see is refused as never allowed; a full board, or a size that
    is not one of SIZES, is refused with a message."""
    placed = [dict(p) for p in board["widgets"]]
    at = next((i for i, p in enumerate(placed) if p["widget"] == widget), None)
    known = WIDGETS.get(widget)
    if move == "add":
        if known is None or role not in known.roles:
            return Refused("", denied=True, detail={"what": "pe widget", "widget": widget[:40]})
        if at is not None:
            return BoardEdit(None, "")
        if len(placed) >= MAX_WIDGETS:
            return Refused(f"The dashboard holds at most {MAX_WIDGETS} widgets.")
        options = read_options(known, {})[0].model_dump()
        placed.append({"widget": known.id, "size": "medium", "options": options})
        message = f"Added {known.title}."
    elif at is None or known is None:
        return BoardEdit(None, "")  # a control of a widget no longer on the board
    elif move == "remove":
        placed.pop(at)
        message = f"Removed {known.title}."
    elif move in ("up", "down"):
        to = at - 1 if move == "up" else at + 1
        if not 0 <= to < len(placed):
            return BoardEdit(None, "")
        placed[at], placed[to] = placed[to], placed[at]
        message = f"Moved {known.title} to position {to + 1}."
    elif move == "size":
        if not isinstance(value, str) or value not in SIZES:
            return Refused("Choose small, medium or large.")
        if placed[at]["size"] == value:
            return BoardEdit(None, "")
        placed[at]["size"] = value
        message = f"{known.title} is now {value}."
    else:
        return BoardEdit(None, "")
    return BoardEdit({**board, "widgets": placed}, message)

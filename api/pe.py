"""PE widget data over the API: the numbers behind each widget of the PE dashboard, under
the dashboard's filters and the widget's settings, within the token's regions."""

from __future__ import annotations

from dataclasses import fields, is_dataclass
from datetime import date
from typing import Any

import pandas as pd
from flask import Response, jsonify
from flask_openapi3 import Tag
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from actions import pe_widgets
from actions.base import Refused
from actions.pe_board import EARLIEST, LATEST, WIDGETS, first_problem
from api.paging import plain, records
from api.problems import Problem, problem
from api.v1 import v1
from auth.access import EVERYONE, current_actor, deny_if_forged, region_scope, requires
from auth.audit import audit
from data.engine import connect
from data.queries import pe

TAG = Tag(name="PE", description="The numbers behind each PE dashboard widget.")
ID = Field(None, ge=1, le=2**31 - 1)
SETTINGS = ("metric", "page", "per_page", "teams", "balance_by")


class WidgetInfo(BaseModel):
    id: str
    title: str
    description: str
    category: str
    settings: dict[str, Any] = Field(description="The JSON Schema of the widget's settings.")


class WidgetList(BaseModel):
    items: list[WidgetInfo]


class WidgetPath(BaseModel):
    widget: str = Field(max_length=40, description="A widget id from GET /pe/widgets.")


class WidgetQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")
    start: date | None = Field(
        None, ge=EARLIEST, le=LATEST, description="First day; default: end - 119 days."
    )
    end: date | None = Field(
        None, ge=EARLIEST, le=LATEST, description="Last day; default: the newest day with data."
    )
    school_id: int | None = ID
    grade: int | None = Field(None, ge=1, le=12)
    class_id: int | None = ID
    metric: str | None = Field(None, max_length=40, description="A setting of some widgets.")
    page: int | None = Field(None, ge=1, le=10_000, description="The incident log's page.")
    per_page: int | None = Field(
        None, ge=1, le=500, description="The incident log's incidents to a page (default 10)."
    )
    teams: int | None = Field(None, ge=2, le=6, description="Team suggestions: how many.")
    balance_by: str | None = Field(None, max_length=40, description="Team suggestions.")

    @model_validator(mode="after")
    def ordered(self) -> WidgetQuery:
        if self.start and self.end and self.start > self.end:
            raise ValueError("start must not be after end")
        return self


class WidgetData(BaseModel):
    widget: str
    title: str
    first_day: date | None = Field(description="The period, both days included.")
    last_day: date | None
    filters: dict[str, int | None] = Field(description="school_id, grade and class_id.")
    settings: dict[str, Any]
    empty: bool = Field(description="True when there is nothing to show; see message.")
    message: str | None
    tables: dict[str, list[dict[str, Any]]] = Field(description="Each table's rows.")
    values: dict[str, Any] = Field(description="Single values (a class name, a spread).")


@v1.get("/pe/widgets", tags=[TAG], summary="The PE widgets", responses={200: WidgetList})
@requires(*EVERYONE)
def widget_list() -> Response:
    """The widgets this token's role may read, with the settings each one takes."""
    role = current_actor().role
    return jsonify(
        items=[
            {
                "id": w.id,
                "title": w.title,
                "description": w.description,
                "category": w.category,
                "settings": w.options.model_json_schema(),
            }
            for w in WIDGETS.values()
            if role in w.roles
        ]
    )


@v1.get(
    "/pe/widgets/<widget>",
    tags=[TAG],
    summary="One PE widget's numbers",
    responses={200: WidgetData, 403: Problem, 404: Problem, 422: Problem},
)
@requires(*EVERYONE)
def widget_data(path: WidgetPath, query: WidgetQuery) -> Response:
    """What the widget shows on the PE dashboard under these filters and settings. Schools
    and classes outside the token's regions are not found."""
    if path.widget not in WIDGETS:
        return problem(404, f"There is no PE widget {path.widget!r}; see GET /api/v1/pe/widgets.")
    if not current_actor().may(WIDGETS[path.widget].roles):
        audit("access.denied", what="pe widget", widget=path.widget)
        return problem(403, "This token's role may not read that widget.")
    chosen = query.model_dump(include={"school_id", "grade", "class_id"})
    with connect() as conn:
        classes = pe.filter_options(conn=conn, region_ids=region_scope())
        bounds = pe.date_bounds(conn=conn)
    for key in ("school_id", "class_id"):
        if chosen[key] is not None and chosen[key] not in set(classes[key]):
            audit("access.denied", what=f"pe {key}", id=chosen[key])
            return problem(404, f"No {key.removesuffix('_id')} {chosen[key]} in your regions.")
    settings = query.model_dump(include=set(SETTINGS), exclude_none=True)
    if bounds is None:  # no PE data yet: the settings are still checked, the answer empty
        widget = WIDGETS[path.widget]
        try:
            valid = widget.options.model_validate(settings).model_dump()
        except ValidationError as error:
            return problem(
                422, f"The settings of “{widget.title}” are not valid: {first_problem(error)}."
            )
        return jsonify(_answer(widget.id, widget.title, chosen, valid, None, None, None))
    start, end = pe_widgets.default_dates(start=query.start, end=query.end, bounds=bounds)
    result = pe_widgets.read_widget(
        actor=current_actor(),
        widget_id=path.widget,
        filters={**chosen, "start": start.isoformat(), "end": end.isoformat()},
        options=settings,
    )
    deny_if_forged(result)
    if isinstance(result, Refused):
        return problem(422, result.message)
    return jsonify(
        _answer(
            result.widget.id,
            result.widget.title,
            chosen,
            result.options.model_dump(),
            result,
            start,
            end,
        )
    )


def _answer(
    widget: str,
    title: str,
    filters: dict[str, int | None],
    settings: dict[str, Any],
    result: pe_widgets.WidgetData | None,
    start: date | None,
    end: date | None,
) -> dict[str, Any]:
    data = None if result is None else result.data
    tables, values = _parts(data)
    return {
        "widget": widget,
        "title": title,
        "first_day": start.isoformat() if start else None,
        "last_day": end.isoformat() if end else None,
        "filters": filters,
        "settings": {k: plain(v) for k, v in settings.items()},
        "empty": data is None,
        "message": None
        if data is not None
        else (result.widget.empty if result else "No PE data has been recorded yet."),
        "tables": tables,
        "values": values,
    }


def _parts(data: Any) -> tuple[dict[str, list[dict[str, Any]]], dict[str, Any]]:
    """A widget's data as named tables and single values: a frame is the table `rows`; a
    dict or a dataclass (a team split) gives one entry per member."""
    if data is None:
        return {}, {}
    if isinstance(data, pd.DataFrame):
        return {"rows": _records(data)}, {}
    members = {f.name: getattr(data, f.name) for f in fields(data)} if is_dataclass(data) else data
    tables: dict[str, list[dict[str, Any]]] = {}
    values: dict[str, Any] = {}
    for name, member in members.items():
        if isinstance(member, pd.DataFrame):
            tables[name] = _records(member)
        elif is_dataclass(member) or isinstance(member, dict):
            inner_tables, inner_values = _parts(member)
            tables |= {f"{name}.{k}": v for k, v in inner_tables.items()}
            values |= {f"{name}.{k}": v for k, v in inner_values.items()}
        else:
            values[name] = plain(member)
    return tables, values


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as JSON; PE counts whole days and weeks, so a column of midnights is dates."""
    days = {
        column: frame[column].dt.date
        for column in frame.columns
        if pd.api.types.is_datetime64_any_dtype(frame[column])
        and frame[column].dt.tz is None
        and (frame[column].dropna() == frame[column].dropna().dt.normalize()).all()
    }
    return records(frame.assign(**days) if days else frame)

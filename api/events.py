"""Events in: records that arrive continuously (sessions, schedules, PE attendance and
assessments, credit applications, repayments) pushed as JSON. They take the data import's
one path (`actions.imports.load_data`): the contract's checks, upsert by `external_id`, every
problem at once and nothing half-stored, the kept daily tables and caches following."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path
from types import NoneType
from typing import Annotated, Any, Literal

import pandas as pd
from flask import Response, jsonify
from flask_openapi3 import Tag
from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from actions.base import Refused
from actions.imports import LoadRequest, load_data
from api.idempotency import idempotent
from api.problems import Problem, problem
from api.v1 import v1
from auth.access import ADMINS, current_actor, deny_if_forged, requires
from auth.requests import now

TAG = Tag(
    name="Events in",
    description="Push records as they happen; the data contract (docs/data-contract.md) "
    "names every column. Loading data is an admin's act, so these take an admin's token.",
)
Entity = Literal[
    "tutoring_sessions",
    "schedules",
    "schedule_attendees",
    "pe_attendance",
    "skill_assessments",
    "pe_measurements",
    "credit_applications",
    "repayments",
]
MAX_RECORDS = 10_000
Value = str | int | float | bool | None


class EntityPath(BaseModel):
    entity: Entity


def _scalars(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    for index, record in enumerate(records):
        for column, value in record.items():
            if not isinstance(value, str | int | float | bool | NoneType):
                raise ValueError(
                    f"records.{index}.{column}: a value is a string, a number, true or false, "
                    "or null"
                )
    return records


class RecordsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    records: Annotated[list[dict[str, Any]], AfterValidator(_scalars)] = Field(
        min_length=1,
        max_length=MAX_RECORDS,
        description="1 to 10,000 records, each with the entity's contract columns; "
        "`external_id` is the record's id in your system (sending it again updates it).",
    )


class Counts(BaseModel):
    inserted: int
    updated: int
    unchanged: int
    deleted: int


class Loaded(BaseModel):
    load_id: int = Field(description="The load in Admin > Data import's history.")
    counts: Counts


def _csv_value(value: Value) -> Value:
    return ("true" if value else "false") if isinstance(value, bool) else value


@v1.post(
    "/events/<entity>",
    tags=[TAG],
    summary="Push records of one entity",
    responses={200: Loaded, 403: Problem, 422: Problem, 503: Problem},
)
@requires(*ADMINS)
@idempotent
def push(path: EntityPath, body: RecordsIn) -> Response:
    """All records are stored or none: a bad record is a 422 naming every problem as
    `records.<index>.<column>`."""
    frame = pd.DataFrame([{k: _csv_value(v) for k, v in r.items()} for r in body.records])
    with tempfile.TemporaryDirectory(prefix="beacon-api-") as folder:
        file = Path(folder) / f"{path.entity}.csv"
        frame.to_csv(file, index=False)
        result = load_data(
            actor=current_actor(),
            request=LoadRequest(files=[(file, f"{path.entity}.csv")], source="api"),
            now=now(),
        )
    deny_if_forged(result)
    if isinstance(result, Refused):
        return problem(422, result.message)
    if result.outcome == "loaded":
        counts = result.counts[0] if result.counts else None
        return jsonify(
            load_id=result.load_id,
            counts={
                name: getattr(counts, name, 0)
                for name in ("inserted", "updated", "unchanged", "deleted")
            },
        )
    if result.outcome == "failed":
        status = 503 if result.retry else 422
        return problem(
            status, f"Nothing was stored: {result.problems[0].reason}", load_id=result.load_id
        )
    errors = [
        {
            "field": ".".join(
                str(part)
                for part in ("records", None if p.row is None else p.row - 2, p.column)
                if part is not None
            ),
            "message": as_records(p.reason) + ("" if p.value is None else f" (got {p.value!r})"),
        }
        for p in sorted(result.problems, key=lambda p: (p.row or 0, p.column or ""))
    ]
    return problem(
        422,
        f"{result.problem_total:,} problem{'' if result.problem_total == 1 else 's'}; "
        "nothing was stored.",
        errors=errors,
        load_id=result.load_id,
    )


def as_records(reason: str) -> str:
    """A load's reason names spreadsheet rows (the header is row 1): here they are records,
    counted from 0 as the fields are ("same external_id as row 2" beside records.1)."""
    numbered = re.sub(r"\brow (\d+)", lambda m: f"records.{int(m.group(1)) - 2}", reason)
    return re.sub(r"\brow\b", "record", numbered)

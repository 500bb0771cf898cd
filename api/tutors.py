"""Tutor risk over the API: the scored list (as the Tutor risk page filters and pages it) and
one tutor's profile, within the token's regions."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

import pandas as pd
from flask import Response, jsonify
from flask_openapi3 import Tag
from pydantic import BaseModel, Field

from api.paging import Paged, PageQuery, page_answer, plain, records
from api.problems import Problem, problem
from api.v1 import v1
from auth.access import EVERYONE, check_region, region_scope, requires
from data import tutor_care, tutor_risk
from data.engine import connect
from vocabulary import Band

TAG = Tag(name="Tutor risk", description="Who may leave, how likely, and why.")


class RiskQuery(PageQuery):
    region_id: int | None = Field(
        None, ge=1, le=2**31 - 1, description="One of the token's regions."
    )
    subject: str | None = Field(None, max_length=80)
    band: Band | None = None
    sort: Literal["score", "name", "tenure"] = "score"


class ScoredTutor(BaseModel):
    tutor_id: int
    external_id: str | None = Field(
        description="The tutor's id in your own system, as loaded (the data contract's "
        "external_id); beacon-<id> for a tutor Beacon made itself."
    )
    name: str
    region: str = Field(description="The region's code, as on the Tutor risk table.")
    subject: str
    hired_on: date
    left_on: date | None = Field(
        description="The day the tutor left, or will leave (notice given); null while they "
        "stay. A tutor who left after the scoring date stays on that date's list, as on the "
        "Tutor risk page, where the band cards count only those still here."
    )
    score: int = Field(
        ge=0, le=100, description="Chance of leaving within 30 days, in % (the probability x 100)."
    )
    percentile: int | None = Field(
        ge=0,
        le=99,
        description="Share (%) of the tutors scored on the same date with a lower chance; "
        "null for scores stored before it was kept.",
    )
    band: Band = Field(
        description="The retention team's call list: critical this week's calls (the tutors "
        "most likely to leave, as many as BEACON_TUTOR_CALLS_PER_WEEK), high next week's, "
        "medium the two weeks after, low everyone else."
    )
    probability: float = Field(ge=0, le=1)
    top_factors: list[dict[str, Any]]


class RiskPage(Paged):
    as_of: datetime | None = Field(description="The scoring date; null before any scoring.")
    model_version: str | None
    items: list[ScoredTutor]


class TutorPath(BaseModel):
    tutor_id: int = Field(ge=1, le=2**31 - 1)


class ScorePoint(BaseModel):
    as_of: datetime
    score: int
    percentile: int | None
    band: Band
    probability: float


class TutorProfile(BaseModel):
    id: int
    external_id: str | None = Field(
        description="The tutor's id in your own system, as loaded (the data contract's "
        "external_id); beacon-<id> for a tutor Beacon made itself."
    )
    name: str
    region: str
    subject: str
    hired_on: date
    left_on: date | None
    status: str
    weekly_capacity: int | None
    scores: list[ScorePoint] = Field(description="Every stored score, oldest first.")


@v1.get(
    "/tutors/risk", tags=[TAG], summary="Scored tutors", responses={200: RiskPage, 403: Problem}
)
@requires(*EVERYONE)
def risk_list(query: RiskQuery) -> Response:
    """The latest scores, riskiest first (or by name or tenure), one page at a time."""
    if query.region_id is not None:
        check_region(query.region_id)
    regions = [query.region_id] if query.region_id is not None else region_scope()
    with connect() as conn:
        model = tutor_risk.active_model(conn=conn)
        latest = tutor_risk.latest_scored_at(conn=conn, model_id=model["id"]) if model else None
        if model is None or latest is None:
            return page_answer(pd.DataFrame(), 0, query, as_of=None, model_version=None)
        rows, total = tutor_risk.risk_table(
            conn=conn,
            model_id=model["id"],
            as_of=latest,
            region_ids=regions,
            subject=query.subject,
            band=query.band,
            sort=tutor_risk.RISK_SORTS[query.sort],
            limit=query.per_page,
            offset=query.offset,
        )
    return page_answer(rows, total, query, as_of=latest.isoformat(), model_version=model["version"])


@v1.get(
    "/tutors/<int:tutor_id>",
    tags=[TAG],
    summary="One tutor",
    responses={200: TutorProfile, 403: Problem, 404: Problem},
)
@requires(*EVERYONE)
def tutor_profile(path: TutorPath) -> Response:
    """A tutor's details and the history of their risk scores."""
    with connect() as conn:
        tutor = tutor_care.tutor_detail(conn=conn, tutor_id=path.tutor_id)
        if tutor is None:
            return problem(404, "There is no tutor with that id.")
        check_region(tutor["region_id"])
        model = tutor_risk.active_model(conn=conn)
        history = (
            tutor_care.score_history(conn=conn, model_id=model["id"], tutor_ids=[path.tutor_id])
            if model
            else None
        )
    scores = (
        []
        if history is None
        else records(history[["as_of", "score", "percentile", "band", "probability"]])
    )
    shown = {k: v for k, v in tutor.items() if k not in ("email", "region_id")}
    return jsonify({k: plain(v) for k, v in shown.items()} | {"scores": scores})

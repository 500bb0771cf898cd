"""Credit scoring over the API: one application while the applicant waits, or a batch of up
to 10,000; stored like the Score page stores them unless `dry_run`."""

from __future__ import annotations

from datetime import date
from typing import Literal

from flask import Response, jsonify
from flask_openapi3 import Tag
from pydantic import BaseModel, ConfigDict, Field

from actions import credit as credit_actions
from actions.base import Refused
from actions.credit import ApplicationRequest, ItemRefused, Scored
from actions.credit_watch import watched_rows
from api.idempotency import idempotent
from api.paging import Paged, PageQuery, page_answer
from api.problems import Problem, problem
from api.v1 import v1
from auth.access import EVERYONE, STAFF, current_actor, deny_if_forged, requires
from auth.audit import audit
from auth.requests import now
from vocabulary import Band

TAG = Tag(name="Credit scoring", description="Score, decide and price credit applications.")


class ApplicationIn(ApplicationRequest):
    model_config = ConfigDict(extra="forbid")


class ScoreQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")
    dry_run: bool = Field(False, description="Score and answer, but store nothing.")


class BatchIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    applications: list[ApplicationIn] = Field(
        min_length=1, max_length=credit_actions.MAX_BATCH, description="1 to 10,000."
    )


class ProductOut(BaseModel):
    id: int
    name: str


class ScoreOut(BaseModel):
    application_id: int | None = Field(description="The stored application; null on a dry run.")
    stored: bool
    pd: float = Field(ge=0, le=1, description="Probability of default within 12 months.")
    score: int
    band: Band
    reasons: list[str] = Field(description="What lowered the score most, worst first, in words.")
    reason_codes: list[str] = Field(description="The same reasons as stable codes.")
    decision: Literal["approved", "declined"]
    annual_rate: float = Field(description="The risk-based annual rate offered, e.g. 0.125.")
    product: ProductOut
    model_version: str


class BatchOut(BaseModel):
    results: list[ScoreOut] = Field(description="In the order the applications were sent.")
    approved: int
    declined: int


def _out(scored: Scored) -> dict[str, object]:
    return ScoreOut(
        application_id=scored.application_id,
        stored=scored.application_id is not None,
        pd=scored.pd,
        score=scored.score,
        band=scored.band,  # type: ignore[arg-type]
        reasons=scored.readable_reasons,
        reason_codes=scored.reasons,
        decision=scored.decision,  # type: ignore[arg-type]
        annual_rate=scored.rate,
        product=ProductOut(id=int(scored.product["id"]), name=str(scored.product["name"])),
        model_version=scored.model_version,
    ).model_dump()


@v1.post(
    "/credit/applications/score",
    tags=[TAG],
    summary="Score one application",
    responses={200: ScoreOut, 403: Problem, 422: Problem},
)
@requires(*STAFF)
@idempotent
def score_one(query: ScoreQuery, body: ApplicationIn) -> Response:
    """PD, score, band, reason codes, decision, price and model version for one application,
    stored with its score unless `dry_run`."""
    result = credit_actions.score_application(
        actor=current_actor(), request=body, now=now(), dry_run=query.dry_run
    )
    deny_if_forged(result)
    if isinstance(result, Refused):
        return problem(422, result.message)
    return jsonify(_out(result))


@v1.post(
    "/credit/applications/score-batch",
    tags=[TAG],
    summary="Score up to 10,000 applications",
    responses={200: BatchOut, 403: Problem, 422: Problem},
)
@requires(*STAFF)
@idempotent
def score_batch(query: ScoreQuery, body: BatchIn) -> Response:
    """All are stored, or (when any is refused) none: the problem lists every refused one
    by its position in `applications`."""
    result = credit_actions.score_applications(
        actor=current_actor(),
        requests=list(body.applications),
        now=now(),
        dry_run=query.dry_run,
    )
    deny_if_forged(result)
    if isinstance(result, Refused):
        return problem(422, result.message)
    refused = [item for item in result if isinstance(item, ItemRefused)]
    if any(item.denied for item in refused):
        audit("access.denied", what="credit customers", positions=[r.index for r in refused][:50])
        denied = [
            {"field": f"applications.{r.index}", "message": "outside this token's regions"}
            for r in refused
            if r.denied
        ]
        return problem(
            403,
            "Some applications are for customers outside this token's regions.",
            errors=denied,
        )
    if refused:
        errors = [{"field": f"applications.{r.index}", "message": r.message} for r in refused]
        return problem(
            422, f"{len(refused):,} applications cannot be scored; none was stored.", errors=errors
        )
    results = [_out(s) for s in result if isinstance(s, Scored)]
    approved = sum(r["decision"] == "approved" for r in results)
    return jsonify(results=results, approved=approved, declined=len(results) - approved)


class WatchQuery(PageQuery):
    severity: Band | None = Field(None, description="At least this severity.")
    rule_id: int | None = Field(None, ge=1, le=2**31 - 1, description="Only this rule's catch.")


class WatchedLoan(BaseModel):
    loan_id: int
    customer_id: int
    customer: str
    region_id: int
    principal: float
    disbursed_on: date
    days_past_due: int = Field(
        description="The worst of the instalments due in the last 90 days and of every one "
        "still unpaid (counted from its due day)."
    )
    missed_payments: int
    score_at_loan: int | None
    latest_score: int | None
    score_drop: float
    severity: Band
    rules: str = Field(description="The rules that caught it, by name.")


class WatchPage(Paged):
    items: list[WatchedLoan]


@v1.get(
    "/credit/watchlist",
    tags=[TAG],
    summary="Loans on the watchlist",
    responses={200: WatchPage, 403: Problem},
)
@requires(*EVERYONE)
def watched(query: WatchQuery) -> Response:
    """The active loans the alert rules catch, most severe and latest first."""
    page, total = watched_rows(
        actor=current_actor(),
        severity=query.severity,
        rule_id=query.rule_id,
        now=now(),
        offset=query.offset,
        limit=query.per_page,
    )
    return page_answer(page, total, query)

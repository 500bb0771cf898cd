"""Credit scoring over the API: one application while the applicant waits, or a batch of up
to 10,000; stored like the Score page stores them unless `dry_run`."""

from __future__ import annotations

from datetime import date
from typing import Literal

from flask import Response, jsonify
from flask_openapi3 import Tag
from pydantic import BaseModel, ConfigDict, Field, model_validator

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
from data import credit
from data.engine import connect
from vocabulary import Band

TAG = Tag(name="Credit scoring", description="Score, decide and price credit applications.")


class ApplicationIn(ApplicationRequest):
    """An application; its customer and product named by Beacon's ids or by your own."""

    model_config = ConfigDict(extra="forbid")
    customer_id: int | None = Field(  # type: ignore[assignment]
        None, ge=1, le=2**31 - 1, description="Beacon's id of the customer, or:"
    )
    customer_external_id: str | None = Field(
        None,
        min_length=1,
        max_length=64,
        description="the customer's id in your own system, as loaded (external_id).",
    )
    product_id: int | None = Field(  # type: ignore[assignment]
        None, ge=1, le=2**31 - 1, description="Beacon's id of the product, or:"
    )
    product_code: str | None = Field(
        None, min_length=1, max_length=24, description="the product's code, e.g. TUITION-12."
    )

    @model_validator(mode="after")
    def _named_once(self) -> ApplicationIn:
        if (self.customer_id is None) == (self.customer_external_id is None):
            raise ValueError("name the customer by customer_id or by customer_external_id")
        if (self.product_id is None) == (self.product_code is None):
            raise ValueError("name the product by product_id or by product_code")
        return self


def _by_ids(sent: list[ApplicationIn]) -> list[ApplicationRequest] | list[dict[str, str]]:
    """The applications with Beacon's ids, or a problem for each external id or product
    code not found (by position)."""
    with connect() as conn:
        customers, products = credit.ids_of(
            conn=conn,
            customers=[a.customer_external_id for a in sent if a.customer_external_id],
            products=[a.product_code for a in sent if a.product_code],
        )
    made, errors = [], []
    for index, app in enumerate(sent):
        customer = app.customer_id or customers.get(app.customer_external_id or "")
        product = app.product_id or products.get(app.product_code or "")
        if customer is None:
            errors.append({"field": f"{index}.customer_external_id", "message": "no such customer"})
        if product is None:
            errors.append({"field": f"{index}.product_code", "message": "no such product"})
        if customer is not None and product is not None:
            fields = app.model_dump(exclude={"customer_external_id", "product_code"})
            made.append(
                ApplicationRequest(**{**fields, "customer_id": customer, "product_id": product})
            )
    return errors or made


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
    named = _by_ids([body])
    if not isinstance(named[0], ApplicationRequest):
        errors = [{**e, "field": e["field"].split(".", 1)[1]} for e in named]  # no position
        return problem(422, "The customer or product named is not in Beacon.", errors=errors)
    result = credit_actions.score_application(
        actor=current_actor(), request=named[0], now=now(), dry_run=query.dry_run
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
    named = _by_ids(list(body.applications))
    if named and not isinstance(named[0], ApplicationRequest):
        errors = [{**e, "field": f"applications.{e['field']}"} for e in named]
        return problem(
            422, "Some customers or products named are not in Beacon; none was stored.",
            errors=errors,
        )  # fmt: skip
    result = credit_actions.score_applications(
        actor=current_actor(),
        requests=[r for r in named if isinstance(r, ApplicationRequest)],
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

"""Score a credit application: check it, score it with the active scorecard, decide, price,
and store it with its score, activity event and audit entry in one transaction.

The page, the coming API and the import all call `score_application`; the decision rule
itself is `analytics.pricing.accepts`.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from actions.base import Actor, Refused, is_id, record
from analytics.card import assess_with, readable_reason
from analytics.credit_features import FEATURE_LABELS, credit_features
from analytics.pricing import accepts, risk_rate
from data import activity, credit
from data.engine import connect, transaction
from settings import get_settings
from vocabulary import STAFF

SCORERS = STAFF
FIELD_PROBLEMS = {
    "customer_id": "Customer: choose a customer from the list.",
    "product_id": "Product: choose one of the products offered.",
    "amount": "Amount: enter an amount above 0 and up to 1,000,000.",
    "term_months": "Term: enter 1 to 120 months.",
    "channel": "Channel: choose web, mobile, partner school or branch.",
    "debt_to_income": "Debt to income: enter a ratio from 0 to 3 (0.35 is 35 %).",
    "credit_history_months": "Credit history: enter 0 to 720 months.",
    "delinquencies_2y": "Delinquencies: enter a whole number from 0 to 50.",
    "open_loans": "Open loans: enter a whole number from 0 to 30.",
}


class ApplicationRequest(BaseModel):
    """One application as a person or a system sends it."""

    customer_id: int = Field(ge=1, le=2**31 - 1)
    product_id: int = Field(ge=1, le=2**31 - 1)
    amount: float = Field(gt=0, le=1_000_000)
    term_months: int = Field(ge=1, le=120)
    channel: str = Field(pattern="^(web|mobile|partner_school|branch)$")
    debt_to_income: float = Field(ge=0, le=3)
    credit_history_months: int = Field(ge=0, le=720)
    delinquencies_2y: int = Field(ge=0, le=50)
    open_loans: int = Field(ge=0, le=30)


def application_problems(error: ValidationError) -> list[str]:
    """Every problem of a refused form at once, each in words for people, in form order."""
    fields = {str(e["loc"][0]) for e in error.errors() if e["loc"]}
    return [message for name, message in FIELD_PROBLEMS.items() if name in fields]


@dataclass(frozen=True)
class Scored:
    application_id: int | None  # None for a dry run: nothing was stored
    score: int
    pd: float
    band: str
    reasons: list[str]  # the codes, as stored ("amount: 3,780 to under 6,850")
    decision: str  # approved or declined
    rate: float
    product: dict[str, Any]
    model_version: str
    customer: dict[str, Any]

    @property
    def readable_reasons(self) -> list[str]:
        """The reasons as people read them ("Amount: 3,780 to under 6,850")."""
        return [readable_reason(code, FEATURE_LABELS) for code in self.reasons]


def score_application(
    *, actor: Actor, request: ApplicationRequest, now: datetime, dry_run: bool = False
) -> Scored | Refused:
    outcome = score_applications(actor=actor, requests=[request], now=now, dry_run=dry_run)
    if isinstance(outcome, Refused):
        return outcome
    first = outcome[0]
    if isinstance(first, ItemRefused):
        return Refused(first.message, denied=first.denied, detail=first.detail)
    return first


@dataclass(frozen=True)
class ItemRefused:
    """One application of a batch that cannot be scored; the batch stores nothing."""

    index: int
    message: str
    denied: bool = False  # a customer outside the caller's regions (or none at all)
    detail: dict[str, Any] = dataclasses.field(default_factory=dict)


MAX_BATCH = 10_000


def score_applications(
    *, actor: Actor, requests: list[ApplicationRequest], now: datetime, dry_run: bool = False
) -> list[Scored] | list[Scored | ItemRefused] | Refused:
    """Score applications with the active scorecard, decide and price each. All are stored
    (each with its score, journey step and audit entry) in one transaction, or none: when any
    is refused, the answer lists every refused one, in order, with the others unstored."""
    if not actor.may(SCORERS):
        return Refused("Only admins, managers and analysts score applications.", denied=True)
    if not 1 <= len(requests) <= MAX_BATCH:
        return Refused(f"Send 1 to {MAX_BATCH:,} applications at a time.")
    with connect() as conn:
        model = credit.active_model(conn=conn)
        customers = credit.customers_by_id(
            conn=conn, customer_ids=[r.customer_id for r in requests]
        )
        products = credit.products(conn=conn).set_index("id")
    if model is None:
        return Refused("There is no credit model yet: an administrator trains one first.")
    refused = [
        problem
        for index, request in enumerate(requests)
        if (problem := _refusal(index, request, actor, customers, products)) is not None
    ]
    if refused:
        return refused  # type: ignore[return-value]
    scored = _assess(requests, model, customers, products, now)
    if dry_run:
        return scored
    return _store(actor, requests, scored, model, now)


def _refusal(
    index: int,
    request: ApplicationRequest,
    actor: Actor,
    customers: dict[int, dict[str, Any]],
    products: pd.DataFrame,
) -> ItemRefused | None:
    customer = customers.get(request.customer_id)
    if customer is None and actor.region_ids is None:  # one who sees all: nothing to hide
        return ItemRefused(index, "There is no customer with that id.")
    if customer is None or not actor.sees(customer["region_id"]):
        return ItemRefused(
            index,
            "That customer is not in your regions.",
            denied=True,
            detail={"what": "credit customer", "customer_id": request.customer_id},
        )
    if request.product_id not in products.index:
        return ItemRefused(index, FIELD_PROBLEMS["product_id"])
    product = products.loc[request.product_id].to_dict()
    problem = _outside_product(request, product)
    return ItemRefused(index, problem) if problem else None


def _assess(
    requests: list[ApplicationRequest],
    model: dict[str, Any],
    customers: dict[int, dict[str, Any]],
    products: pd.DataFrame,
    now: datetime,
) -> list[Scored]:
    rows = pd.DataFrame(
        [
            request.model_dump()
            | {"purpose": products.loc[request.product_id, "purpose"]}
            | {"applied_at": pd.Timestamp(now)}
            | {k: customers[request.customer_id][k] for k in PROFILE}
            for request in requests
        ]
    )
    assessed = assess_with(model["metrics"]["card"], credit_features(rows))
    settings = get_settings()
    scored = []
    for request, (_, one) in zip(requests, assessed.iterrows(), strict=True):
        product: dict[str, Any] = {
            str(k): v for k, v in products.loc[request.product_id].to_dict().items()
        }
        product["id"] = request.product_id
        decision = "approved" if accepts(one["band"], product["worst_band"]) else "declined"
        rate = risk_rate(
            one["pd"],
            funding_cost=settings.credit_funding_cost,
            lgd=settings.credit_lgd,
            margin=float(product["margin"]),
        )
        scored.append(
            Scored(
                application_id=None,
                score=int(one["score"]),
                pd=float(one["pd"]),
                band=str(one["band"]),
                reasons=[str(r) for r in one["reasons"]],
                decision=decision,
                rate=float(rate),
                product=product,
                model_version=str(model["version"]),
                customer=customers[request.customer_id],
            )
        )
    return scored


def _store(
    actor: Actor,
    requests: list[ApplicationRequest],
    scored: list[Scored],
    model: dict[str, Any],
    now: datetime,
) -> list[Scored]:
    applications = [
        request.model_dump() | {"purpose": one.product["purpose"]}
        for request, one in zip(requests, scored, strict=True)
    ]
    with transaction() as conn:
        ids = credit.record_applications(
            conn=conn,
            scored=[
                (
                    application,
                    one.decision,
                    {"pd": one.pd, "score": one.score, "band": one.band, "reasons": one.reasons},
                )
                for application, one in zip(applications, scored, strict=True)
            ],
            model_id=model["id"],
            now=now,
        )
        for application_id, application, one in zip(ids, applications, scored, strict=True):
            record(
                conn,
                actor,
                "credit.scored",
                now=now,
                entity_type="application",
                entity_id=application_id,
                after={
                    **application,
                    "score": one.score,
                    "band": one.band,
                    "decision": one.decision,
                    "model": one.model_version,
                },
            )
        for region_id, ones in _by_region(scored).items():
            first = ones[0].customer
            more = f" and {len(ones) - 1:,} more" if len(ones) > 1 else ""
            summary = (
                f"{ones[0].score} points, {ones[0].band}, {ones[0].decision}"
                if len(ones) == 1
                else f"{sum(s.decision == 'approved' for s in ones):,} approved"
            )
            activity.record_event(
                conn=conn,
                actor_id=actor.user_id,
                area="credit",
                verb="scored",
                entity_type="customer",
                entity_id=first["id"],
                region_id=region_id,
                summary=f"{actor.display_name} scored an application of {first['name']}{more}: "
                + summary,
                now=now,
            )
    return [
        dataclasses.replace(one, application_id=application_id)
        for application_id, one in zip(ids, scored, strict=True)
    ]


def _by_region(scored: list[Scored]) -> dict[int, list[Scored]]:
    """One feed event per region: each region's people see their own applications only."""
    regions: dict[int, list[Scored]] = {}
    for one in scored:
        regions.setdefault(int(one.customer["region_id"]), []).append(one)
    return regions


PROFILE = ("annual_income", "employment", "employment_years", "housing", "birth_year")


def _outside_product(request: ApplicationRequest, product: dict[Any, Any]) -> str | None:
    if not product["min_amount"] <= request.amount <= product["max_amount"]:
        return (
            f"Amount: {product['name']} lends {product['min_amount']:,.0f} to "
            f"{product['max_amount']:,.0f}."
        )
    if not product["min_term_months"] <= request.term_months <= product["max_term_months"]:
        return (
            f"Term: {product['name']} runs {product['min_term_months']} to "
            f"{product['max_term_months']} months."
        )
    return None


RULE_PROBLEMS = {
    "name": "Name: write a name of 1 to 80 characters.",
    "metric": "Metric: choose days past due, missed payments or score drop.",
    "threshold": "Threshold: enter a whole number from 1 to 1,000 (days, payments and points "
    "are counted whole).",
    "severity": "Severity: choose low, medium, high or critical.",
}


class AlertRuleRequest(BaseModel):
    """An early-warning rule: a loan whose metric reaches the threshold raises an alert."""

    model_config = ConfigDict(str_strip_whitespace=True)
    name: str = Field(min_length=1, max_length=80)
    metric: str = Field(pattern="^(days_past_due|missed_payments|score_drop)$")
    # Whole: every metric counts whole units, and a rule at 2.5 missed payments read as 2.
    threshold: float = Field(ge=1, le=1000, multiple_of=1)
    severity: str = Field(pattern="^(low|medium|high|critical)$")


def rule_problems(error: ValidationError) -> list[str]:
    fields = {str(e["loc"][0]) for e in error.errors() if e["loc"]}
    return [message for name, message in RULE_PROBLEMS.items() if name in fields]


@dataclass(frozen=True)
class RuleChanged:
    message: str
    rule_id: int


RULE_WRITERS = ("admin",)


def add_alert_rule(
    *, actor: Actor, request: AlertRuleRequest, now: datetime
) -> RuleChanged | Refused:
    if not actor.may(RULE_WRITERS):
        return Refused("Only admins change the alert rules.", denied=True)
    rule = request.model_dump()
    with transaction() as conn:
        rule_id = credit.add_alert_rule(conn=conn, rule=rule, by=actor.user_id, now=now)
        record(
            conn,
            actor,
            "credit.rule_added",
            now=now,
            entity_type="alert_rule",
            entity_id=rule_id,
            after=rule,
        )
    return RuleChanged(f"Added “{request.name}”.", rule_id)


def switch_alert_rule(*, actor: Actor, rule_id: Any, now: datetime) -> RuleChanged | Refused:
    """Turn a rule off when it is on, on when it is off."""
    if not actor.may(RULE_WRITERS):
        return Refused("Only admins change the alert rules.", denied=True)
    with transaction() as conn:
        rules = credit.alert_rules(conn=conn).set_index("id")
        if not is_id(rule_id) or rule_id not in rules.index:
            return Refused("That rule no longer exists.")
        active = not bool(rules.loc[rule_id, "is_active"])
        credit.set_alert_rule_active(conn=conn, rule_id=rule_id, active=active)
        record(
            conn,
            actor,
            "credit.rule_changed",
            now=now,
            entity_type="alert_rule",
            entity_id=rule_id,
            before={"is_active": not active},
            after={"is_active": active},
        )
    return RuleChanged("Turned on." if active else "Turned off.", rule_id)

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
from analytics.credit_features import credit_features
from analytics.pricing import accepts, risk_rate
from analytics.scorecard import assess_with
from data import activity, credit
from data.engine import connect, transaction
from settings import get_settings

SCORERS = ("admin", "manager", "analyst")
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

    customer_id: int = Field(ge=1)
    product_id: int = Field(ge=1)
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
    reasons: list[str]
    decision: str  # approved or declined
    rate: float
    product: dict[str, Any]
    model_version: str
    customer: dict[str, Any]


def score_application(
    *, actor: Actor, request: ApplicationRequest, now: datetime, dry_run: bool = False
) -> Scored | Refused:
    if not actor.may(SCORERS):
        return Refused("Only admins, managers and analysts score applications.", denied=True)
    with connect() as conn:
        model = credit.active_model(conn=conn)
        customer = credit.customer(conn=conn, customer_id=request.customer_id)
        products = credit.products(conn=conn).set_index("id")
    if customer is None or not actor.sees(customer["region_id"]):
        return Refused(
            "That customer is not in your regions.",
            denied=True,
            detail={"what": "credit customer", "customer_id": request.customer_id},
        )
    if model is None:
        return Refused("There is no credit model yet: an administrator trains one first.")
    if request.product_id not in products.index:
        return Refused(FIELD_PROBLEMS["product_id"])
    product: dict[str, Any] = {
        str(k): v for k, v in products.loc[request.product_id].to_dict().items()
    }
    product["id"] = request.product_id
    problem = _outside_product(request, product)
    if problem:
        return Refused(problem)
    application = request.model_dump() | {"purpose": product["purpose"]}
    row = pd.DataFrame(
        [application | {"applied_at": pd.Timestamp(now)} | {k: customer[k] for k in PROFILE}]
    )
    assessed = assess_with(model["metrics"]["card"], credit_features(row)).iloc[0]
    decision = "approved" if accepts(assessed["band"], product["worst_band"]) else "declined"
    settings = get_settings()
    rate = float(
        risk_rate(
            assessed["pd"],
            funding_cost=settings.credit_funding_cost,
            lgd=settings.credit_lgd,
            margin=float(product["margin"]),
        )
    )
    scored = Scored(
        application_id=None,
        score=int(assessed["score"]),
        pd=float(assessed["pd"]),
        band=str(assessed["band"]),
        reasons=[str(r) for r in assessed["reasons"]],
        decision=decision,
        rate=rate,
        product=product,
        model_version=str(model["version"]),
        customer=customer,
    )
    if dry_run:
        return scored
    with transaction() as conn:
        application_id = credit.record_application(
            conn=conn,
            application=application,
            decision=decision,
            model_id=model["id"],
            assessed={str(k): v for k, v in assessed.items()},
            now=now,
        )
        activity.record_event(
            conn=conn,
            actor_id=actor.user_id,
            area="credit",
            verb="scored",
            entity_type="customer",
            entity_id=customer["id"],
            region_id=customer["region_id"],
            summary=f"{actor.display_name} scored an application of {customer['name']}: "
            f"{scored.score} points, {scored.band}, {decision}",
            now=now,
        )
        record(
            conn,
            actor,
            "credit.scored",
            now=now,
            entity_type="application",
            entity_id=application_id,
            after={
                **application,
                "score": scored.score,
                "band": scored.band,
                "decision": decision,
                "model": scored.model_version,
            },
        )
    return dataclasses.replace(scored, application_id=application_id)


PROFILE = ("annual_income", "employment", "employment_years", "housing", "birth_year")


def _outside_product(request: ApplicationRequest, product: dict[str, Any]) -> str | None:
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
    "threshold": "Threshold: enter a number above 0 and up to 1,000.",
    "severity": "Severity: choose low, medium, high or critical.",
}


class AlertRuleRequest(BaseModel):
    """An early-warning rule: a loan whose metric reaches the threshold raises an alert."""

    model_config = ConfigDict(str_strip_whitespace=True)
    name: str = Field(min_length=1, max_length=80)
    metric: str = Field(pattern="^(days_past_due|missed_payments|score_drop)$")
    threshold: float = Field(gt=0, le=1000)
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

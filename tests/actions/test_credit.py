"""Scoring an application through the action, as the page and the coming API call it."""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd
import pytest
from pydantic import ValidationError
from sqlalchemy import Connection, func, select

from actions.base import Actor, Refused
from actions.credit import ApplicationRequest, Scored, application_problems, score_application
from analytics.pricing import accepts
from data import credit, kept
from data.engine import connect, transaction
from data.models import (
    ApplicationDay,
    AuditEntry,
    CreditApplication,
    JourneyDay,
    JourneyMonth,
)
from settings import get_settings
from tests.conftest import create_test_account

NOW = datetime(2026, 6, 16, 9, 0, tzinfo=UTC)


@pytest.fixture
def db(credit_scored):  # type: ignore[no-untyped-def]
    return credit_scored


def actor(role: str, regions: tuple[int, ...] | None = None) -> Actor:
    account = create_test_account(role, regions or ())
    return Actor(
        user_id=account.id, display_name=account.display_name, role=role, region_ids=regions
    )


def request_for(region_id: int, **changes: object) -> ApplicationRequest:
    with connect() as conn:
        customer = credit.find_customers(conn=conn, region_ids=[region_id], text="", limit=1)
        products = credit.products(conn=conn)
    flex = products[products["code"] == "TUI-FLEX"].iloc[0]
    values = {
        "customer_id": int(customer["id"].iloc[0]),
        "product_id": int(flex["id"]),
        "amount": 2000,
        "term_months": 12,
        "channel": "web",
        "debt_to_income": 0.3,
        "credit_history_months": 60,
        "delinquencies_2y": 0,
        "open_loans": 1,
    } | changes
    return ApplicationRequest(**values)


def stored() -> tuple[int, int]:
    with connect() as conn:
        return (
            conn.execute(select(func.count()).select_from(CreditApplication)).scalar_one(),
            conn.execute(
                select(func.count())
                .select_from(AuditEntry)
                .where(AuditEntry.action == "credit.scored")
            ).scalar_one(),
        )


def test_a_scored_application_is_stored_with_its_audit_entry_and_decided_by_one_rule(db):
    before = stored()
    result = score_application(actor=actor("analyst"), request=request_for(1), now=NOW)
    assert isinstance(result, Scored) and result.application_id is not None
    assert result.decision == (
        "approved" if accepts(result.band, result.product["worst_band"]) else "declined"
    )
    settings = get_settings()  # priced: funding + PD x LGD + the product's margin
    expected = settings.credit_funding_cost + result.pd * settings.credit_lgd
    assert result.rate == pytest.approx(expected + float(result.product["margin"]))
    assert stored() == (before[0] + 1, before[1] + 1)


def test_a_dry_run_scores_and_stores_nothing(db):
    before = stored()
    result = score_application(
        actor=actor("analyst"), request=request_for(1), now=NOW, dry_run=True
    )
    assert isinstance(result, Scored) and result.application_id is None
    assert stored() == before


def test_the_same_application_scores_the_same(db):
    first = score_application(actor=actor("analyst"), request=request_for(1), now=NOW, dry_run=True)
    second = score_application(
        actor=actor("analyst"), request=request_for(1), now=NOW, dry_run=True
    )
    assert isinstance(first, Scored) and isinstance(second, Scored)
    assert (first.score, first.band, first.decision) == (second.score, second.band, second.decision)


def test_scope_role_and_product_limits_are_the_actions_own(db):
    outside = score_application(actor=actor("manager", (1,)), request=request_for(2), now=NOW)
    assert isinstance(outside, Refused) and outside.denied
    viewer = score_application(actor=actor("viewer"), request=request_for(1), now=NOW)
    assert isinstance(viewer, Refused) and viewer.denied
    too_much = score_application(
        actor=actor("analyst"), request=request_for(1, amount=90_000), now=NOW
    )
    assert too_much == Refused("Amount: Tuition Flex lends 500 to 6,000.")
    unknown = score_application(
        actor=actor("analyst"), request=request_for(1, product_id=9999), now=NOW
    )
    assert unknown == Refused("Product: choose one of the products offered.")


def test_every_problem_of_a_form_is_named_at_once_in_words():
    with pytest.raises(ValidationError) as refused:
        ApplicationRequest(
            customer_id=None,
            product_id=1,
            amount=-5,
            term_months=12,
            channel="<script>",
            debt_to_income=9,
            credit_history_months=60,
            delinquencies_2y=0,
            open_loans=1,
        )
    assert application_problems(refused.value) == [
        "Customer: choose a customer from the list.",
        "Amount: enter an amount above 0 and up to 1,000,000.",
        "Channel: choose web, mobile, partner school or branch.",
        "Debt to income: enter a ratio from 0 to 3 (0.35 is 35 %).",
    ]


def test_alert_rules_are_added_and_switched_by_admins_only(db):
    from actions.credit import AlertRuleRequest, RuleChanged, add_alert_rule, switch_alert_rule

    rule = AlertRuleRequest(
        name="  Any lateness ", metric="days_past_due", threshold=1, severity="low"
    )
    added = add_alert_rule(actor=actor("admin"), request=rule, now=NOW)
    assert isinstance(added, RuleChanged) and added.message == "Added “Any lateness”."
    off = switch_alert_rule(actor=actor("admin"), rule_id=added.rule_id, now=NOW)
    assert isinstance(off, RuleChanged) and off.message == "Turned off."
    assert switch_alert_rule(actor=actor("admin"), rule_id=added.rule_id, now=NOW).message == (
        "Turned on."
    )
    refused = add_alert_rule(actor=actor("manager", (1,)), request=rule, now=NOW)
    assert isinstance(refused, Refused) and refused.denied
    gone = switch_alert_rule(actor=actor("admin"), rule_id=10**9, now=NOW)
    assert gone == Refused("That rule no longer exists.")


def test_a_scored_application_keeps_the_day_and_month_counts_equal_to_a_recount(db):
    """What the registry kept after the app's own write equals counting every row again."""
    result = score_application(actor=actor("analyst", (1,)), request=request_for(1), now=NOW)
    assert isinstance(result, Scored) and result.application_id
    tables = [
        (ApplicationDay, ["day", "region_id", "status"]),
        (JourneyDay, ["day", "region_id", "stage", "channel"]),
        (JourneyMonth, ["month", "region_id", "stage", "channel"]),
    ]

    def read(conn: Connection) -> list[pd.DataFrame]:
        return [
            pd.read_sql(select(table), conn)
            .drop(columns="id", errors="ignore")  # a recount numbers its rows anew
            .sort_values(order, ignore_index=True)
            for table, order in tables
        ]

    with connect() as conn:
        followed = read(conn)
    with transaction() as conn:
        kept.recount_loaded(conn=conn)
        recounted = read(conn)
    for (table, _), after_write, afresh in zip(tables, followed, recounted, strict=True):
        pd.testing.assert_frame_equal(after_write, afresh, check_dtype=False, obj=table.__name__)

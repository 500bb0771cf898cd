"""Scoring over the API: what it answers, what it stores (like the Score page), the batch's
all-or-nothing, and Idempotency-Key: a retried request is never scored or stored twice."""

from __future__ import annotations

import threading
import uuid

from sqlalchemy import func, select

from data.engine import connect
from data.models import AuditEntry, CreditApplication, CreditScore
from tests.api.conftest import APPLICATION, assert_problem

SCORE = "/api/v1/credit/applications/score"
BATCH = "/api/v1/credit/applications/score-batch"


def applications() -> int:
    with connect() as conn:
        return int(conn.execute(select(func.count()).select_from(CreditApplication)).scalar_one())


def test_one_application_is_scored_stored_and_audited_with_the_token(api):
    before = applications()
    answer = api.post(SCORE, json=APPLICATION)
    assert answer.status_code == 200, answer.text
    scored = answer.json()
    assert scored["stored"] and applications() == before + 1
    assert 0 < scored["pd"] < 1 and scored["band"] in ("low", "medium", "high", "critical")
    assert scored["decision"] in ("approved", "declined") and scored["reasons"]
    assert len(scored["reasons"]) == len(scored["reason_codes"])
    assert all("e+0" not in r and "_" not in r.split(":")[0] for r in scored["reasons"])
    assert scored["product"]["id"] == 1 and scored["model_version"].startswith("scorecard-")
    with connect() as conn:
        stored = conn.execute(
            select(CreditScore.score, CreditScore.band).where(
                CreditScore.application_id == scored["application_id"]
            )
        ).one()
        audit = conn.execute(
            select(AuditEntry.detail).where(
                AuditEntry.action == "credit.scored",
                AuditEntry.entity_id == scored["application_id"],
            )
        ).scalar_one()
    assert (stored.score, stored.band) == (scored["score"], scored["band"])
    assert audit["token"] == api.token_id


def test_a_dry_run_answers_the_same_and_stores_nothing(api):
    before = applications()
    dry = api.post(f"{SCORE}?dry_run=true", json=APPLICATION).json()
    assert dry["application_id"] is None and dry["stored"] is False
    assert applications() == before
    stored = api.post(SCORE, json=APPLICATION).json()
    assert {k: stored[k] for k in ("pd", "score", "band", "decision", "annual_rate")} == {
        k: dry[k] for k in ("pd", "score", "band", "decision", "annual_rate")
    }


def test_bad_fields_are_a_422_naming_every_one(api):
    before = applications()
    answer = api.post(SCORE, json=APPLICATION | {"amount": -5, "channel": "fax", "extra": 1})
    body = assert_problem(answer, 422)
    assert {e["field"] for e in body["errors"]} == {"amount", "channel", "extra"}
    outside = api.post(SCORE, json=APPLICATION | {"term_months": 120})
    assert "Term" in assert_problem(outside, 422)["detail"]
    assert applications() == before


def test_a_batch_is_scored_in_order_and_stored_together(api):
    before = applications()
    batch = [APPLICATION | {"amount": 1000 + 100 * i} for i in range(50)]
    answer = api.post(BATCH, json={"applications": batch})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert len(body["results"]) == 50 and body["approved"] + body["declined"] == 50
    assert applications() == before + 50
    ids = [r["application_id"] for r in body["results"]]
    assert ids == sorted(ids)
    one = api.post(f"{SCORE}?dry_run=true", json=batch[7]).json()
    assert body["results"][7]["score"] == one["score"]


def test_a_batch_with_one_bad_application_stores_none_and_names_it(api):
    before = applications()
    batch = [APPLICATION] * 3 + [APPLICATION | {"term_months": 120}] + [APPLICATION]
    body = assert_problem(api.post(BATCH, json={"applications": batch}), 422)
    assert [e["field"] for e in body["errors"]] == ["applications.3"]
    assert applications() == before
    too_many = api.post(BATCH, json={"applications": [APPLICATION] * 10_001})
    assert_problem(too_many, 422)


def test_a_retried_request_with_its_key_is_answered_again_not_scored_again(api):
    key = {"Idempotency-Key": str(uuid.uuid4())}
    before = applications()
    first = api.post(SCORE, json=APPLICATION, headers=key)
    again = api.post(SCORE, json=APPLICATION, headers=key)
    assert first.status_code == again.status_code == 200
    assert again.json() == first.json() and again.headers["Idempotent-Replayed"] == "true"
    assert applications() == before + 1
    # The same JSON written another way (indented, keys reordered) is the same request.
    import json

    rewritten = json.dumps(dict(reversed(list(APPLICATION.items()))), indent=2)
    third = api.post(SCORE, data=rewritten, headers=key | {"Content-Type": "application/json"})
    assert third.json() == first.json() and third.headers["Idempotent-Replayed"] == "true"
    assert applications() == before + 1
    other = api.post(SCORE, json=APPLICATION | {"amount": 6000}, headers=key)
    assert "different request" in assert_problem(other, 422)["detail"]


def test_the_same_key_sent_twice_at_once_is_scored_once(api):
    key = {"Idempotency-Key": str(uuid.uuid4())}
    before = applications()
    answers: list[int] = []

    def send() -> None:
        answers.append(
            api.post(BATCH, json={"applications": [APPLICATION] * 200}, headers=key).status_code
        )

    threads = [threading.Thread(target=send) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert applications() == before + 200
    assert answers.count(200) >= 1 and set(answers) <= {200, 409}
    replay = api.post(BATCH, json={"applications": [APPLICATION] * 200}, headers=key)
    assert replay.status_code == 200 and applications() == before + 200


def test_a_key_is_a_token_s_own(api, server):
    from tests.api.conftest import as_role

    key = {"Idempotency-Key": "shared-name"}
    before = applications()
    assert api.post(SCORE, json=APPLICATION, headers=key).status_code == 200
    other = as_role(server, "analyst")
    assert other.post(SCORE, json=APPLICATION, headers=key).status_code == 200
    assert applications() == before + 2


def test_an_unknown_customer_is_a_422_and_one_outside_the_regions_a_403_naming_it(api, server):
    """An admin's token scoring customer 99999999 was told "outside your regions"."""
    from data.models import CreditCustomer, Region
    from tests.api.conftest import as_role

    unknown = api.post(SCORE, json=APPLICATION | {"customer_id": 99_999_999})
    assert assert_problem(unknown, 422)["detail"] == "There is no customer with that id."
    with connect() as conn:
        theirs = conn.execute(
            select(CreditCustomer.region_id).where(CreditCustomer.id == APPLICATION["customer_id"])
        ).scalar_one()
        other = conn.execute(select(Region.id).where(Region.id != theirs).limit(1)).scalar_one()
    manager = as_role(server, "manager", (other,))
    body = assert_problem(manager.post(BATCH, json={"applications": [APPLICATION] * 2}), 403)
    assert [e["field"] for e in body["errors"]] == ["applications.0", "applications.1"]
    # To a token limited to regions, an unknown customer is outside them too: nothing leaks.
    assert_problem(manager.post(SCORE, json=APPLICATION | {"customer_id": 99_999_999}), 403)


def test_an_application_may_name_its_customer_and_product_by_the_organisations_own_ids(api):
    """Another system knows its own ids, not Beacon's: the README's `"customer_id": 1` was
    refused for an organisation whose customers started at 31."""
    from data.models import CreditCustomer, CreditProduct

    with connect() as conn:
        customer = conn.execute(
            select(CreditCustomer.id, CreditCustomer.external_id).where(
                CreditCustomer.id == APPLICATION["customer_id"]
            )
        ).one()
        code = conn.execute(
            select(CreditProduct.code).where(CreditProduct.id == APPLICATION["product_id"])
        ).scalar_one()
    theirs = {k: v for k, v in APPLICATION.items() if k not in ("customer_id", "product_id")}
    named = theirs | {"customer_external_id": customer.external_id, "product_code": code}
    by_ids = api.post(f"{SCORE}?dry_run=true", json=APPLICATION).json()
    by_names = api.post(f"{SCORE}?dry_run=true", json=named)
    assert by_names.status_code == 200, by_names.text
    assert {k: by_names.json()[k] for k in ("pd", "score", "product")} == {
        k: by_ids[k] for k in ("pd", "score", "product")
    }
    unknown = api.post(SCORE, json=named | {"customer_external_id": "C-NOT-HERE"})
    assert [e["field"] for e in assert_problem(unknown, 422)["errors"]] == ["customer_external_id"]
    both = api.post(SCORE, json=named | {"customer_id": customer.id})
    assert "customer_id or by customer_external_id" in str(assert_problem(both, 422))
    batch = api.post(BATCH, json={"applications": [named, named | {"product_code": "NOPE"}]})
    assert [e["field"] for e in assert_problem(batch, 422)["errors"]] == [
        "applications.1.product_code"
    ]

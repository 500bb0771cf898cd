"""Events in: records pushed as JSON take the data import's path: checked by the contract,
upserted by external_id, all or nothing, on record in the load history."""

from __future__ import annotations

import uuid

import requests
from sqlalchemy import func, select

from data.engine import connect
from data.models import DataLoad, TutoringSession
from tests.api.conftest import as_role, assert_problem

SESSION = {
    "tutor_id": "beacon-5",
    "student_id": "beacon-7",
    "scheduled_start": "2026-01-20T15:00:00+00:00",
    "duration_minutes": 60,
    "status": "completed",
    "rating": 5,
}


def sessions() -> int:
    with connect() as conn:
        return int(conn.execute(select(func.count()).select_from(TutoringSession)).scalar_one())


def test_a_pushed_session_is_stored_once_and_updated_by_its_external_id(server):
    admin = as_role(server, "admin")
    record = SESSION | {"external_id": f"LMS-{uuid.uuid4().hex[:8]}"}
    before = sessions()
    first = admin.post("/api/v1/events/tutoring_sessions", json={"records": [record]})
    assert first.status_code == 200, first.text
    assert first.json()["counts"] == {"inserted": 1, "updated": 0, "unchanged": 0, "deleted": 0}
    again = admin.post("/api/v1/events/tutoring_sessions", json={"records": [record]}).json()
    assert again["counts"]["unchanged"] == 1
    changed = admin.post(
        "/api/v1/events/tutoring_sessions", json={"records": [record | {"rating": 3}]}
    ).json()
    assert changed["counts"]["updated"] == 1 and sessions() == before + 1
    with connect() as conn:
        rating = conn.execute(
            select(TutoringSession.rating).where(
                TutoringSession.external_id == record["external_id"]
            )
        ).scalar_one()
        source = conn.execute(
            select(DataLoad.source).where(DataLoad.id == changed["load_id"])
        ).scalar_one()
    assert rating == 3 and source == "api"


def test_a_bad_record_is_a_422_with_every_problem_and_nothing_is_stored(server):
    admin = as_role(server, "admin")
    good = SESSION | {"external_id": f"LMS-{uuid.uuid4().hex[:8]}"}
    bad = SESSION | {"external_id": "LMS-bad", "rating": 9, "duration_minutes": "long"}
    before = sessions()
    body = assert_problem(
        admin.post("/api/v1/events/tutoring_sessions", json={"records": [good, bad]}), 422
    )
    fields = {e["field"] for e in body["errors"]}
    assert {"records.1.rating", "records.1.duration_minutes"} <= fields
    assert sessions() == before
    unknown = SESSION | {"external_id": "LMS-x", "tutor_id": "no-such-tutor"}
    body = assert_problem(
        admin.post("/api/v1/events/tutoring_sessions", json={"records": [unknown]}), 422
    )
    assert body["errors"][0]["field"] == "records.0.tutor_id"
    # Two records with one id: each names the other as a record, not a spreadsheet row.
    twice = SESSION | {"external_id": "LMS-twice"}
    body = assert_problem(
        admin.post("/api/v1/events/tutoring_sessions", json={"records": [twice, twice]}), 422
    )
    assert [e["field"] for e in body["errors"]] == [
        "records.0.external_id",
        "records.1.external_id",
    ]
    assert "as records.0" in body["errors"][1]["message"]
    assert "row" not in " ".join(e["message"] for e in body["errors"])


def test_pushing_records_is_an_admin_s_act_like_the_import(server):
    analyst = as_role(server, "analyst")
    answer = analyst.post("/api/v1/events/tutoring_sessions", json={"records": [SESSION]})
    assert_problem(answer, 403)


def test_only_the_continuous_entities_and_plain_values_are_taken(server):
    admin = as_role(server, "admin")
    assert_problem(admin.post("/api/v1/events/tutors", json={"records": [SESSION]}), 422)
    nested = {"records": [SESSION | {"external_id": "x", "rating": [5]}]}
    assert_problem(admin.post("/api/v1/events/tutoring_sessions", json=nested), 422)
    assert_problem(admin.post("/api/v1/events/tutoring_sessions", json={"records": []}), 422)


def test_a_nul_character_is_refused_as_invalid_and_nothing_is_stored(server):
    """PostgreSQL text cannot hold NUL: the API refuses it with 422 naming the field (the
    schema fuzzer found a 500 on a filter), in a query or anywhere in a JSON body."""
    admin = as_role(server, "admin")
    body = assert_problem(admin.get("/api/v1/tutors/risk?subject=%00&sort=name"), 422)
    assert body["errors"] == [
        {"field": "subject", "message": "Text may not hold the NUL character."}
    ]
    before = sessions()
    record = SESSION | {"external_id": "LMS-\u0000"}
    body = assert_problem(
        admin.post("/api/v1/events/tutoring_sessions", json={"records": [record]}), 422
    )
    assert body["errors"][0]["field"] == "body" and "nothing was stored" in body["detail"]
    assert sessions() == before
    anonymous = requests.get(f"{server}/api/v1/tutors/risk?subject=%00", timeout=30)
    assert anonymous.status_code == 401  # who asks is checked first


def test_a_body_that_is_not_json_or_nests_too_deep_is_a_4xx_and_nothing_is_stored(server):
    """A reviewer's 1 KB of brackets broke Python's recursion (500); a form body or a broken
    one read as "Input should be a valid dictionary"."""
    admin = as_role(server, "admin")
    url, json_ = "/api/v1/events/tutoring_sessions", {"Content-Type": "application/json"}
    before = sessions()
    answers = {
        "400 brackets": admin.post(
            url, data='{"records":' + "[" * 400 + "]" * 400 + "}", headers=json_
        ),
        "400 deeper": admin.post(url, data="[" * 100_000 + "]" * 100_000, headers=json_),
        "400 33 levels": admin.post(url, data="[" * 33 + "]" * 33, headers=json_),
        "400 broken": admin.post(url, data='{"records":', headers=json_),
        "415 form": admin.post(url, data={"records": "x"}),
    }
    for case, answer in answers.items():
        body = assert_problem(answer, int(case[:3]))
        assert "nothing was stored" in body["detail"], case
    assert "nested more than 32 levels" in answers["400 brackets"].json()["detail"]
    assert "well-formed" in answers["400 broken"].json()["detail"]
    assert sessions() == before
    # An address that takes other methods says which (405 and Allow), not "no endpoint".
    wrong = admin.delete("/api/v1/kpis/pe")
    assert assert_problem(wrong, 405) and wrong.headers["Allow"] == "GET"
    assert_problem(admin.delete("/api/v1/no-such-thing"), 404)

"""Tutor-care actions called directly, as the API, the import and jobs will call them: no
Dash, no request. Role, region, the intervention moves, authorship, and one transaction."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select, text

from actions import tutor_care as care
from actions.base import Actor, Refused
from analytics.interventions import recommend
from data import tutor_care, tutor_risk
from data.engine import connect, transaction
from data.models import ActivityEvent, AuditEntry, Tutor
from tests.conftest import create_test_account, nothing_open

NOW = datetime(2026, 6, 16, 9, 0, tzinfo=UTC)


@pytest.fixture
def db(scored_url, use_database):  # type: ignore[no-untyped-def]
    use_database(scored_url)


def actor(role: str, regions: tuple[int, ...] | None = None) -> Actor:
    account = create_test_account(role, regions or ())
    return Actor(
        user_id=account.id, display_name=account.display_name, role=role, region_ids=regions
    )


def a_tutor(region_id: int) -> int:
    with connect() as conn:
        return int(
            conn.execute(
                select(Tutor.id).where(Tutor.region_id == region_id, Tutor.status == "active")
            )
            .scalars()
            .first()
        )


def counts() -> tuple[int, int]:
    with connect() as conn:
        return (
            conn.execute(select(func.count()).select_from(AuditEntry)).scalar_one(),
            conn.execute(select(func.count()).select_from(ActivityEvent)).scalar_one(),
        )


def riskiest(region_id: int) -> tuple[int, str]:
    """A tutor at risk in the region and the first intervention recommended for them."""
    with connect() as conn:
        model = tutor_risk.active_model(conn=conn)
        as_of = tutor_risk.band_history(conn=conn, model_id=model["id"])["as_of"].max()
        top, _ = tutor_risk.risk_table(
            conn=conn,
            model_id=model["id"],
            as_of=as_of.to_pydatetime(),
            region_ids=[region_id],
            limit=1,
        )
    kinds = recommend(top["top_factors"].iloc[0], top["band"].iloc[0], as_of.date())
    return int(top["tutor_id"].iloc[0]), kinds[0].kind


def test_a_note_is_written_with_its_event_and_audit_entry_and_only_its_author_changes_it(db):
    north = actor("manager", (1,))
    tutor = a_tutor(1)
    before = counts()
    saved = care.save_note(
        actor=north, tutor_id=tutor, body="  Rota clash.  ", important=True, now=NOW
    )
    assert isinstance(saved, care.Done) and saved.message == "Saved."
    assert counts() == (before[0] + 1, before[1] + 1)  # the audit entry and the feed event
    with connect() as conn:
        assert tutor_care.note(conn=conn, note_id=saved.entity_id)["body"] == "Rota clash."

    colleague = actor("manager", (1,))
    refused = care.save_note(
        actor=colleague,
        tutor_id=tutor,
        body="Mine now",
        important=False,
        note_id=saved.entity_id,
        now=NOW,
    )
    assert isinstance(refused, Refused) and refused.denied
    assert isinstance(
        care.delete_note(actor=actor("admin"), tutor_id=tutor, note_id=saved.entity_id, now=NOW),
        care.Done,
    )


@pytest.mark.parametrize("body", ["", "   ", "x" * 10_001, None])
def test_an_empty_or_oversized_note_is_refused_in_words(db, body):
    result = care.save_note(
        actor=actor("manager", (1,)), tutor_id=a_tutor(1), body=body, important=False, now=NOW
    )
    assert result == Refused("Write a note of 1 to 10,000 characters.")


@pytest.mark.parametrize("tutor_id", [999_999, "1", True, 1.5])
def test_a_forged_or_unknown_tutor_is_an_access_refusal(db, tutor_id):
    result = care.save_note(
        actor=actor("admin"), tutor_id=tutor_id, body="x", important=False, now=NOW
    )
    assert isinstance(result, Refused) and result.denied


def test_region_and_role_are_checked_by_the_action_itself(db):
    outside = care.save_note(
        actor=actor("manager", (1,)), tutor_id=a_tutor(2), body="x", important=False, now=NOW
    )
    assert isinstance(outside, Refused) and outside.denied
    assert outside.detail == {"what": "tutor", "tutor_id": a_tutor(2)}
    for role in ("analyst", "viewer"):
        result = care.save_note(
            actor=actor(role), tutor_id=a_tutor(1), body="x", important=False, now=NOW
        )
        assert isinstance(result, Refused) and result.denied


def test_interventions_are_planned_from_the_recommendations_then_move_only_forward(db):
    north = actor("manager", (1,))
    tutor, kind = riskiest(1)
    nothing_open(tutor)
    assert isinstance(
        care.plan_intervention(
            actor=north, tutor_id=tutor, kind="free_lunch", owner_id=None, now=NOW
        ),
        Refused,
    )
    planned = care.plan_intervention(actor=north, tutor_id=tutor, kind=kind, owner_id=None, now=NOW)
    assert isinstance(planned, care.Done)
    move = lambda status, outcome=None: care.move_intervention(  # noqa: E731
        actor=north,
        tutor_id=tutor,
        intervention_id=planned.entity_id,
        status=status,
        outcome=outcome,
        now=NOW,
    )
    assert move("done") == Refused("Say what came of it before marking it done.")
    assert isinstance(move("in_progress"), care.Done)
    assert move("planned") == Refused("A in progress intervention cannot become planned.")
    assert isinstance(move("done", "Back to four a week."), care.Done)
    assert move("dismissed") == Refused("A done intervention cannot become dismissed.")
    assert care.MOVES["done"] == frozenset()


def test_an_owner_outside_the_tutors_region_is_refused(db):
    tutor, kind = riskiest(1)
    outsider = create_test_account("manager", (2,))
    result = care.plan_intervention(
        actor=actor("manager", (1,)), tutor_id=tutor, kind=kind, owner_id=outsider.id, now=NOW
    )
    assert isinstance(result, Refused) and result.denied


def test_a_failing_audit_write_leaves_no_note_and_no_event(db):
    tutor = a_tutor(1)
    before = counts()
    with connect() as conn:
        notes_before = len(tutor_care.notes(conn=conn, tutor_id=tutor))
    with transaction() as conn:  # the audit log refuses every entry from here on
        if conn.dialect.name == "sqlite":
            conn.execute(
                text(
                    "CREATE TRIGGER no_audit BEFORE INSERT ON audit_log "
                    "BEGIN SELECT RAISE(ABORT, 'audit log is read-only'); END"
                )
            )
        else:
            conn.execute(
                text(
                    "CREATE FUNCTION no_audit() RETURNS trigger LANGUAGE plpgsql AS "
                    "$$ BEGIN RAISE EXCEPTION 'audit log is read-only'; END $$"
                )
            )
            conn.execute(
                text(
                    "CREATE TRIGGER no_audit BEFORE INSERT ON audit_log "
                    "FOR EACH ROW EXECUTE FUNCTION no_audit()"
                )
            )
    try:
        with pytest.raises(Exception, match="read-only"):
            care.save_note(
                actor=actor("manager", (1,)), tutor_id=tutor, body="Lost?", important=False, now=NOW
            )
    finally:
        with transaction() as conn:
            conn.execute(
                text(
                    "DROP TRIGGER no_audit"
                    if conn.dialect.name == "sqlite"
                    else "DROP TRIGGER no_audit ON audit_log"
                )
            )
            if conn.dialect.name != "sqlite":
                conn.execute(text("DROP FUNCTION no_audit()"))
    with connect() as conn:
        assert len(tutor_care.notes(conn=conn, tutor_id=tutor)) == notes_before
    assert counts()[1] == before[1]

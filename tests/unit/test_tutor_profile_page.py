"""The tutor profile's write callbacks: role, scope, transitions, authorship, audit."""

import re
from datetime import UTC, datetime

import pandas as pd
import pytest
from dash._callback_context import context_value
from dash._utils import AttributeDict
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

import app as beacon  # noqa: F401  (pages register with the app)
from actions import tutor_care as care
from analytics.interventions import recommend
from auth.access import AccessDenied
from data import audit as audit_log
from data import tutor_care
from data.engine import connect, transaction
from data.models import Tutor
from pages import tutor_profile as page
from tests.conftest import acting_as, nothing_open


@pytest.fixture
def db(scored_url, use_database):
    use_database(scored_url)


def a_tutor(region_id: int) -> int:
    with connect() as conn:
        return (
            conn.execute(
                select(Tutor.id).where(Tutor.region_id == region_id, Tutor.status == "active")
            )
            .scalars()
            .first()
        )


def clicked(component_id: dict) -> None:
    """What Dash sets up before a pattern-matching callback runs: which button was clicked."""
    import json

    prop = json.dumps(component_id, sort_keys=True, separators=(",", ":")) + ".n_clicks"
    context_value.set(AttributeDict(triggered_inputs=[{"prop_id": prop, "value": 1}]))


def records(tutor_id: int, version: int, kinds: tuple[str, ...] = (), picked=None) -> tuple:
    """`show_records` as Dash calls it: the page's "Plan it" buttons (one per kind) among its
    outputs."""
    buttons = [{"id": page.ids.plan(kind), "property": "children"} for kind in kinds]
    context_value.set(
        AttributeDict(
            triggered_inputs=[{"prop_id": f"{page.ids.version}.data", "value": version}],
            outputs_list=[{}] * 5 + [buttons] * 3 + [{}] * 2,
        )
    )
    return page.show_records(tutor_id=tutor_id, _version=version, picked=picked)


def last_audit(action: str) -> dict:
    with connect() as conn:
        rows, _ = audit_log.audit_log(conn=conn, action=action, limit=1)
    return rows.iloc[0].to_dict()


def test_notes_are_added_edited_and_deleted_by_their_author_and_audited(db):
    tutor = a_tutor(1)
    with acting_as("manager", regions=(1,)):
        version, message, text, editing = page.save_note(
            clicks=1,
            tutor_id=tutor,
            text="  Called about the rota.  ",
            important=True,
            editing=None,
            version=0,
        )
        assert version == 1 and text == "" and editing is None
        with connect() as conn:
            note = tutor_care.notes(conn=conn, tutor_id=tutor).iloc[0]
        assert note["body"] == "Called about the rota." and note["is_important"]
        page.save_note(
            clicks=1,
            tutor_id=tutor,
            text="Called twice.",
            important=False,
            editing=int(note["id"]),
            version=1,
        )
        assert last_audit("note.updated")["detail"]["before"]["body"] == "Called about the rota."
        clicked(page.ids.delete(int(note["id"])))
        page.delete_note(clicks=[1], tutor_id=tutor, version=2)
    assert last_audit("note.deleted")["detail"]["before"]["body"] == "Called twice."


def test_someone_elses_note_cannot_be_changed_but_an_admin_can(db):
    tutor = a_tutor(1)
    with acting_as("manager", regions=(1,)):
        page.save_note(
            clicks=1, tutor_id=tutor, text="Mine.", important=False, editing=None, version=0
        )
    with connect() as conn:
        note_id = int(tutor_care.notes(conn=conn, tutor_id=tutor).iloc[0]["id"])
    with acting_as("manager", regions=(1,)), pytest.raises(AccessDenied):
        page.save_note(
            clicks=1, tutor_id=tutor, text="Not yours.", important=False, editing=note_id, version=0
        )
    with acting_as("admin"):
        clicked(page.ids.delete(note_id))
        page.delete_note(clicks=[1], tutor_id=tutor, version=0)


@pytest.mark.parametrize("text", ["", "   ", "x" * 10_001])
def test_empty_or_oversized_notes_get_a_clear_message(db, text):
    with acting_as("manager", regions=(1,)):
        version, message, *_ = page.save_note(
            clicks=1, tutor_id=a_tutor(1), text=text, important=False, editing=None, version=0
        )
    assert version is page.dash.no_update
    assert "1 to 10,000 characters" in str(message.children)


def test_a_note_is_shown_as_text_never_as_html(db):
    tutor = a_tutor(1)
    with acting_as("manager", regions=(1,)):
        page.save_note(
            clicks=1,
            tutor_id=tutor,
            text="<script>alert(1)</script>",
            important=False,
            editing=None,
            version=0,
        )
        notes, *_ = records(tutor, 1)
    body = notes[0].children.children[1]
    assert body.children == "<script>alert(1)</script>"  # a string child: React escapes it


def test_interventions_are_planned_then_moved_only_forward(db):
    with connect() as conn:
        model = page.tutor_risk.active_model(conn=conn)
        as_of = page.tutor_risk.band_history(conn=conn, model_id=model["id"])["as_of"].max()
        riskiest, _ = page.tutor_risk.risk_table(
            conn=conn, model_id=model["id"], as_of=as_of.to_pydatetime(), region_ids=[1], limit=1
        )
    tutor = int(riskiest["tutor_id"].iloc[0])
    assert riskiest["band"].iloc[0] != "low", "the demo data has a tutor at risk in region 1"
    recs = recommend(riskiest["top_factors"].iloc[0], riskiest["band"].iloc[0], as_of.date())
    nothing_open(tutor)
    with acting_as("manager", regions=(1,)):
        # Nothing open: no form to move one (two empty dropdowns had sat there).
        kinds = tuple(rec.kind for rec in recs)
        _, _, _, form_hidden, _, labels, _, disabled, picked, status = records(tutor, 0, kinds)
        assert form_hidden is True and picked is None and status is None
        assert labels == ["Plan it"] * len(kinds) and disabled == [False] * len(kinds)
        clicked(page.ids.plan(recs[0].kind))
        page.plan(clicks=[1], tutor_id=tutor, version=0)
        # Planned: its button says so at once (not "Plan it" until a reload), and the form
        # holds it, at its status, ready to move.
        _, _, _, form_hidden, _, labels, _, disabled, picked, status = records(tutor, 1, kinds)
        assert form_hidden is False
        with connect() as conn:
            planned = tutor_care.interventions(conn=conn, tutor_id=tutor).iloc[0]
        assert planned["status"] == "planned"
        assert labels[0] == "Already open" and disabled[0] is True
        assert labels[1:] == ["Plan it"] * (len(kinds) - 1) and not any(disabled[1:])
        assert (picked, status) == (int(planned["id"]), "planned")
        # A second click is refused, and the page offers the kind as already open.
        clicked(page.ids.plan(recs[0].kind))
        _, again = page.plan(clicks=[2], tutor_id=tutor, version=0)
        assert "already open for this tutor" in str(again)
        shown = str(page.layout(id=str(tutor)))
        assert "Already open" in shown
        assert f"Scored on {as_of:%Y-%m-%d}, with these reasons" in shown  # the factors' day
        with connect() as conn:
            listed = tutor_care.interventions(conn=conn, tutor_id=tutor)
        still_open = listed[listed["status"].isin(["planned", "in_progress"])]
        assert (still_open["kind"] == recs[0].kind).sum() == 1
        # The database keeps one open of each kind, whoever writes (a double click's race),
        # and planning tells that refusal from any other (those are not "already open").
        refusals = {}
        for case, tutor_id, kind in (
            ("second open", tutor, recs[0].kind),
            ("unknown tutor", 10**9, recs[0].kind),
            ("unknown kind", tutor, "séance"),
        ):
            with pytest.raises(IntegrityError) as refused, transaction() as conn:
                tutor_care.add_intervention(
                    conn=conn,
                    tutor_id=tutor_id,
                    kind=kind,
                    reason="twice",
                    owner_id=1,
                    due_on=recs[0].due_on,
                    now=datetime.now(UTC),
                )
            refusals[case] = tutor_care.is_second_open(refused.value)
        assert refusals == {"second open": True, "unknown tutor": False, "unknown kind": False}
        _, message = page.move(
            clicks=1,
            tutor_id=tutor,
            intervention_id=int(planned["id"]),
            status="done",
            outcome="",
            version=1,
        )
        assert "Say what came of it" in str(message.children)
        page.move(
            clicks=1,
            tutor_id=tutor,
            intervention_id=int(planned["id"]),
            status="done",
            outcome="Rota fixed; back to 4 a week.",
            version=1,
        )
        _, message = page.move(
            clicks=1,
            tutor_id=tutor,
            intervention_id=int(planned["id"]),
            status="planned",
            outcome=None,
            version=2,
        )
        assert "cannot become planned" in str(message.children)
    detail = last_audit("intervention.status_changed")["detail"]
    assert detail["before"]["status"] == "planned" and detail["after"]["status"] == "done"


def test_an_intervention_assigned_to_another_manager_notifies_them_and_outsiders_are_refused(db):
    from data import activity
    from tests.conftest import create_test_account

    with connect() as conn:
        model = page.tutor_risk.active_model(conn=conn)
        as_of = page.tutor_risk.band_history(conn=conn, model_id=model["id"])["as_of"].max()
        riskiest, _ = page.tutor_risk.risk_table(
            conn=conn, model_id=model["id"], as_of=as_of.to_pydatetime(), region_ids=[1], limit=2
        )
    row = riskiest.iloc[0]  # the riskiest: a band above low gets recommendations
    recs = recommend(row["top_factors"], row["band"], as_of.date())
    colleague = create_test_account("manager", (1,))
    outsider = create_test_account("manager", (2,))
    nothing_open(int(row["tutor_id"]))
    with acting_as("manager", regions=(1,)):
        clicked(page.ids.plan(recs[0].kind))
        with pytest.raises(AccessDenied):
            page.plan(clicks=[1], tutor_id=int(row["tutor_id"]), version=0, owner=outsider.id)
        clicked(page.ids.plan(recs[0].kind))
        page.plan(clicks=[1], tutor_id=int(row["tutor_id"]), version=0, owner=colleague.id)
    with connect() as conn:
        planned = tutor_care.interventions(conn=conn, tutor_id=int(row["tutor_id"])).iloc[0]
        told = activity.notifications(conn=conn, user_id=colleague.id, region_ids=[1], limit=1)
    assert planned["owner_id"] == colleague.id
    assert "planned" in told["summary"].iloc[0] and told["entity_id"].iloc[0] == row["tutor_id"]
    assert last_audit("intervention.created")["detail"]["after"]["owner"] == colleague.id


def test_a_tutor_outside_the_managers_regions_is_refused(db):
    with acting_as("manager", regions=(1,)), pytest.raises(AccessDenied):
        page.save_note(
            clicks=1,
            tutor_id=a_tutor(2),
            text="Forged tutor id.",
            important=False,
            editing=None,
            version=0,
        )
    with acting_as("manager", regions=(1,)), pytest.raises(AccessDenied):
        records(a_tutor(2), 0)


def test_viewers_cannot_write_and_unknown_tutors_change_nothing(db):
    with acting_as("viewer"), pytest.raises(AccessDenied):
        page.save_note(
            clicks=1, tutor_id=a_tutor(1), text="Hello", important=False, editing=None, version=0
        )
    with acting_as("manager", regions=(1,)), pytest.raises(AccessDenied):
        page.save_note(
            clicks=1, tutor_id=999_999, text="Hello", important=False, editing=None, version=0
        )  # a forged id: refused, audited


def test_recognition_follows_the_tutors_own_recent_ratings(db):
    from data.queries.overview import daily_sessions

    with connect() as conn:
        model = page.tutor_risk.active_model(conn=conn)
        as_of = page.tutor_risk.band_history(conn=conn, model_id=model["id"])["as_of"].max()
        daily = daily_sessions(conn=conn, since=as_of - page.timedelta(days=30), until=as_of)
        by_tutor = {}
        for tutor_id in page.tutor_risk.tutor_roster(conn=conn)["id"].head(40):
            mine = daily_sessions(
                conn=conn,
                since=as_of - page.timedelta(days=30),
                until=as_of,
                tutor_id=int(tutor_id),
            )
            if mine["rated"].sum():
                by_tutor[int(tutor_id)] = mine["rating_sum"].sum() / mine["rated"].sum()
        assert len(daily) and by_tutor
        best = max(by_tutor, key=by_tutor.get)
        worst = min(by_tutor, key=by_tutor.get)
        low = pd.Series({"as_of": as_of, "band": "low", "top_factors": []})
        best_kinds = [r.kind for r in care.recommendations(conn, best, low)]
        worst_kinds = [r.kind for r in care.recommendations(conn, worst, low)]
    assert ("recognition" in best_kinds) == (by_tutor[best] >= 4.7)
    assert "recognition" not in worst_kinds


def test_a_tutor_who_has_left_gets_no_plan_no_message_and_is_marked_on_the_list(db):
    """Scored before they left, a tutor stays on that date's list: marked as gone, with no
    retention step to plan and no message to draft."""
    from datetime import UTC, datetime, timedelta

    from sqlalchemy import update

    from data.cache import changed
    from data.engine import transaction
    from pages import tutor_risk as risk_page

    with connect() as conn:
        model = page.tutor_risk.active_model(conn=conn)
        as_of = page.tutor_risk.band_history(conn=conn, model_id=model["id"])["as_of"].max()
        args = dict(conn=conn, model_id=model["id"], as_of=as_of.to_pydatetime(), region_ids=[2])
        tutor = int(page.tutor_risk.risk_table(**args, limit=1)[0]["tutor_id"].iloc[0])
    yesterday = datetime.now(UTC).date() - timedelta(days=1)

    def leave(on):  # type: ignore[no-untyped-def]
        with transaction() as conn:
            conn.execute(update(Tutor).where(Tutor.id == tutor).values(left_on=on))
        changed("tutors")

    leave(yesterday)
    try:
        with acting_as("manager", regions=(2,)):
            shown = str(page.layout(id=str(tutor)))
            _, planned, *_ = records(tutor, 0)
        assert f"Left on {yesterday:%Y-%m-%d}: nothing to plan." in shown
        assert "Plan it" not in shown and "Draft a message" not in shown
        assert "Plan one of the recommendations" not in str(planned)
        with connect() as conn:
            rows, _ = page.tutor_risk.risk_table(**{**args, "conn": conn}, limit=5)
        names = risk_page.as_seen(rows).set_index("tutor_id")["name"]
        assert names[tutor].endswith(f"(left {yesterday:%Y-%m-%d})")
        assert not any("(left" in n for t, n in names.items() if t != tutor)
    finally:
        leave(None)
    with acting_as("manager", regions=(2,)):
        shown = str(page.layout(id=str(tutor)))
    assert "Plan it" in shown  # still here: the plan is back
    with connect() as conn:  # each risk factor with its value, as the risk list says them
        listed = page.tutor_risk.risk_table(**{**args, "conn": conn}, limit=1)[0]
    for line in risk_page.factor_lines(listed["top_factors"].iloc[0]).split("\n"):
        assert line in shown, re.findall(r"Li\(children=[^)]*\)", shown)

"""The AI features on their pages, without an AI service (the template path a fresh install
takes): explain on every area page, Ask with scoped tools, the tutor message and lesson plan
drafts, and saving a plan. The AI service path is tested in tests/ai/."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from sqlalchemy import create_engine, func, select

import app as beacon  # noqa: F401  (pages register with the app)
from analytics.narrative import numbers_in
from auth.access import AccessDenied
from data.engine import connect
from data.models import Equipment, LessonPlan, PEClass, School, Tutor, User
from data.seed import seed_database
from pages import (
    ask,
    credit_pricing,
    home,
    pe_dashboard,
    pe_lesson_plan,
    schedules_utilisation,
    tutor_profile,
    tutor_risk,
)
from tests.conftest import AS_OF, SEED, acting_as
from widgets.explain import explain


@pytest.fixture
def db(scored_url, use_database):  # type: ignore[no-untyped-def]
    use_database(scored_url)


def card_text(card) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    """(the narrative, the badge) of an insight card."""
    body, footer = card.children
    return body.children[0].children, footer.children[0].children


def test_home_explains_the_kpi_cards_it_shows_with_only_their_numbers(db):
    with acting_as("viewer"):
        text, badge = card_text(explain(view_name="home", state={}))
        cards = []
        end = home.home.home_end(conn=connect().__enter__())
        for area in home.SECTIONS:
            cards += home.section_cards(area, end, None)[0]
    assert badge == "Template" and text.startswith("Home right now.")
    shown = json.dumps([c.to_plotly_json() for c in cards], default=str)
    assert all(number in shown for number in numbers_in(text))
    assert "Sessions completed, last 4 weeks" in text


@pytest.mark.parametrize(
    ("view", "state"),
    [
        (tutor_risk.VIEW, {"region": None, "subject": None, "band": None}),
        (schedules_utilisation.VIEW, {"period": 28}),
    ],
)
def test_every_area_page_explains_its_view(db, view, state):
    with acting_as("manager", regions=(1,)):
        text, badge = card_text(explain(view_name=view, state=state))
    assert badge == "Template" and "right now" in text and numbers_in(text)


def test_the_tutor_risk_explanation_is_of_the_filters_in_the_address(db):
    with acting_as("analyst"):
        every = card_text(explain(view_name=tutor_risk.VIEW, state={}))[0]
        north = card_text(explain(view_name=tutor_risk.VIEW, state={"region": 1}))[0]
        cards = tutor_risk.show_overview(
            region=1, subject=None, band=None, tenure=None, theme=None
        )[0]
    shown = json.dumps(cards, default=lambda c: c.to_plotly_json())
    assert every != north
    assert all(number in shown for number in numbers_in(north))


def test_credit_pricing_explains_its_what_if(fresh):
    from jobs import credit_scoring

    credit_scoring.run()
    with acting_as("analyst"):
        state = {"cutoff": 560, "margin": 0.02}
        text, badge = card_text(explain(view_name=credit_pricing.VIEW, state=state))
        cards = credit_pricing.what_if(cutoff=560, margin=0.02, theme=None)[0]
    shown = json.dumps(cards.to_plotly_json(), default=str)
    assert badge == "Template" and text.startswith("Credit pricing right now.")
    assert all(number in shown for number in numbers_in(text))


def test_the_pe_board_explains_its_filters_and_refuses_bad_ones(db):
    filters = {"start": "2026-03-01", "end": "2026-06-15"}
    with acting_as("analyst"):
        text, _ = card_text(explain(view_name=pe_dashboard.VIEW, state={"context": filters}))
        refused = explain(view_name=pe_dashboard.VIEW, state={"context": {"start": "yesterday"}})
    assert "Attendance rate" in text and "2026-03-01 to 2026-06-15" in text
    assert "cannot be explained" in refused.children


def test_ask_answers_from_a_tool_in_scope_and_lists_it(db):
    with acting_as("manager", regions=(1,)):
        card = ask.answer(
            _clicks=1,
            _submitted=None,
            question="Which regions have the most critical tutors this month?",
        )
    text, badge = card_text(card)
    assert badge == "Template" and "North" in text
    assert "South" not in json.dumps(card.to_plotly_json(), default=str)  # out of scope
    assert "tutors_at_risk_by_region" in json.dumps(card.to_plotly_json(), default=str)


def test_ask_refuses_another_region_and_audits_it(db):
    with acting_as("manager", regions=(1,)):
        card = ask.answer(
            _clicks=1, _submitted=None, question="How many credit applications did South get?"
        )
    shown = json.dumps(card.to_plotly_json(), default=str)
    assert "Refused: South is outside your regions" in shown
    from data import audit as audit_log

    with connect() as conn:
        rows, _ = audit_log.audit_log(conn=conn, action="access.denied", limit=1)
    assert "ai tool" in str(rows.iloc[0]["detail"])


@pytest.mark.parametrize("question", ["", "  ", "x" * 301, "'; DROP TABLE users; --"])
def test_ask_validates_the_question_and_never_runs_it(db, question):
    with acting_as("viewer"):
        card = ask.answer(_clicks=1, _submitted=None, question=question)
    assert card is not None
    with connect() as conn:
        assert conn.execute(select(func.count()).select_from(User)).scalar_one() > 0


def a_tutor(region_id: int) -> int:
    with connect() as conn:
        return (
            conn.execute(
                select(Tutor.id).where(Tutor.region_id == region_id, Tutor.status == "active")
            )
            .scalars()
            .first()
        )


def test_a_manager_drafts_a_message_from_the_tutors_factors(db):
    tutor = a_tutor(1)
    with acting_as("manager", regions=(1,)):
        text, note = tutor_profile.draft_message(clicked=1, tutor_id=tutor)
        with pytest.raises(AccessDenied):
            tutor_profile.draft_message(clicked=1, tutor_id=a_tutor(2))  # another region's tutor
    assert text.startswith("Hi ") and "Test manager" in text
    assert card_text(note)[1] == "Template"
    assert "usual rating:" not in text and "sd" not in text.split()  # no model terms


@pytest.fixture
def fresh(sqlite_url, use_database):  # type: ignore[no-untyped-def]
    seed_database(create_engine(sqlite_url), scale="small", seed=SEED, as_of=AS_OF)
    use_database(sqlite_url)


def a_class(region_id: int) -> int:
    with connect() as conn:
        return (
            conn.execute(select(PEClass.id).join(School).where(School.region_id == region_id))
            .scalars()
            .first()
        )


def test_a_lesson_plan_is_drafted_edited_and_saved(fresh, monkeypatch):
    from data.models import Attendance, EquipmentUsage

    klass = a_class(1)
    day = (AS_OF + timedelta(days=3)).isoformat()
    monkeypatch.setattr(pe_lesson_plan, "business_today", lambda: AS_OF)
    with connect() as conn:
        met = conn.execute(
            select(Attendance.session_date)
            .where(Attendance.class_id == klass)
            .where(Attendance.session_date.between(AS_OF - timedelta(days=28), AS_OF))
            .distinct()
        ).scalars()
        weekdays = {d.weekday() for d in met}
        used = set(
            conn.execute(
                select(Equipment.name)
                .join(EquipmentUsage, EquipmentUsage.equipment_id == Equipment.id)
                .where(EquipmentUsage.class_id == klass, Equipment.condition != "broken")
            ).scalars()
        )
    with acting_as("manager", regions=(1,)):
        text, title, focus, equipment, suggested, note = pe_lesson_plan.draft(
            _clicks=1, class_id=klass
        )
        assert "Warm-up" in text and focus in text and card_text(note)[1] == "Template"
        # The next day the class meets, and what its own lessons use (not the whole store).
        assert weekdays and date.fromisoformat(suggested).weekday() in weekdays
        assert date.fromisoformat(suggested) > AS_OF
        assert equipment and set(equipment.split(", ")) <= used
        saved = pe_lesson_plan.save(
            _clicks=1,
            class_id=klass,
            title=title,
            day=day,
            focus=focus,
            text=text + "\nBring water.",
            equipment=equipment,
        )
    assert saved.color == "success"
    with connect() as conn:
        plan = conn.execute(
            select(LessonPlan.activities, LessonPlan.planned_on)
            .where(LessonPlan.class_id == klass)
            .order_by(LessonPlan.id.desc())
        ).first()
    assert plan.activities.endswith("Bring water.") and plan.planned_on == date.fromisoformat(day)


def test_a_lesson_plan_is_validated_and_kept_in_scope(fresh):
    klass = a_class(2)
    with acting_as("manager", regions=(1,)):
        missing = pe_lesson_plan.save(
            _clicks=1,
            class_id=a_class(1),
            title="",
            day="not a day",
            focus="balance",
            text="",
            equipment="",
        )
        assert "give it a title" in missing.children and "pick a day" in missing.children
        with pytest.raises(AccessDenied):
            pe_lesson_plan.save(
                _clicks=1,
                class_id=klass,
                title="Plan",
                day="2026-07-01",
                focus="balance",
                text="Plan text",
                equipment="",
            )
        with pytest.raises(AccessDenied):
            pe_lesson_plan.draft(_clicks=1, class_id=klass)
    with acting_as("analyst"), pytest.raises(AccessDenied):
        pe_lesson_plan.save(
            _clicks=1,
            class_id=klass,
            title="Plan",
            day="2026-07-01",
            focus="balance",
            text="Plan text",
            equipment="",
        )


@pytest.mark.parametrize("page", [ask, pe_lesson_plan])
def test_the_new_pages_lay_out(db, page):
    with acting_as("manager", regions=(1,)):
        assert page.layout().to_plotly_json()


def test_an_analyst_drafts_a_lesson_plan_but_is_told_saving_is_for_managers(db):
    """The save answered an analyst with a silent 403, and the edits were lost: the button is
    off for them and the page says who saves."""

    def save_button(layout):  # type: ignore[no-untyped-def]
        return next(c for c in layout._traverse() if getattr(c, "id", None) == "plan-save")

    with acting_as("analyst"):
        shown = pe_lesson_plan.layout()
    assert "Only admins and managers save lesson plans" in str(shown)
    assert save_button(shown).disabled is True
    with acting_as("manager", regions=(1,)):
        shown = pe_lesson_plan.layout()
    assert "Only admins and managers save" not in str(shown)
    assert save_button(shown).disabled is False

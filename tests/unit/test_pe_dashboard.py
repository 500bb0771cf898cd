"""The PE widget registry, saved-board validation and the dashboard callbacks called directly."""

from datetime import date, timedelta

import dash
import pytest
from dash.development.base_component import Component

import app as beacon  # noqa: F401  (pages register with the app)
from actions.pe_board import CATEGORIES, WIDGETS, default_board, read_board, read_options
from auth.access import EVERYONE, STAFF
from components.pe_widgets import DRAW
from components.view_tools import address_id
from data.engine import connect
from data.preferences import read_preference
from data.queries import pe
from pages import pe_dashboard
from tests.conftest import AS_OF, acting_as, graph_of, on_page
from tests.unit.dash_context import triggered

START = AS_OF - timedelta(days=120)
FILTERS = {"start": START.isoformat(), "end": AS_OF.isoformat()}


def test_the_registry_has_at_least_fifteen_complete_widgets():
    assert len(WIDGETS) >= 15
    for widget in WIDGETS.values():
        assert widget.title and widget.description and widget.category in CATEGORIES
        assert set(widget.roles) <= set(EVERYONE) and widget.roles
        assert all(fn.__module__ == "data.queries.pe" for fn in widget.data)
    # Every widget is drawn, and nothing is drawn that is not a widget.
    assert set(DRAW) == set(WIDGETS)
    # Student-level detail stays with staff.
    assert WIDGETS["incident_log"].roles == STAFF and WIDGETS["team_suggestions"].roles == STAFF


@pytest.mark.parametrize("name", sorted(WIDGETS))
def test_every_widget_draws_from_the_database_under_filters(seeded_engine, name):
    widget = WIDGETS[name]
    options, problem = read_options(widget, {})
    assert problem is None
    with connect() as conn:
        class_id = int(pe.filter_options(conn=conn, region_ids=[1])["class_id"].iloc[0])
        everything = pe.PEFilter(START, AS_OF)
        one_class = pe.PEFilter(START, AS_OF, region_ids=[1], class_id=class_id)
        nothing = pe.PEFilter(AS_OF + timedelta(days=400), AS_OF + timedelta(days=401))
        for scope in (everything, one_class):
            data = widget.load(conn, scope, options)
            if name == "team_suggestions" and scope is everything:
                assert data is None  # no class chosen: the designed empty state
                continue
            if name == "incident_log" and scope is one_class:
                continue  # one class may well have had no incident
            assert data is not None, scope
            assert isinstance(
                DRAW[name](data, theme="dark", options=options.model_dump()), Component
            )
        # The inventory stands whatever the dates; everything else has nothing to show.
        assert (widget.load(conn, nothing, options) is None) == (name != "equipment")


def test_a_missing_board_is_the_default_for_the_role():
    board, problems = read_board(None, "viewer")
    assert problems == []
    assert [w["widget"] for w in board["widgets"]] == [
        w["widget"] for w in default_board("viewer")["widgets"]
    ]


def test_a_board_that_is_not_a_board_becomes_the_default_with_a_message():
    board, problems = read_board({"widgets": "everything"}, "analyst")
    assert board == default_board("analyst")
    assert len(problems) == 1 and "could not be read" in problems[0]
    board, problems = read_board([1, 2, 3], "analyst")
    assert board == default_board("analyst") and problems


def test_bad_entries_are_dropped_or_reset_one_by_one_and_the_rest_is_kept():
    raw = {
        "widgets": [
            {"widget": "attendance", "size": "large", "options": {}},
            {"widget": "no_such_widget", "size": "small", "options": {}},
            {"widget": "incident_log", "size": "small", "options": {}},
            {"widget": "fitness", "size": "small", "options": {"metric": "<script>"}},
            {"widget": "attendance", "size": "small", "options": {}},
        ],
        "filters": {"grade": 3},
    }
    board, problems = read_board(raw, "viewer")
    assert [(w["widget"], w["size"]) for w in board["widgets"]] == [
        ("attendance", "large"),
        ("fitness", "small"),
    ]
    assert board["widgets"][1]["options"] == {"metric": "shuttle_run"}
    assert board["filters"]["grade"] == 3
    assert any("no longer exists" in p for p in problems)
    assert any("not available to your role" in p for p in problems)
    assert any("were not valid" in p for p in problems)


def test_filters_with_reversed_dates_are_refused():
    board, problems = read_board(
        {"filters": {"start": "2026-06-01", "end": "2026-01-01"}}, "viewer"
    )
    assert board == default_board("viewer") and "start date must not be after" in problems[0]


def board_of(account) -> dict:
    with connect() as conn:
        return read_preference(conn=conn, user_id=account.id, name=pe_dashboard.PREFERENCE)


def test_adding_moving_resizing_and_removing_are_saved(seeded_engine):
    with acting_as("analyst") as account:

        def click(kind, widget):
            triggered({"type": kind, "widget": widget})
            return pe_dashboard.change_board(*([[]] * 5), "", FILTERS, "light", "")

        click("pe-add", "incident_log")
        saved = [w["widget"] for w in board_of(account)["widgets"]]
        assert saved[-1] == "incident_log" and saved[0] == "attendance"
        _, _, message = click("pe-up", "incident_log")
        assert message == f"Moved Incident log to position {len(saved) - 1}."
        assert [w["widget"] for w in board_of(account)["widgets"]][-2] == "incident_log"
        click("pe-remove", "attendance")
        assert "attendance" not in [w["widget"] for w in board_of(account)["widgets"]]


def test_the_board_arrives_drawn_and_a_setting_redraws_only_its_widget(seeded_engine):
    """One answer draws the page: the cards come with their widgets, so the browser sends
    no request per widget; changing one widget's settings redraws that widget alone."""
    from actions.account import save_preference
    from auth.access import current_actor

    with acting_as("analyst"):
        save_preference(
            actor=current_actor(),
            name=pe_dashboard.PREFERENCE,
            value={
                "widgets": [
                    {"widget": "fitness", "size": "medium", "options": {}},
                    {"widget": "equipment", "size": "medium", "options": {}},
                ],
                "filters": FILTERS,
            },
        )
        page = pe_dashboard.layout()
        grid = on_page(page, "pe-grid")
        bodies = [card.children.children.children[1].children[-1] for card in grid.children]
        assert all(body.children is not None for body in bodies)
        outputs = [{"id": {"type": "pe-body", "widget": w}} for w in ("fitness", "equipment")]
        push_ups = {"id": {"type": "pe-opt", "widget": "fitness", "field": "metric"}}
        triggered(
            push_ups["id"],
            "value",
            "push_ups",
            outputs_list=outputs,
            inputs_list=[{}, {}, [{**push_ups, "value": "push_ups"}]],
        )
        fitness, equipment = pe_dashboard.show_widgets(
            filters=FILTERS, theme="light", _values=["push_ups"], _redraw=None, tables=""
        )
    assert equipment is dash.no_update
    chart = graph_of(fitness.children[-1])
    assert chart.figure["layout"]["yaxis"]["title"]["text"].startswith("Push ups")


def test_an_address_with_filters_sets_and_saves_them_and_a_forged_one_is_ignored(seeded_engine):
    """Back and pasted links carry the board's filters (#24): the address wins over the
    saved board, is saved as the board's, and is written back in its canonical form."""
    with acting_as("analyst") as account:
        page = pe_dashboard.layout(grade="3", start="2026-05-01", end="2026-06-15")
        assert board_of(account)["filters"]["grade"] == 3
        address = "?grade=3&start=2026-05-01&end=2026-06-15"
        assert on_page(page, address_id("pe-dashboard")).data == address
        assert on_page(page, pe_dashboard.ids.grade).value == 3
        for forged in ({"grade": "99"}, {"grade": "3;DROP"}, {"school": "-1"}, {"start": "x"}):
            page = pe_dashboard.layout(**forged)
            assert board_of(account)["filters"]["grade"] == 3  # the saved board, untouched
            assert on_page(page, address_id("pe-dashboard")).data == address
        pe_dashboard.layout(start="2026-05-01", end="2026-06-15")  # Back to no grade
        assert board_of(account)["filters"]["grade"] is None
        # A link that names a grade alone (no dates) changes the grade and keeps the rest.
        page = pe_dashboard.layout(grade="4")
        assert board_of(account)["filters"] == {
            "school_id": None,
            "grade": 4,
            "class_id": None,
            "start": "2026-05-01",
            "end": "2026-06-15",
        }
        assert on_page(page, address_id("pe-dashboard")).data == (
            "?grade=4&start=2026-05-01&end=2026-06-15"
        )


def test_a_click_on_a_grade_picks_that_grade_and_a_forged_click_nothing(seeded_engine):
    with acting_as("analyst"):
        for click, grade in (
            ({"points": [{"x": "4", "y": 0.5}]}, 4),  # a bar of Active students
            ({"points": [{"x": "Sit and reach", "y": "Grade 7"}]}, 7),  # a Skill gaps row
        ):
            triggered({"type": "pe-grade-drill", "widget": "active_students"}, "clickData", click)
            assert pe_dashboard.drill_to_grade([click]) == grade
        for forged in (None, {"points": [{"x": "４"}]}, {"points": [{"x": "123"}]}, {"x": 1}):
            triggered({"type": "pe-grade-drill", "widget": "x"}, "clickData", forged)
            with pytest.raises(dash.exceptions.PreventUpdate):
                pe_dashboard.drill_to_grade([forged])


def test_the_board_keeps_moving_with_the_data_until_its_dates_are_chosen(
    seeded_engine, monkeypatch
):
    """No dates chosen is saved, and addressed, as none: the board moves with the newest data
    through other filter changes, reloads and later days (the picker's dates came back with
    every change, were saved and froze it). Dates chosen stay; "Newest days" clears them."""
    from actions.pe_widgets import default_dates

    ids = pe_dashboard.ids
    with connect() as conn:
        bounds = pe.date_bounds(conn=conn)
        schools = pe.filter_options(conn=conn, region_ids=None)["school_id"].unique()
    newest = [d.isoformat() for d in default_dates(start=None, end=None, bounds=bounds)]
    first, other = int(schools[0]), int(schools[1])

    def change(prop_id: str, school: int, start, end):  # type: ignore[no-untyped-def]
        component, prop = prop_id.split(".")
        triggered(component, prop, start if prop == "start_date" else school)
        return pe_dashboard.apply_filters(school, None, None, start, end)

    def saved_dates(account) -> list:  # type: ignore[no-untyped-def]
        return [board_of(account)["filters"][end] for end in ("start", "end")]

    with acting_as("analyst") as account:
        page = pe_dashboard.layout()
        picker = on_page(page, ids.dates)
        assert picker.start_date is None and picker.end_date is None
        assert [picker.start_date_placeholder_text, picker.end_date_placeholder_text] == newest
        assert picker.initial_visible_month == newest[0]  # not the earliest month allowed
        assert "move as new data comes in" in on_page(page, ids.dates_note).children
        assert "start=" not in on_page(page, address_id("pe-dashboard")).data

        shown, *_, note, start_shown, end_shown = change(f"{ids.school}.value", first, None, None)
        assert saved_dates(account) == [None, None] and "move as new data" in note
        assert [shown["start"], shown["end"]] == [start_shown, end_shown] == newest

        *_, note, _, _ = change(f"{ids.dates}.start_date", first, "2026-05-01", "2026-06-15")
        assert saved_dates(account) == ["2026-05-01", "2026-06-15"] and "stay" in note
        *_, note, _, _ = change(f"{ids.school}.value", other, "2026-05-01", "2026-06-15")
        assert board_of(account)["filters"]["school_id"] == other
        assert saved_dates(account) == ["2026-05-01", "2026-06-15"] and "stay" in note

        assert pe_dashboard.newest_days(1) == (None, None)
        *_, note, _, _ = change(f"{ids.dates}.start_date", other, None, None)
        assert saved_dates(account) == [None, None] and "move as new data" in note

        # A day later, the board's own address (no dates) opened again: it has moved on.
        later = [(date.fromisoformat(d) + timedelta(days=1)) for d in newest]
        monkeypatch.setattr(pe_dashboard, "default_dates", lambda **_: tuple(later))
        page = pe_dashboard.layout(school=str(other))
        assert saved_dates(account) == [None, None]
        assert on_page(page, ids.filters).data["start"] == later[0].isoformat()


def test_widget_words_say_what_they_measure():
    """From a walk: the coverage note, BMI's axis and an equipment reorder's reason."""
    import pandas as pd

    from analytics.equipment import equipment_recommendations
    from components.pe_widgets import coverage_note, label

    even = {"target": 0.2}
    within = pd.DataFrame([{"skill": "balance", "status": "ok", **even}])
    assert coverage_note(within) == (
        "Every skill has from half to double the even share of lessons (20%)."
    )
    off = pd.DataFrame(
        [
            {"skill": "balance", "status": "under", **even},
            {"skill": "ball_handling", "status": "over", **even},
        ]
    )
    assert coverage_note(off) == (
        "Under half the even share of lessons (20%): Balance. "
        "Over double the even share of lessons (20%): Ball handling."
    )
    assert label("bmi") == "BMI" and label("sit_and_reach") == "Sit and reach"
    use = pd.DataFrame(
        [
            {
                "quantity": 12,
                "condition": "good",
                "peak_used": 12,
                "sessions_used": 12,
                "full_sessions": 8,
            }
        ]
    )
    reason = equipment_recommendations(use)["reason"].iloc[0]
    assert reason == "In 8 of its 12 lessons nearly all 12 were in use; order 3 more."

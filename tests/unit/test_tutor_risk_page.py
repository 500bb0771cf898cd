"""The risk overview's callbacks, signed in, on a scored database."""

import pytest
from dash import dcc

import app as beacon  # noqa: F401  (pages register with the app)
from auth.access import AccessDenied
from pages import tutor_risk as page
from sharing.views import VIEWS
from tests.conftest import acting_as


@pytest.fixture
def db(scored_url, use_database):
    use_database(scored_url)


def test_overview_shows_four_band_cards_two_charts_and_its_filters_round_trip_the_url(db):
    with acting_as("analyst"):
        cards, distribution, history = page.show_overview(
            None, "Maths", "high", "new", "name", "dark"
        )
    assert [c.children.children.children[0].children for c in cards] == [
        "Low risk",
        "Medium risk",
        "High risk",
        "Critical risk",
    ]
    assert isinstance(distribution, dcc.Graph)
    view = VIEWS["tutor-risk"]
    state = {"region": None, "subject": "Maths", "band": "high", "tenure": "new", "sort": "name"}
    assert view.query(state) == "?subject=Maths&band=high&tenure=new&sort=name"
    assert view.state(view.query(state)) == state  # the address gives the filters back
    assert view.state("?band=purple&region=x&sort=name")["band"] is None


def test_a_manager_sees_only_their_regions_rows(db):
    with acting_as("manager", regions=(1,)):
        table, *_ = page.show_table(None, None, None, None, "score", None, None, 1)
    regions = {row.children[1].children for row in table.children[-1].children}
    assert regions == {"N"}


def test_a_forged_region_outside_the_scope_is_refused(db):
    with acting_as("manager", regions=(1,)), pytest.raises(AccessDenied):
        page.show_table(2, None, None, None, "score", None, None, 1)
    with acting_as("manager", regions=(1,)), pytest.raises(AccessDenied):
        page.show_overview(2, None, None, None, "score", "light")


def test_unknown_filter_values_are_ignored_not_trusted(db):
    with acting_as("viewer"):
        cards, _, _ = page.show_overview("x; DROP", "<b>", "severe", "forever", "id desc", "light")
    assert len(cards) == 4
    view = VIEWS["tutor-risk"]
    forged = "?region=x%3B+DROP&subject=%3Cb%3E&band=severe&tenure=forever&sort=id+desc"
    assert view.query(view.state(forged)) == "?subject=%3Cb%3E"  # a literal; the rest dropped

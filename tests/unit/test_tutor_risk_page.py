"""The risk overview's callbacks, signed in, on a scored database."""

import pytest
from dash import dcc

import app as beacon  # noqa: F401  (pages register with the app)
from auth.access import AccessDenied
from pages import tutor_risk as page
from tests.conftest import acting_as


@pytest.fixture
def db(scored_url, use_database):
    use_database(scored_url)


def test_overview_shows_four_band_cards_two_charts_and_mirrors_filters_in_the_url(db):
    with acting_as("analyst"):
        cards, distribution, history, search = page.show_overview(
            None, "Maths", "high", "new", "name", "dark"
        )
    assert [c.children.children.children[0].children for c in cards] == [
        "Low risk",
        "Medium risk",
        "High risk",
        "Critical risk",
    ]
    assert isinstance(distribution, dcc.Graph)
    assert search == "?subject=Maths&band=high&tenure=new&sort=name"


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
        _, _, _, search = page.show_overview(
            "x; DROP", "<b>", "severe", "forever", "id desc", "light"
        )
    assert search == "?subject=%3Cb%3E"  # text kept as a literal filter; the rest dropped

"""Drill-down callbacks given forged clicks (a click's data is the browser's to send):
nothing opens, and nothing fails."""

from __future__ import annotations

import pytest
from dash.exceptions import PreventUpdate

import app  # noqa: F401 (the pages need the app)
from tests.conftest import acting_as


@pytest.mark.parametrize(
    "click",
    [
        {"points": [{"customdata": [3, float("inf")]}]},
        {"points": [{"customdata": [3, float("nan")]}]},
        {"points": [{"customdata": [3, True]}]},
        {"points": [{"customdata": [3, 2**40]}]},
        {"points": [{"customdata": "1"}]},
        {"points": "x"},
        None,
    ],
)
def test_a_forged_click_on_a_room_opens_nothing(seeded_copy, click):
    from pages.schedules_utilisation import drill_to_room

    with acting_as("viewer"), pytest.raises(PreventUpdate):
        drill_to_room(click=click, period=56)


@pytest.mark.parametrize("click", [{"points": [{"customdata": "nobody"}]}, {"points": [{}]}, 7])
def test_a_forged_click_on_the_scores_filters_nothing(seeded_copy, click):
    from pages.tutor_risk import drill_to_band

    with acting_as("viewer"), pytest.raises(PreventUpdate):
        drill_to_band(click=click)

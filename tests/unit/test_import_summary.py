"""What a load's summary says it wrote: a check or a refused load wrote nothing."""

import app as beacon  # noqa: F401  (pages register with the app)
from actions.imports import LoadResult
from data.imports import EntityCounts
from pages.admin_import import load_summary

ROOMS = [EntityCounts("rooms", "rooms.csv", rows=3, inserted=2, rejected=1)]


def test_a_refused_load_says_what_it_would_have_inserted_not_that_it_did():
    refused = str(load_summary(LoadResult(1, "rejected", ROOMS, problem_total=1)))
    assert "Would insert" in refused and "Inserted" not in refused
    checked = str(load_summary(LoadResult(2, "checked", ROOMS)))
    assert "Would insert" in checked and "had it loaded" in checked
    loaded = str(load_summary(LoadResult(3, "loaded", ROOMS)))
    assert "Inserted" in loaded and "Would" not in loaded

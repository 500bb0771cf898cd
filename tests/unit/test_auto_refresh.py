"""Auto-refresh: the choice is checked, kept on the account, and sets the ticking; only
dashboards are marked for it."""

from __future__ import annotations

import dash
import pytest
from dash.exceptions import PreventUpdate

from actions.account import REFRESH_MINUTES
from data.engine import connect
from data.preferences import read_preference
from tests.conftest import acting_as
from web.shell_callbacks import save_refresh


def test_a_choice_sets_the_ticking_and_is_kept_and_a_forged_one_is_ignored(seeded_copy):
    with acting_as("viewer") as me:
        assert save_refresh(choice="5") == (300_000, False)
        assert save_refresh(choice="off") == (60_000, True)
        for forged in ("0", "2", "1; DROP TABLE users", None, [1], {"a": 1}):
            with pytest.raises(PreventUpdate):
                save_refresh(choice=forged)
        assert save_refresh(choice="15") == (900_000, False)
    with connect() as conn:
        assert read_preference(conn=conn, user_id=me.id, name="auto_refresh") == "15"
    assert set(REFRESH_MINUTES) == {"off", "1", "5", "15"}


def test_only_dashboards_are_marked_for_auto_refresh():
    import app  # noqa: F401 (registers the pages)

    marked = {p["relative_path"] for p in dash.page_registry.values() if p.get("refreshes")}
    assert {"/", "/tutor-risk", "/schedules", "/credit", "/credit/journey"} <= marked
    forms = {"/schedules/book", "/credit/score", "/pe/lesson-plan", "/admin/users", "/ask"}
    # a secret shown once, an alert-rule form, a board being arranged: never redrawn
    worked_in = {"/schedules/mine", "/credit/watchlist", "/pe"}
    assert not (forms | worked_in) & marked

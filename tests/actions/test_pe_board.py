"""Editing a PE board, called directly as the page calls it (no Dash, no database)."""

from __future__ import annotations

import actions.pe_widgets  # noqa: F401 (declares the widgets)
from actions.base import Refused
from actions.pe_board import MAX_WIDGETS, WIDGETS, BoardEdit, default_board, edit_board


def placed(board: dict | None) -> list[tuple[str, str]]:
    assert board is not None
    return [(p["widget"], p["size"]) for p in board["widgets"]]


def test_add_move_resize_and_remove_each_change_one_thing_and_say_it():
    board = default_board("manager")
    first, second = board["widgets"][0]["widget"], board["widgets"][1]["widget"]
    missing = next(w for w in WIDGETS if w not in {p["widget"] for p in board["widgets"]})
    added = edit_board(board, move="add", widget=missing, value=1, role="manager")
    assert isinstance(added, BoardEdit) and placed(added.board)[-1] == (missing, "medium")
    assert added.message == f"Added {WIDGETS[missing].title}."
    moved = edit_board(board, move="down", widget=first, value=1, role="manager")
    assert isinstance(moved, BoardEdit)
    assert [w for w, _ in placed(moved.board)][:2] == [second, first]
    assert moved.message == f"Moved {WIDGETS[first].title} to position 2."
    resized = edit_board(board, move="size", widget=second, value="large", role="manager")
    assert isinstance(resized, BoardEdit) and placed(resized.board)[1] == (second, "large")
    removed = edit_board(board, move="remove", widget=first, value=1, role="manager")
    assert isinstance(removed, BoardEdit) and first not in dict(placed(removed.board))
    assert placed(board) == placed(default_board("manager"))  # the given board is not changed


def test_edits_that_change_nothing_say_so_with_no_board():
    board = default_board("manager")
    top, bottom = board["widgets"][0], board["widgets"][-1]
    for move, widget, value in [
        ("up", top["widget"], 1),  # already first
        ("down", bottom["widget"], 1),  # already last
        ("size", top["widget"], top["size"]),  # the same size
        ("add", top["widget"], 1),  # already there
        ("remove", "no-such-widget", 1),  # a control of a widget that is gone
        ("spin", top["widget"], 1),  # no such move
    ]:
        assert edit_board(board, move=move, widget=widget, value=value, role="manager") == (
            BoardEdit(None, "")
        ), move


def test_a_widget_the_role_may_not_see_is_refused_as_forged_and_a_full_board_with_a_message():
    staff_only = next(w for w, d in WIDGETS.items() if "viewer" not in d.roles)
    board = default_board("viewer")
    denied = edit_board(board, move="add", widget=staff_only, value=1, role="viewer")
    assert isinstance(denied, Refused) and denied.denied
    forged = edit_board(board, move="add", widget="<script>", value=1, role="viewer")
    assert isinstance(forged, Refused) and forged.denied
    full = {**board, "widgets": [{"widget": "x", "size": "small"}] * MAX_WIDGETS}
    refused = edit_board(full, move="add", widget=next(iter(WIDGETS)), value=1, role="admin")
    assert isinstance(refused, Refused) and not refused.denied
    assert refused.message == f"The dashboard holds at most {MAX_WIDGETS} widgets."
    for forged in (["x"], {"a": 1}, None):
        sized = edit_board(
            board, move="size", widget=board["widgets"][0]["widget"], value=forged, role="viewer"
        )
        assert isinstance(sized, Refused)
    odd = edit_board(
        board, move="size", widget=board["widgets"][0]["widget"], value="huge", role="viewer"
    )
    assert isinstance(odd, Refused) and odd.message == "Choose small, medium or large."

"""The data grid's state: from the grid and the URL, checked, and back (#24)."""

import json
from datetime import date

import dash
import pytest

from data.grid import ColumnFilter, Condition, SortKey
from sharing.views import grid_param
from tests.conftest import acting_as
from tests.unit.dash_context import triggered
from widgets.grid import (
    DataGridAIO,
    GridColumn,
    GridState,
    column_state,
    filter_model,
    grid_columns,
    keep_in_step,
    parse_state,
    requested,
    state_from_grid,
)

COLUMNS = grid_columns(
    "test-grid",
    [
        GridColumn("name", "Name", width=200),
        GridColumn("score", "Score", "number", width=100),
        GridColumn("applied", "Applied", "date", width=120),
        GridColumn("band", "Band", sortable=False, filterable=False, width=100),
    ],
)


def test_a_state_survives_the_url_and_the_grid_unchanged():
    state = GridState(
        sort=(SortKey("score", True), SortKey("name")),
        filters=(
            ColumnFilter("name", "text", (Condition("contains", "ann"),)),
            ColumnFilter(
                "score",
                "number",
                (Condition("lessThan", 500.0), Condition("inRange", 600.0, 700.0)),
                "OR",
            ),
            ColumnFilter(
                "applied", "date", (Condition("inRange", date(2026, 1, 1), date(2026, 3, 31)),)
            ),
        ),
        hidden=("band",),
        widths=(("name", 320),),
    )
    assert parse_state(state.encode(), COLUMNS) == state
    as_grid = column_state(state, COLUMNS)
    assert state_from_grid(as_grid, filter_model(state.filters), COLUMNS) == state
    assert GridState().encode() == ""


@pytest.mark.parametrize(
    "raw",
    [
        '{"sort":[["band","asc"],["nowhere","desc"],["name","sideways"]]}',
        '{"filter":{"band":{"filterType":"text","type":"contains","filter":"x"}}}',
        '{"filter":{"score":{"filterType":"text","type":"contains","filter":"x"}}}',
        '{"filter":{"score":{"filterType":"number","type":"lessThan","filter":"NaN"}}}',
        '{"filter":{"applied":{"filterType":"date","type":"equals","dateFrom":"soon"}}}',
        '{"filter":{"name":{"filterType":"text","type":"matches","filter":".*"}}}',
        '{"hide":["name","score","applied","band"],"width":{"name":99999}}',
    ],
)
def test_unknown_columns_operators_and_values_are_dropped(raw):
    state = parse_state(raw, COLUMNS)
    assert not state.sort and not state.filters and not state.widths
    assert len(state.hidden) < len(COLUMNS)  # a grid never hides every column


@pytest.mark.parametrize(
    "junk",
    [[], {}, 5, "x", None, [{"colId": []}], {"name": {"filterType": "text", "conditions": {}}}],
)
def test_forged_grid_models_of_any_shape_are_ignored_not_an_error(junk):
    request = {"startRow": [junk], "sortModel": junk, "filterModel": junk}
    assert requested(request, COLUMNS) == (0, 100, GridState())
    forged = [{"colId": ["name"], "sort": "asc", "sortIndex": "first", "hide": [], "width": {}}]
    assert state_from_grid(junk, junk, COLUMNS) == GridState()
    assert state_from_grid(forged, {"name": {"filterType": "text", "type": []}}, COLUMNS) == (
        GridState()
    )


def test_a_bad_address_value_falls_back_to_the_default_state():
    param = grid_param("test-grid", COLUMNS)
    assert param.read("{not json") == GridState()
    assert param.read('["a list"]') == GridState()
    assert param.read('{"sort": 5}') == GridState()


def test_a_rows_request_keeps_its_checked_sort_and_filters_and_a_bounded_block():
    start, size, state = requested(
        {
            "startRow": 200,
            "endRow": 10**9,
            "sortModel": [{"colId": "score", "sort": "desc"}, {"colId": "band", "sort": "asc"}],
            "filterModel": {"name": {"filterType": "text", "type": "startsWith", "filter": "A"}},
        },
        COLUMNS,
    )
    assert (start, size) == (200, 100)
    assert state.sort == (SortKey("score", True),)
    assert state.filters == (ColumnFilter("name", "text", (Condition("startsWith", "A"),)),)
    assert requested({"startRow": -5}, COLUMNS)[0] == 0


def test_the_grid_the_column_list_and_the_address_follow_each_other(sqlite_url, use_database):
    use_database(sqlite_url)
    with acting_as("viewer"):
        follow_each_other()


def follow_each_other() -> None:
    grid_id = DataGridAIO.ids.grid("test-grid")
    sorted_state = [{"colId": "score", "sort": "desc", "sortIndex": 0, "width": 100}]
    triggered(grid_id, prop="columnState", value=sorted_state)
    encoded, *_ = keep_in_step(current=sorted_state, model={}, shown=None, encoded="")
    assert json.loads(encoded) == {"sort": [["score", "desc"]]}
    triggered(DataGridAIO.ids.shown("test-grid"), prop="value", value=["name"])
    encoded, grid_state, _, _ = keep_in_step(
        current=sorted_state, model={}, shown=["name"], encoded=encoded
    )
    assert json.loads(encoded)["hide"] == ["score", "applied", "band"]
    assert [c["colId"] for c in grid_state if c["hide"]] == ["score", "applied", "band"]
    triggered(DataGridAIO.ids.state("test-grid"), prop="data", value="")
    kept, grid_state, model, shown = keep_in_step(
        current=None, model=None, shown=None, encoded=""
    )  # Back to the address without a grid state: every column, no sort, no filter
    assert kept is dash.no_update and model == {} and shown == [c.field for c in COLUMNS]
    assert not any(c["hide"] or c["sort"] for c in grid_state)
    triggered(grid_id, prop="columnState", value=sorted_state)
    echoed = '{"sort":[["score","desc"]]}'
    with pytest.raises(dash.exceptions.PreventUpdate):  # the grid echoes what it was given
        keep_in_step(current=sorted_state, model={}, shown=None, encoded=echoed)


def test_a_frame_is_filtered_and_sorted_by_the_same_rules_as_sql():
    import pandas as pd

    from data.grid import filter_frame, sort_frame

    frame = pd.DataFrame(
        {
            "name": ["Ann", "bob", None, "Annette"],
            "score": [5.0, 7.0, 9.0, None],
            "applied": pd.to_datetime(["2026-01-01", "2026-02-01", "2026-03-01", None]),
        }
    )
    ann = ColumnFilter("name", "text", (Condition("startsWith", "ann"),))
    assert filter_frame(frame, [ann])["name"].tolist() == ["Ann", "Annette"]
    not_ann = ColumnFilter("name", "text", (Condition("notContains", "ann"),))
    assert filter_frame(frame, [not_ann])["name"].tolist() == ["bob"]  # blanks never match
    either = ColumnFilter(
        "score", "number", (Condition("lessThan", 6.0), Condition("greaterThan", 8.0)), "OR"
    )
    assert filter_frame(frame, [either])["score"].tolist() == [5.0, 9.0]
    day = ColumnFilter("applied", "date", (Condition("equals", date(2026, 2, 1)),))
    assert filter_frame(frame, [day])["name"].tolist() == ["bob"]
    ordered = sort_frame(frame, [SortKey("score", True)], tie="name")
    assert ordered["score"].tolist()[:3] == [9.0, 7.0, 5.0] and pd.isna(ordered["score"].iloc[3])


def test_columns_at_their_own_widths_leave_the_address_alone():
    columns = [GridColumn("why", "Why", render="lines"), GridColumn("n", "N", "number", width=90)]
    drawn = column_state(GridState(), columns)
    assert [c["width"] for c in drawn] == [280, 90]
    assert state_from_grid(drawn, {}, columns).encode() == ""


@pytest.mark.parametrize(
    "raw",
    [
        "[" * 5000,  # nested past the JSON parser's depth
        '{"filter":{"score":{"filterType":"number","type":"equals","filter":1' + "0" * 400 + "}}}",
        '{"filter":{"applied":{"filterType":"date","type":"lessThan","dateFrom":"9999-12-31"}}}',
        '{"filter":{"applied":{"filterType":"date","type":"equals","dateFrom":"0001-01-01"}}}',
    ],
)
def test_extreme_values_in_an_address_are_dropped_not_an_error(raw):
    assert grid_param("test-grid", COLUMNS).read(raw) == GridState()


def test_a_forged_state_store_or_column_list_changes_nothing(sqlite_url, use_database):
    use_database(sqlite_url)
    with acting_as("viewer"):
        triggered(DataGridAIO.ids.state("test-grid"), prop="data", value=5)
        kept, grid_state, *_ = keep_in_step(current=None, model=None, shown=None, encoded=5)
        assert kept is dash.no_update and not any(c["hide"] for c in grid_state)
        triggered(DataGridAIO.ids.shown("test-grid"), prop="value", value=[["name"], 7])
        made, grid_state, *_ = keep_in_step(current=[], model={}, shown=[["name"], 7], encoded="")
        assert json.loads(made)["hide"] == ["score", "applied", "band"]  # the first column stays

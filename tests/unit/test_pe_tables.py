"""The PE board's tables (#24): every widget table sorts, filters and chooses its columns in
the browser; the address keeps each table's state; the export is the table as it shows."""

import json
from datetime import timedelta

import dash
import pandas as pd
import pytest

import app as beacon  # noqa: F401  (pages register with the app)
from actions.account import save_preference
from auth.access import current_actor
from components.grid_columns import MAX_SMALL_ROWS, GridColumn, TableView, small_grid, small_grid_id
from components.pe_widgets import TABLES
from data.grid import ColumnFilter, Condition, SortKey
from pages import pe_dashboard
from tests.conftest import AS_OF, acting_as
from tests.unit.dash_context import triggered
from widgets.grid import GridState, as_seen_in_grid, keep_in_step, table_view

FILTERS = {"start": (AS_OF - timedelta(days=120)).isoformat(), "end": AS_OF.isoformat()}
COLUMNS = (
    GridColumn("name", "Item"),
    GridColumn("quantity", "Quantity", "number", "number"),
    GridColumn("use", "Peak use", "number", "percent"),
)
ITEMS = pd.DataFrame(
    {
        "name": ["Cones", "Bibs", "Hoops", "Mats"],
        "quantity": [30, 12, 8, 4],
        "use": [0.9, 0.25, 0.5, 0.1],
    }
)


def found(node, kind):
    """Every component of a type in a tree, depth first."""
    out = [node] if isinstance(node, kind) else []
    children = getattr(node, "children", None)
    for child in children if isinstance(children, list | tuple) else [children]:
        if child is not None and not isinstance(child, str | int | float):
            out += found(child, kind)
    return out


def test_the_address_keeps_only_known_tables_columns_and_operators():
    raw = json.dumps(
        {
            "equipment": {"sort": [["quantity", "desc"], ["nowhere", "asc"]], "hide": ["use"]},
            "safety_risk": {"filter": {"band": {"filterType": "text", "type": "contains"}}},
            "attendance": {"sort": [["day", "asc"]]},  # a widget without a table
            "nowhere": {"sort": [["name", "asc"]]},
        }
    )
    tables = pe_dashboard.read_tables(raw)
    assert list(tables) == ["equipment"]  # the risk band is not filterable: nothing kept
    assert tables["equipment"] == GridState(sort=(SortKey("quantity", True),), hidden=("use",))
    again = pe_dashboard.read_tables(pe_dashboard.encode_tables(tables))
    assert again == tables
    for forged in ("[1, 2]", '"text"', "5", "", None, {"equipment": 1}):
        assert pe_dashboard.kept_tables(forged) == {}
    assert pe_dashboard.kept_tables("{not json") == {}
    with pytest.raises(ValueError):
        pe_dashboard.read_tables("{not json")  # the address's parser: its default instead
    assert pe_dashboard.SPEC.state({"tables": "{not json"})["tables"] == {}


def test_a_table_filters_sorts_and_hides_as_its_grid_and_its_export_says():
    state = GridState(
        sort=(SortKey("quantity", False),),
        # "Peak use" shows percents: 50 is what a person types for half
        filters=(ColumnFilter("use", "number", (Condition("greaterThanOrEqual", 25.0),)),),
        hidden=("use",),
    )
    shown = as_seen_in_grid(ITEMS, state, COLUMNS)
    assert list(shown.columns) == ["Item", "Quantity"]
    assert shown["Item"].tolist() == ["Hoops", "Bibs", "Cones"]


def test_a_kept_table_carries_its_state_filters_and_chooser_and_pages():
    pe_dashboard.grid_columns("test-small", COLUMNS)
    state = GridState(sort=(SortKey("name", True),), hidden=("use",))
    made = small_grid(ITEMS, COLUMNS, page_size=2, view=table_view("test-small", state))
    grids = [c for c in found(made, object) if type(c).__name__ == "AgGrid"]
    assert len(grids) == 1
    grid = grids[0]
    assert grid.id == small_grid_id("test-small", "grid")
    assert {c["colId"]: c["hide"] for c in grid.columnState} == {
        "name": False,
        "quantity": False,
        "use": True,
    }
    assert all("width" not in c for c in grid.columnState)  # the card's width decides
    assert [c["filter"] for c in grid.columnDefs] == [
        "agTextColumnFilter",
        "agNumberColumnFilter",
        "agNumberColumnFilter",
    ]
    assert grid.dashGridOptions["paginationPageSize"] == 2
    assert [r["use"] for r in grid.rowData] == pytest.approx([90.0, 25.0, 50.0, 10.0])
    stores = [
        c
        for c in found(made, object)
        if getattr(c, "id", None) == small_grid_id("test-small", "state")
    ]
    assert stores[0].data == state.encode()
    # Without a view: sorted by a header click, no filters, no id to keep.
    plain = [c for c in found(small_grid(ITEMS, COLUMNS), object) if type(c).__name__ == "AgGrid"]
    assert not any(c["filter"] for c in plain[0].columnDefs)
    assert "pagination" not in plain[0].dashGridOptions


def test_a_table_holds_at_most_its_cap_and_says_so():
    many = pd.DataFrame({"name": [f"Item {i}" for i in range(MAX_SMALL_ROWS + 7)]})
    made = small_grid(many, COLUMNS[:1], page_size=10, view=TableView("x"))
    grid = [c for c in found(made, object) if type(c).__name__ == "AgGrid"][0]
    assert len(grid.rowData) == MAX_SMALL_ROWS
    notes = [
        c.children for c in found(made, object) if "widget-note" in str(getattr(c, "className", ""))
    ]
    assert notes == [
        f"The table holds the first {MAX_SMALL_ROWS} of {MAX_SMALL_ROWS + 7:,} rows; its "
        "export has them all. Narrow the board's filters to see the rest here."
    ]


def test_the_count_says_row_for_one_row_and_rows_for_more():
    def count(frame: pd.DataFrame) -> str:
        made = small_grid(frame, COLUMNS[:1], view=TableView("x"))
        return next(c.children for c in found(made, object) if getattr(c, "role", None) == "status")

    assert count(pd.DataFrame({"name": ["Ball"]})) == "1 row"
    assert count(pd.DataFrame({"name": ["Ball", "Mat"]})) == "2 rows"


def test_a_small_grids_widths_never_go_into_the_address(sqlite_url, use_database):
    use_database(sqlite_url)
    pe_dashboard.grid_columns("test-small", COLUMNS)
    resized = [
        {"colId": "name", "width": 143.5, "hide": False, "sort": "asc", "sortIndex": 0},
        {"colId": "quantity", "width": 97, "hide": False, "sort": None},
        {"colId": "use", "width": 88, "hide": True, "sort": None},
    ]
    triggered(small_grid_id("test-small", "grid"), "columnState", resized)
    with acting_as("viewer"):
        encoded, _, _, shown = keep_in_step(current=resized, model={}, shown=None, encoded="")
    assert json.loads(encoded) == {"sort": [["name", "asc"]], "hide": ["use"]}
    assert shown == ["name", "quantity"]
    # The chooser: its grid hides the columns in the browser; the state follows at once.
    triggered(small_grid_id("test-small", "shown"), "value", ["name"])
    with acting_as("viewer"):
        made, shape, model, _ = keep_in_step(
            current=resized, model={}, shown=["name"], encoded=encoded
        )
    assert json.loads(made)["hide"] == ["quantity", "use"]
    assert shape is dash.no_update and model is dash.no_update


def test_the_address_and_the_tables_follow_each_other(seeded_engine):
    grids = [pe_dashboard.table_grid(w) for w in ("safety_risk", "equipment")]
    outputs = [[{"id": small_grid_id(g, "state")} for g in grids]]
    with acting_as("analyst"):
        sorted_state = '{"sort":[["incidents","desc"]]}'
        triggered(
            small_grid_id(grids[0], "state"), "data", sorted_state, outputs_list=[{}, *outputs]
        )
        address, states = pe_dashboard.keep_tables("", [sorted_state, ""])
        assert json.loads(address) == {"safety_risk": {"sort": [["incidents", "desc"]]}}
        assert states == [dash.no_update, dash.no_update]
        # Back to an address naming the equipment table only: each table follows it.
        back = '{"equipment":{"hide":["use"]}}'
        triggered(pe_dashboard.ids.tables, "data", back, outputs_list=[{}, *outputs])
        kept, states = pe_dashboard.keep_tables(back, [sorted_state, ""])
        assert kept is dash.no_update and states == ["", '{"hide":["use"]}']
        with pytest.raises(dash.exceptions.PreventUpdate):  # already as the address says
            pe_dashboard.keep_tables(back, states)
        triggered(small_grid_id(grids[0], "state"), "data", "", outputs_list=[{}, *outputs])
        for forged in ("not a list", [sorted_state]):  # a state per table, or nothing
            with pytest.raises(dash.exceptions.PreventUpdate):
                pe_dashboard.keep_tables(back, forged)


def test_the_export_of_a_widget_table_is_the_table_as_the_address_keeps_it(seeded_engine):
    with acting_as("analyst"):
        save_preference(
            actor=current_actor(),
            name=pe_dashboard.PREFERENCE,
            value={
                "widgets": [{"widget": "equipment_actions", "size": "medium", "options": {}}],
                "filters": FILTERS,
            },
        )
        rows = pe_dashboard.widget_rows("equipment_actions")
        everything = rows({"tables": {}})
        school = everything["School"].iloc[0]
        state = GridState(
            sort=(SortKey("amount", True),),
            filters=(ColumnFilter("school_name", "text", (Condition("equals", school),)),),
            hidden=("reason",),
        )
        narrowed = rows({"tables": {"equipment_actions": state}})
    assert list(everything.columns) == [c.header for c in TABLES["equipment_actions"].columns]
    assert list(narrowed.columns) == ["Action", "Items", "Item", "School"]
    assert set(narrowed["School"]) == {school} and 0 < len(narrowed) < len(everything)
    assert narrowed["Items"].tolist() == sorted(narrowed["Items"], reverse=True)


def test_the_board_reads_the_incident_log_whole_and_pages_it_in_its_table(seeded_engine):
    with acting_as("analyst"):
        body = pe_dashboard._drawn(
            current_actor(),
            "incident_log",
            FILTERS,
            "light",
            {"page": 3},  # a page saved before the log became one table
            tables={},
        )
    grid = [c for c in found(body, object) if type(c).__name__ == "AgGrid"][0]
    note = found(body, object)[1].children
    total = int(note.split(" incidents")[0].replace(",", "").split()[-1])
    assert len(grid.rowData) == min(total, MAX_SMALL_ROWS) and total > 10
    assert grid.dashGridOptions["paginationPageSize"] == 10
    days = [r["occurred_on"] for r in grid.rowData]
    assert days == sorted(days, reverse=True)  # newest first


def test_a_board_whose_dates_were_never_changed_exports_the_days_it_shows(seeded_engine):
    """A board never filtered keeps no dates; it shows the newest days with data, and its
    exports (and report) must read those days, not refuse for want of a range."""
    with acting_as("analyst"):
        save_preference(
            actor=current_actor(),
            name=pe_dashboard.PREFERENCE,
            value={"widgets": [{"widget": "safety_risk", "size": "medium", "options": {}}]},
        )
        exported = pe_dashboard.widget_rows("safety_risk")({"tables": {}})
    assert len(exported) > 0 and "Class" in exported

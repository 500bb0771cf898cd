"""The PE dashboard in a real Chromium: add, move and remove widgets, reload, theme, filters."""

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

import app as beacon
from tests.browser.conftest import by_id, choose, click, sign_in, url
from widgets.explain import ExplainAIO


@pytest.fixture
def started(dash_duo, seeded_engine):
    dash_duo.start_server(beacon.app, navigate=False)
    return dash_duo


def board(dash_duo) -> list[str]:
    """The widgets in page order, read in one step (the grid may be re-rendering)."""
    return dash_duo.driver.execute_script(
        "return [...document.querySelectorAll('[data-widget]')].map(e => e.dataset.widget);"
    )


def size_of(dash_duo, widget: str) -> str | None:
    return dash_duo.driver.execute_script(
        "const e = document.querySelector(`[data-widget='${arguments[0]}']`);"
        "return e && e.dataset.size;",
        widget,
    )


def wait_for_board(dash_duo, expected, timeout=20):
    WebDriverWait(dash_duo.driver, timeout).until(lambda _d: board(dash_duo) == expected)


@pytest.mark.embedded_too
def test_a_user_arranges_widgets_and_finds_the_layout_kept(started):
    sign_in(started, "analyst")
    started.driver.get(url(started, "/pe"))
    started.wait_for_element("[data-widget] .js-plotly-plot", timeout=30)
    first = board(started)
    assert first[0] == "attendance" and "team_suggestions" not in first

    # Add: the gallery searches title, description and category.
    click(started, "#pe-open-gallery")
    started.wait_for_element("#pe-search").send_keys("balanced teams")
    WebDriverWait(started.driver, 10).until(
        lambda _d: len(started.find_elements("#pe-gallery-list .gallery-item")) == 1
    )
    click(started, {"type": "pe-add", "widget": "team_suggestions"})
    wait_for_board(started, [*first, "team_suggestions"])
    started.find_element(".offcanvas .btn-close").click()

    # Move it up one place, make it large, remove attendance.
    click(started, {"type": "pe-up", "widget": "team_suggestions"})
    moved = [*first[:-1], "team_suggestions", first[-1]]
    wait_for_board(started, moved)
    size = started.driver.execute_script(
        "return document.getElementById(arguments[0]);",
        '{"type":"pe-size","widget":"team_suggestions"}',
    )
    Select(size).select_by_value("large")
    WebDriverWait(started.driver, 10).until(
        lambda _d: size_of(started, "team_suggestions") == "large"
    )
    click(started, {"type": "pe-remove", "widget": "attendance"})
    kept = [w for w in moved if w != "attendance"]
    wait_for_board(started, kept)

    # The team widget asks for a class until one is chosen in the dashboard filters.
    started.wait_for_contains_text('[data-widget="team_suggestions"]', "Pick a class", timeout=20)
    choose(started, "#pe-class", index=0)
    started.wait_for_contains_text(
        '[data-widget="team_suggestions"]', "Team means differ by at most", timeout=20
    )
    # "Explain this view" narrates the board as filtered now: one class.
    click(started, ExplainAIO.ids.button("pe-dashboard"))
    started.wait_for_contains_text(".insight-card", "Classes in view: 1", timeout=20)

    started.driver.refresh()
    started.wait_for_element("[data-widget]", timeout=20)
    assert board(started) == kept
    assert size_of(started, "team_suggestions") == "large"
    # The filters are remembered too, and the widgets follow them.
    started.wait_for_contains_text(
        '[data-widget="team_suggestions"]', "Team means differ by at most", timeout=20
    )

    # The theme changes the whole page and the widgets' charts.
    Select(started.find_element("#shell-theme-picker")).select_by_value("colourful")
    started.wait_for_element('html[data-beacon-theme="colourful"]', timeout=10)
    body = started.driver.find_element(By.TAG_NAME, "body")
    assert body.value_of_css_property("background-color") == "rgba(255, 247, 237, 1)"
    assert [e for e in started.get_logs() or [] if e.get("level") == "SEVERE"] == []


def test_a_viewer_sees_only_the_widgets_for_their_role(started):
    sign_in(started, "viewer")
    started.driver.get(url(started, "/pe"))
    started.wait_for_element("[data-widget]", timeout=20)
    click(started, "#pe-open-gallery")
    started.wait_for_element("#pe-gallery-list .gallery-item")
    text = started.find_element("#pe-gallery-list").get_attribute("textContent")
    assert "Skill gaps" in text and "Incident log" not in text and "Team suggestions" not in text


def test_the_board_is_arranged_with_the_keyboard_alone_and_keeps_the_focus(started):
    """No click after signing in: the gallery, an add, two moves and a removal by Tab and
    Enter. The board is drawn anew after each change; the focus stays on the control used
    (so Enter again moves the widget again) or, once that is gone, goes to the search (an
    add) or to the widget that took the removed one's place."""
    from selenium.webdriver.common.keys import Keys

    from tests.browser.conftest import dict_id
    from tests.browser.test_accessibility import BUSY
    from tests.browser.test_schedules import focused, press, tab_to

    sign_in(started, "analyst")
    started.driver.get(url(started, "/pe"))
    started.wait_for_element("[data-widget] .js-plotly-plot", timeout=30)
    first = board(started)
    assert first[0] == "attendance"
    press(started, Keys.TAB)
    assert focused(started) == "skip-link"
    press(started, Keys.ENTER)

    tab_to(started, "pe-open-gallery", most=40)
    press(started, Keys.ENTER)
    # The panel takes the focus once it is open (a Tab pressed before that moves on in the
    # page, and the panel would hand the focus back there when it closes).
    WebDriverWait(started.driver, 10).until(lambda _d: focused(started) == "pe-gallery")
    tab_to(started, "pe-search")
    press(started, "balanced teams")
    WebDriverWait(started.driver, 10).until(
        lambda _d: len(started.find_elements("#pe-gallery-list .gallery-item")) == 1
    )
    tab_to(started, dict_id({"type": "pe-add", "widget": "team_suggestions"}))
    press(started, Keys.ENTER)
    wait_for_board(started, [*first, "team_suggestions"])
    # Its "Add" button is now a disabled "Added": the search takes the focus.
    WebDriverWait(started.driver, 10).until(lambda _d: focused(started) == "pe-search")
    # Escape closes the gallery and the focus goes back to the button that opened it. The
    # panel leaves the page a moment before the focus moves (its close transition ends,
    # then the focus is restored), so both are waited for together.
    # Escape is pressed once the add's answers are all in: pressed while the gallery was
    # still being redrawn, it was lost with the old panel (one CI run in several).
    WebDriverWait(started.driver, 20).until(lambda _d: not started.driver.execute_script(BUSY))
    press(started, Keys.ESCAPE)
    WebDriverWait(started.driver, 10).until(
        lambda _d: not started.find_elements("#pe-search") and focused(started) == "pe-open-gallery"
    )

    later = dict_id({"type": "pe-down", "widget": "attendance"})
    tab_to(started, later, most=40)
    press(started, Keys.ENTER)
    wait_for_board(started, [first[1], "attendance", *first[2:], "team_suggestions"])
    WebDriverWait(started.driver, 10).until(lambda _d: focused(started) == later)
    press(started, Keys.ENTER)
    moved = [first[1], first[2], "attendance", *first[3:], "team_suggestions"]
    wait_for_board(started, moved)

    tab_to(started, dict_id({"type": "pe-remove", "widget": "attendance"}), most=5)
    press(started, Keys.ENTER)
    wait_for_board(started, [w for w in moved if w != "attendance"])
    # The widget that took its place takes the focus, on its own "Remove".
    in_its_place = dict_id({"type": "pe-remove", "widget": moved[3]})
    WebDriverWait(started.driver, 10).until(lambda _d: focused(started) == in_its_place)
    started.driver.refresh()
    started.wait_for_element("[data-widget]", timeout=20)
    assert board(started) == [w for w in moved if w != "attendance"]


def table_rows(dash_duo, widget: str, column: str) -> list[str]:
    """A widget table's column, its rows top to bottom as drawn (this grid page)."""
    return dash_duo.driver.execute_script(
        """const rows = [...document.querySelectorAll(
            `[data-widget='${arguments[0]}'] .ag-center-cols-container .ag-row`)];
        rows.sort((a, b) => a.getAttribute('row-index') - b.getAttribute('row-index'));
        const cell = (r) => r.querySelector(`[col-id="${arguments[1]}"]`) || {};
        return rows.map((r) => cell(r).textContent);""",
        widget,
        column,
    )


def test_a_widget_table_sorts_filters_and_hides_into_the_address_and_its_export(started, tmp_path):
    """#24: a PE table is an analyst's grid: its sort, filter and columns go into the address
    (a reload keeps them) and into the widget's export."""
    import csv
    from urllib.parse import unquote_plus as unquote

    from components.grid_columns import small_grid_id
    from tests.browser.test_grid import downloaded

    driver = started.driver
    driver.execute_cdp_cmd(
        "Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(tmp_path)}
    )
    sign_in(started, "analyst")
    driver.get(url(started, "/pe"))
    table = "[data-widget='equipment_actions']"
    count = by_id(small_grid_id("pe-table-equipment_actions", "rows"))
    WebDriverWait(driver, 30).until(lambda _d: started.find_element(count).text.endswith("rows"))
    everyone = started.find_element(count).text
    header = f"{table} .ag-header-cell[col-id=amount] .ag-header-cell-label"
    click(started, header)
    click(started, header)  # the second click: most first
    WebDriverWait(driver, 15).until(lambda d: '["amount","desc"]' in unquote(d.current_url))
    school = table_rows(started, "equipment_actions", "school_name")[0]
    click(started, f"{table} .ag-header-cell[col-id=school_name] .ag-header-cell-filter-button")
    started.wait_for_element(".ag-filter input.ag-input-field-input").send_keys(school)
    WebDriverWait(driver, 15).until(lambda d: school in unquote(d.current_url))
    WebDriverWait(driver, 15).until(
        lambda _d: set(table_rows(started, "equipment_actions", "school_name")) == {school}
    )
    shown = len(table_rows(started, "equipment_actions", "school_name"))  # one grid page
    WebDriverWait(driver, 15).until(lambda _d: "match" in started.find_element(count).text)
    narrowed = started.find_element(count).text
    assert int(narrowed.split()[0]) >= shown > 0
    click(started, "#shell-title")  # close the filter
    click(started, f"{table} .grid-columns summary")
    click(
        started,
        f"{by_id(small_grid_id('pe-table-equipment_actions', 'shown'))} input[value=reason]",
    )
    WebDriverWait(driver, 15).until(lambda d: '"hide":["reason"]' in unquote(d.current_url))
    assert set(table_rows(started, "equipment_actions", "school_name")) == {school}
    items = [int(n) for n in table_rows(started, "equipment_actions", "amount")]
    assert items == sorted(items, reverse=True)

    export = {"type": "view-export", "view": "pe-dashboard", "part": "equipment_actions"}
    click(started, export | {"fmt": "csv"})
    with downloaded(tmp_path).open(newline="") as handle:
        exported = list(csv.DictReader(handle))
    assert narrowed == f"{len(exported)} of {everyone.split()[0]} rows match"
    assert {row["School"] for row in exported} == {school} and "Why" not in exported[0]
    exported_items = [int(row["Items"]) for row in exported]
    assert exported_items == sorted(exported_items, reverse=True)
    assert exported_items[: len(items)] == items  # the grid's first page, in its order

    driver.refresh()  # the address keeps the table as it was
    WebDriverWait(driver, 30).until(lambda _d: started.find_element(count).text == narrowed)
    headers = [h.text for h in driver.find_elements(By.CSS_SELECTOR, f"{table} .ag-header-cell")]
    assert "Items" in headers and "Why" not in headers

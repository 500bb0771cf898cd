"""The risk overview in Chromium: filters narrow the grid and live in the URL (Back steps
through them), with the grid's sort."""

from urllib.parse import quote

import pytest
from selenium.common.exceptions import TimeoutException
from selenium.webdriver.support.ui import WebDriverWait
from sqlalchemy import select

import app as beacon
from data.engine import connect
from data.models import AuditEntry
from tests.browser.conftest import (
    GRID_COUNT,
    GRID_ROWS,
    choose,
    click,
    grid_column,
    sign_in,
    url,
)
from tests.conftest import nothing_open
from widgets.explain import ExplainAIO


@pytest.fixture
def scored(scored_url, seeded_engine):
    return scored_url


BY_NAME = "grid=" + quote('{"sort":[["name","asc"]]}')


def shown_bands(dash_duo) -> set[str]:
    return {band.strip().lower() for band in grid_column(dash_duo, "band")}


def bands_become(dash_duo, bands: set[str]) -> None:
    WebDriverWait(dash_duo.driver, 20).until(
        lambda _d: grid_column(dash_duo, "band") and shown_bands(dash_duo) == bands
    )


def test_filters_narrow_the_table_and_are_kept_in_the_address(dash_duo, scored):
    dash_duo.start_server(beacon.app, navigate=False)
    sign_in(dash_duo, "analyst")
    dash_duo.driver.get(url(dash_duo, f"/tutor-risk?band=low&{BY_NAME}"))
    bands_become(dash_duo, {"low"})
    names = grid_column(dash_duo, "name")
    assert names == sorted(names)
    # Nothing sticks out sideways (a dropdown's hidden focus input once did, near the edge).
    wide, seen = dash_duo.driver.execute_script(
        "return [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert wide <= seen
    # Change a filter; the table and, independently, the address follow.
    choose(dash_duo, "#risk-band", value="Medium")
    bands_become(dash_duo, {"medium"})
    WebDriverWait(dash_duo.driver, 20).until(lambda d: "band=medium" in d.current_url)
    dash_duo.driver.refresh()
    dash_duo.wait_for_contains_text(GRID_COUNT, "tutors match", timeout=20)
    bands_become(dash_duo, {"medium"})
    # Another filter change, then Back steps through them: filters and table follow.
    choose(dash_duo, "#risk-tenure", value="Over 2 years")
    WebDriverWait(dash_duo.driver, 20).until(lambda d: "tenure=long" in d.current_url)
    dash_duo.driver.back()
    WebDriverWait(dash_duo.driver, 20).until(lambda d: "tenure" not in d.current_url)
    dash_duo.wait_for_text_to_equal("#risk-tenure-value", "Any tenure", timeout=20)
    dash_duo.driver.back()
    WebDriverWait(dash_duo.driver, 20).until(lambda d: "band=low" in d.current_url)
    dash_duo.wait_for_text_to_equal("#risk-band-value", "Low", timeout=20)
    bands_become(dash_duo, {"low"})
    # "Explain this view" narrates the band cards on screen.
    click(dash_duo, ExplainAIO.ids.button("tutor-risk"))
    dash_duo.wait_for_contains_text(".insight-card", "Tutor risk overview right now", timeout=20)
    cards = dash_duo.find_element("#risk-kpis").get_attribute("textContent")
    low = dash_duo.driver.execute_script(
        "return document.querySelector('.insight-card .insight-text').textContent"
    )
    assert low.split("Low risk: ")[1].split(" ")[0] in cards
    assert not [e for e in dash_duo.get_logs() or [] if e.get("level") == "SEVERE"]


LEGEND = """return Array.from(document.querySelectorAll(
    `#${arguments[0]} .legend .traces .legendtext`)).map(t => t.textContent)"""
TABLE_ROWS = """return Array.from(document.querySelectorAll(
    `#${arguments[0]} details.chart-data[open] .chart-data-table tbody tr`))
    .map(r => Array.from(r.children).map(c => c.textContent))"""


def test_a_charts_table_is_drawn_when_opened_and_legends_read_low_to_critical(dash_duo, scored):
    """The data table under a chart is drawn when opened (assets/chart_table.js), and drawn
    again when a new answer changes it while it is open. The two charts' legends read the
    bands low to critical."""
    dash_duo.start_server(beacon.app, navigate=False)
    sign_in(dash_duo, "analyst")
    dash_duo.driver.get(url(dash_duo, "/tutor-risk"))
    chart = "risk-distribution"
    dash_duo.wait_for_element(f"#{chart} .js-plotly-plot .legend", timeout=20)
    dash_duo.wait_for_element("#risk-history .js-plotly-plot .legend", timeout=20)
    order = ["low", "medium", "high", "critical"]
    for legend in (chart, "risk-history"):
        names = dash_duo.driver.execute_script(LEGEND, legend)
        assert names and names == [b for b in order if b in names], (legend, names)
    closed = dash_duo.find_element(f"#{chart} .chart-data-table")
    assert closed.get_attribute("innerHTML") == ""  # nothing drawn until it is opened
    click(dash_duo, f"#{chart} details.chart-data summary")
    WebDriverWait(dash_duo.driver, 10).until(lambda d: d.execute_script(TABLE_ROWS, chart))
    header = dash_duo.find_element(f"#{chart} .chart-data-table thead").text
    assert "low" in header.lower()
    every_band = dash_duo.driver.execute_script(TABLE_ROWS, chart)
    assert all(row[0].strip() for row in every_band)
    # A callback's new answer changes the box's data-table while the table is open (as
    # React patches the attribute): the table shows the new rows.
    dash_duo.driver.execute_script(
        "const box = document.querySelector(`#${arguments[0]} .chart-data-table`);"
        "box.dataset.table = box.dataset.table.replace("
        "'</tbody>', '<tr><th scope=\"row\">new row</th></tr></tbody>');",
        chart,
    )
    WebDriverWait(dash_duo.driver, 10).until(
        lambda d: d.execute_script(TABLE_ROWS, chart) == [*every_band, ["new row"]]
    )
    assert not [e for e in dash_duo.get_logs() or [] if e.get("level") == "SEVERE"]


@pytest.mark.embedded_too
def test_open_a_profile_add_a_note_and_finish_an_intervention(dash_duo, scored):
    from selenium.webdriver.support.ui import Select

    dash_duo.start_server(beacon.app, navigate=False)
    sign_in(dash_duo, "manager", regions=(1,))
    dash_duo.driver.get(url(dash_duo, "/tutor-risk"))
    dash_duo.wait_for_contains_text(GRID_COUNT, "tutors match", timeout=20)
    link = dash_duo.wait_for_element(f"{GRID_ROWS} [col-id=name] a", timeout=20)
    name = link.text
    # Other tests on this database may have left an intervention of its kind open.
    nothing_open(int(link.get_attribute("href").rsplit("id=", 1)[1]))
    click(dash_duo, f"{GRID_ROWS} [col-id=name] a")
    dash_duo.wait_for_text_to_equal("#shell-title", "Tutor profile", timeout=20)
    dash_duo.wait_for_contains_text(".content h2", name, timeout=20)

    dash_duo.find_element("#profile-note-text").send_keys("Talked about a lighter rota.")
    click(dash_duo, "#profile-note-save")
    dash_duo.wait_for_contains_text("#profile-notes", "Talked about a lighter rota.", timeout=20)

    click(dash_duo, "button[id*='profile-plan']")
    dash_duo.wait_for_contains_text("#profile-interventions", "Planned", timeout=20)
    choose(dash_duo, "#profile-intervention-pick", index=0)
    Select(dash_duo.find_element("#profile-intervention-status")).select_by_value("done")
    dash_duo.find_element("#profile-intervention-outcome").send_keys("Rota changed; back on track.")
    click(dash_duo, "#profile-intervention-save")
    dash_duo.wait_for_contains_text("#profile-intervention-result", "Now done", timeout=20)
    dash_duo.wait_for_contains_text(
        "#profile-timeline", "done: Rota changed; back on track.", timeout=20
    )
    dash_duo.wait_for_contains_text("#profile-interventions", "Done", timeout=20)
    assert not [e for e in dash_duo.get_logs() or [] if e.get("level") == "SEVERE"]

    # A viewer reads the note, with no Edit or Delete, and reading it is no denied request.
    profile = dash_duo.driver.current_url
    dash_duo.driver.delete_all_cookies()
    viewer = sign_in(dash_duo, "viewer")
    dash_duo.driver.get(profile)
    dash_duo.wait_for_contains_text("#profile-notes", "Talked about a lighter rota.", timeout=20)
    dash_duo.wait_for_contains_text("#profile-timeline", "Note by", timeout=20)

    def denied() -> list:  # type: ignore[type-arg]
        with connect() as conn:
            return conn.execute(
                select(AuditEntry.detail).where(
                    AuditEntry.user_id == viewer.id, AuditEntry.action == "access.denied"
                )
            ).all()

    # The buttons' callbacks went out as the notes were drawn: give them time to land.
    with pytest.raises(TimeoutException):
        WebDriverWait(dash_duo.driver, 3).until(lambda _d: denied())
    assert not dash_duo.driver.find_elements("css selector", "#profile-notes button")

"""The portfolio's data grid in Chromium (#24): a header click sorts and a column filter
narrows on the server; both, and the columns chosen, go into the address, a share link and
an export."""

import csv
import time
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

import app as beacon
from tests.browser.conftest import GRID_COUNT, by_id, click, grid_column, sign_in, url
from widgets.grid import DataGridAIO

EXPORT_CSV = {"type": "view-export", "view": "credit-portfolio", "part": "customers", "fmt": "csv"}


@pytest.fixture
def started(dash_duo, credit_scored):
    dash_duo.start_server(beacon.app, navigate=False)
    return dash_duo


def first_rows(dash_duo, column: str) -> list[str]:
    return grid_column(dash_duo, column)[:5]


def count(dash_duo) -> str:
    return dash_duo.find_element(GRID_COUNT).text


def downloaded(folder: Path, timeout: float = 30) -> Path:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        done = [p for p in folder.glob("*.csv") if p.stat().st_size]
        if done:
            return done[0]
        time.sleep(0.2)
    raise AssertionError("no CSV arrived")


# On PostgreSQL, the production database, only: the grid's SQL is tested on both backends in
# tests/unit/test_credit_pages.py, and this walk costs 8 s a backend.
@pytest.mark.db
@pytest.mark.parametrize("seeded_template", ["postgresql"], indirect=True)
def test_grid_sort_filter_and_columns_go_into_the_address_a_share_link_and_an_export(
    started, tmp_path
):
    driver = started.driver
    driver.execute_cdp_cmd(
        "Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(tmp_path)}
    )
    sign_in(started, "analyst")
    driver.get(url(started, "/credit"))
    WebDriverWait(driver, 30).until(lambda d: "match" in count(started))
    everyone = count(started)
    # A number's header keeps its filter button at its right edge, after its name, as the
    # other columns do: on the left it read as a column of its own (a manager's walk).
    cell = driver.find_element(By.CSS_SELECTOR, '.ag-header-cell[col-id="score"]')
    assert "ag-right-aligned-header" in cell.get_attribute("class")
    name, button = (
        cell.find_element(By.CSS_SELECTOR, selector).rect
        for selector in (".ag-header-cell-text", ".ag-header-cell-filter-button")
    )
    assert button["x"] >= name["x"] + name["width"]
    header = '.ag-header-cell[col-id="score"] .ag-header-cell-label'
    click(started, header)
    click(started, header)  # the second click: highest first
    WebDriverWait(driver, 15).until(lambda d: "desc" in d.current_url)
    click(started, '.ag-header-cell[col-id="region"] .ag-header-cell-filter-button')
    started.wait_for_element(".ag-filter input.ag-input-field-input").send_keys("North")
    WebDriverWait(driver, 15).until(lambda d: "North" in d.current_url)
    WebDriverWait(driver, 15).until(lambda d: count(started) != everyone)
    click(started, "#shell-title")  # close the filter
    click(started, ".grid-columns summary")
    click(started, f"{by_id(DataGridAIO.ids.shown('credit-customers'))} input[value=applications]")
    WebDriverWait(driver, 15).until(lambda d: "applications" in d.current_url)
    WebDriverWait(driver, 15).until(lambda d: set(first_rows(started, "region")) == {"North"})
    names, scores = first_rows(started, "name"), first_rows(started, "score")
    assert [int(s) for s in scores] == sorted((int(s) for s in scores), reverse=True)
    narrowed = count(started)

    click(started, EXPORT_CSV)
    with downloaded(tmp_path).open(newline="") as handle:
        exported = list(csv.DictReader(handle))
    assert f"{len(exported):,} customers match" == narrowed
    assert [row["Customer"] for row in exported[:5]] == names
    assert {row["Region"] for row in exported} == {"North"} and "Applications" not in exported[0]

    click(started, {"type": "view-share", "view": "credit-portfolio"})
    field = started.wait_for_element("#view-link-address", timeout=30)
    WebDriverWait(driver, 20).until(lambda _d: field.get_attribute("value"))
    shared = field.get_attribute("value")
    driver.get(url(started, "/credit"))  # elsewhere, then the link
    WebDriverWait(driver, 30).until(lambda d: count(started) == everyone)
    driver.get(shared)
    WebDriverWait(driver, 30).until(lambda d: count(started) == narrowed)
    WebDriverWait(driver, 15).until(lambda d: first_rows(started, "name") == names)
    headers = [h.text for h in driver.find_elements(By.CSS_SELECTOR, ".ag-header-cell-text")]
    assert "Applications" not in headers and "Score" in headers
    assert not [e for e in started.get_logs() or [] if e.get("level") == "SEVERE"]

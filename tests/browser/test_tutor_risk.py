"""The risk overview in Chromium: filters narrow the table and live in the URL; paging."""

import pytest

import app as beacon
from jobs import tutor_risk as job
from tests.browser.conftest import sign_in, url
from tests.conftest import pointed_at


@pytest.fixture
def scored(seeded_url, seeded_engine):
    with pointed_at(seeded_url):
        job.run(weeks=2)


def test_filters_narrow_the_table_and_are_kept_in_the_address(dash_duo, scored):
    dash_duo.start_server(beacon.app, navigate=False)
    sign_in(dash_duo, "analyst")
    dash_duo.driver.get(url(dash_duo, "/tutor-risk?band=low&sort=name"))
    dash_duo.wait_for_element(".data-table", timeout=20)
    bands = {b.text.lower() for b in dash_duo.find_elements(".data-table .band-badge")}
    assert bands == {"low"}
    names = [row.text for row in dash_duo.find_elements(".data-table tbody tr td:first-child")]
    assert names == sorted(names)
    # Change a filter with the keyboard; the address follows.
    dash_duo.select_dcc_dropdown("#risk-band", value="Medium")
    dash_duo.wait_for_text_to_equal(".data-table .band-badge", "Medium", timeout=20)
    assert "band=medium" in dash_duo.driver.current_url
    dash_duo.driver.refresh()
    dash_duo.wait_for_element(".data-table .band-badge", timeout=20)
    assert {b.text.lower() for b in dash_duo.find_elements(".data-table .band-badge")} == {"medium"}
    assert not [e for e in dash_duo.get_logs() or [] if e.get("level") == "SEVERE"]

"""Pages in a real Chromium: they render, show database numbers, switch theme, fail politely."""

import dash
import pytest
from selenium.webdriver.common.by import By

import app as beacon
from pages import home


def severe_console_errors(dash_duo) -> list[dict]:
    return [entry for entry in dash_duo.get_logs() or [] if entry.get("level") == "SEVERE"]


@pytest.fixture
def started(dash_duo, seeded_engine):
    dash_duo.start_server(beacon.app)
    return dash_duo


def test_every_page_renders_without_console_errors(started):
    paths = [p["relative_path"] for p in dash.page_registry.values() if p.get("nav", True)]
    assert paths, "no pages registered"
    for path in [*paths, "/no-such-page"]:
        started.driver.get(started.server_url + path)
        started.wait_for_element("#shell-title", timeout=10)
        if path == "/no-such-page":
            started.wait_for_text_to_equal("#shell-title", "Page not found", timeout=10)
            started.wait_for_contains_text(".not-found", "This page does not exist")
        else:
            started.wait_for_element(".kpi-value", timeout=20)
        assert severe_console_errors(started) == [], path


def test_home_shows_every_area_with_kpis_and_charts(started):
    started.wait_for_element(".kpi-value", timeout=20)
    started.wait_for_text_to_equal("#shell-title", "Home")
    started.wait_for_contains_text("#shell-data-as-of", "Data as of 2026-06-1")
    cards, _ = home.fill_section("tutoring", "light")
    expected = cards[0].children.children.children[1].children
    started.wait_for_text_to_equal(".kpi-value", expected, timeout=20)
    for area in home.SECTIONS:
        section = started.find_element(f'section[aria-label="{home.SECTIONS[area][0]}"]')
        started.wait_for_element(".js-plotly-plot", timeout=20)
        assert section.find_elements(By.CSS_SELECTOR, ".kpi-value")
    assert len(started.find_elements(".chart-card .js-plotly-plot")) == len(home.SECTIONS)
    assert severe_console_errors(started) == []


def test_theme_switch_applies_dark_and_survives_a_reload(started):
    started.wait_for_element(".kpi-value", timeout=20)
    html = started.driver.find_element(By.TAG_NAME, "html")
    assert html.get_attribute("data-bs-theme") in (None, "light")
    started.find_element("#shell-theme-switch").click()
    started.wait_for_element('html[data-bs-theme="dark"]', timeout=10)
    started.driver.refresh()
    started.wait_for_element(".kpi-value", timeout=20)
    started.wait_for_element('html[data-bs-theme="dark"]', timeout=10)
    assert started.find_element("#shell-theme-switch").is_selected()


def test_a_database_outage_shows_a_friendly_message_not_a_traceback(
    dash_duo, use_database, tmp_path
):
    use_database(f"sqlite:///{tmp_path}/gone/beacon.db")
    dash_duo.start_server(beacon.app)
    dash_duo.wait_for_contains_text(
        "#shell-alert", "The database is not answering right now", timeout=20
    )
    page = dash_duo.driver.page_source
    assert "Traceback" not in page and "OperationalError" not in page

"""Beacon on a phone (390 x 844): the navigation is a menu behind a button that opening a
page closes again, and charts leave out plotly's toolbar, which covered their legends. (That
no page scrolls sideways at this size is checked by the walk of every page in
test_accessibility.py.)"""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

import app as beacon
from tests.browser.conftest import click, sign_in, url

PHONE = (390, 844)


@pytest.fixture
def phone(dash_duo, seeded_engine):  # type: ignore[no-untyped-def]
    dash_duo.start_server(beacon.app, navigate=False)
    dash_duo.driver.set_window_size(*PHONE)
    return dash_duo


def test_the_navigation_is_a_menu_that_a_page_closes(phone):
    sign_in(phone, "viewer")
    phone.wait_for_element("#shell-title", timeout=10)
    sidebar = phone.driver.find_element(By.CSS_SELECTOR, ".wide-only")
    assert not sidebar.is_displayed()
    button = phone.find_element("#shell-menu-button")
    assert button.is_displayed() and button.get_attribute("aria-expanded") == "false"
    button.click()
    phone.wait_for_element(".menu-offcanvas.show", timeout=5)
    WebDriverWait(phone.driver, 5).until(lambda d: button.get_attribute("aria-expanded") == "true")
    assert button.get_attribute("aria-controls") == "shell-menu"
    link = phone.driver.find_element(By.CSS_SELECTOR, '.menu-offcanvas a[href="/tutor-risk"]')
    link.click()
    phone.wait_for_text_to_equal("#shell-title", "Risk overview", timeout=10)
    phone.wait_for_no_elements(".menu-offcanvas.show", timeout=5)
    # A phone has no hover, so plotly's toolbar would stay over each chart's legend: it is
    # hidden, and each chart's Export menu is there instead.
    phone.driver.get(url(phone, "/"))
    toolbar = phone.wait_for_element(".js-plotly-plot .modebar-container", timeout=20)
    assert toolbar.value_of_css_property("display") == "none"
    assert phone.find_element(".chart-card .export-toggle").is_displayed()


def test_a_wide_screen_keeps_the_sidebar_and_no_menu_button(dash_duo, seeded_engine):
    dash_duo.start_server(beacon.app, navigate=False)
    dash_duo.driver.set_window_size(1400, 900)
    sign_in(dash_duo, "viewer")
    dash_duo.wait_for_element("#shell-title", timeout=10)
    assert dash_duo.driver.find_element(By.CSS_SELECTOR, ".wide-only .sidebar").is_displayed()
    assert not dash_duo.find_element("#shell-menu-button").is_displayed()
    toolbar = dash_duo.wait_for_element(".js-plotly-plot .modebar-container", timeout=20)
    assert toolbar.value_of_css_property("display") != "none"  # shown on hover


def test_a_month_on_a_phone_shows_each_days_count_and_its_neighbours_days(phone):
    """Seven columns of 50 px cut a session's chip to "09:0": on a phone each day of the
    month shows how many sessions start on it, a link to that day's list. The first week's
    days of the month before are drawn with their own sessions, not left blank."""
    from datetime import date, datetime, time, timedelta
    from zoneinfo import ZoneInfo

    from sqlalchemy import func, select

    from data.engine import connect
    from data.models import Schedule
    from settings import get_settings

    zone = ZoneInfo(get_settings().timezone)
    day = date(2026, 4, 30)  # a Thursday in the grid of May 2026, which starts on a Friday

    def midnight(d: date) -> datetime:
        return datetime.combine(d, time.min, zone)

    with connect() as conn:
        expected = conn.execute(
            select(func.count()).where(
                Schedule.starts_at >= midnight(day),
                Schedule.starts_at < midnight(day + timedelta(days=1)),
            )
        ).scalar_one()
    assert expected > 0, "the seeded data books sessions on 30 April"
    sign_in(phone, "viewer")
    phone.driver.get(url(phone, "/schedules?view=month&date=2026-05-10"))
    phone.wait_for_element(".calendar-month .calendar-count", timeout=20)
    assert "May 2026" in phone.find_element("#sched-range").text
    # The six filters sit two to a row: one to a row, they had filled the first screen.
    room, status = (phone.find_element(f"#sched-{name}") for name in ("room", "status"))
    assert room.location["y"] == status.location["y"] and room.location["x"] < status.location["x"]
    counts = phone.driver.find_elements(By.CSS_SELECTOR, ".calendar-month .calendar-count")
    assert counts and all(link.is_displayed() for link in counts)
    chips = phone.driver.find_elements(By.CSS_SELECTOR, ".calendar-month .session-chip")
    assert chips and not any(chip.is_displayed() for chip in chips)
    april = f'.is-other-month .calendar-count[href*="date={day}"]'
    assert [link.text for link in phone.driver.find_elements(By.CSS_SELECTOR, april)] == [
        str(expected)
    ]
    click(phone, april)
    WebDriverWait(phone.driver, 10).until(lambda d: "view=list" in d.current_url)
    assert f"date={day}" in phone.driver.current_url
    assert f"until={day}" in phone.driver.current_url

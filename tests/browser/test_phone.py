"""Beacon on a phone (390 x 844): the navigation is a menu behind a button that opening a
page closes again, and charts leave out plotly's toolbar, which covered their legends. (That
no page scrolls sideways at this size is checked by the walk of every page in
test_accessibility.py.)"""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

import app as beacon
from tests.browser.conftest import sign_in, url

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

"""Beacon on a phone (390 x 844): no page scrolls sideways, and the navigation is a menu
behind a button that opening a page closes again."""

from __future__ import annotations

import time

import pytest
from selenium.webdriver.common.by import By

import app as beacon
from tests.browser.conftest import half, nav_pages, sign_in, url

PHONE = (390, 844)


@pytest.fixture
def phone(dash_duo, seeded_engine):  # type: ignore[no-untyped-def]
    dash_duo.start_server(beacon.app, navigate=False)
    dash_duo.driver.set_window_size(*PHONE)
    return dash_duo


def sideways(dash_duo) -> list[str]:  # type: ignore[no-untyped-def]
    """What sticks out past the window's right edge (nothing, when the page fits)."""
    return dash_duo.driver.execute_script(
        """const edge = document.documentElement.clientWidth;
        if (document.documentElement.scrollWidth <= edge) return [];
        return [...document.querySelectorAll('body *')]
          .filter(e => e.getBoundingClientRect().right > edge + 1)
          .slice(0, 5)
          .map(e => `${e.tagName}.${e.className} ${e.getBoundingClientRect().right}`);"""
    )


def test_no_page_scrolls_sideways_on_a_phone(phone, seeded_engine):
    """Every page, half of them on each backend: a layout's width does not depend on the
    database, and walking all of them twice cost the suite 26 s."""
    sign_in(phone, "admin")
    every = nav_pages()
    assert len(every) > 20
    paths = half(every, seeded_engine)
    width = phone.driver.execute_script("return document.documentElement.clientWidth")
    assert 360 <= width <= PHONE[0]  # the page is laid out at phone width
    for path in paths:
        phone.driver.get(url(phone, path))
        phone.wait_for_element("#shell-title", timeout=10)
        phone.wait_for_element("#main > div > div > *", timeout=20)  # the page's own layout
        time.sleep(0.5)  # its first callbacks fill it
        assert sideways(phone) == [], path


def test_the_navigation_is_a_menu_that_a_page_closes(phone):
    sign_in(phone, "viewer")
    phone.wait_for_element("#shell-title", timeout=10)
    sidebar = phone.driver.find_element(By.CSS_SELECTOR, ".wide-only")
    assert not sidebar.is_displayed()
    button = phone.find_element("#shell-menu-button")
    assert button.is_displayed() and button.get_attribute("aria-controls") == "shell-menu"
    button.click()
    phone.wait_for_element(".menu-offcanvas.show", timeout=5)
    link = phone.driver.find_element(By.CSS_SELECTOR, '.menu-offcanvas a[href="/tutor-risk"]')
    link.click()
    phone.wait_for_text_to_equal("#shell-title", "Risk overview", timeout=10)
    phone.wait_for_no_elements(".menu-offcanvas.show", timeout=5)


def test_a_wide_screen_keeps_the_sidebar_and_no_menu_button(dash_duo, seeded_engine):
    dash_duo.start_server(beacon.app, navigate=False)
    dash_duo.driver.set_window_size(1400, 900)
    sign_in(dash_duo, "viewer")
    dash_duo.wait_for_element("#shell-title", timeout=10)
    assert dash_duo.driver.find_element(By.CSS_SELECTOR, ".wide-only .sidebar").is_displayed()
    assert not dash_duo.find_element("#shell-menu-button").is_displayed()

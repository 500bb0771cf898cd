"""Pages in a real Chromium: they render, show database numbers, switch theme, fail politely."""

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

import app as beacon
from components.theme import THEMES
from pages import home
from tests.browser.conftest import click, severe_console_errors, sign_in, url
from tests.conftest import acting_as


@pytest.fixture
def started(dash_duo, seeded_engine):
    dash_duo.start_server(beacon.app, navigate=False)
    return dash_duo


@pytest.mark.embedded_too
def test_home_shows_every_area_with_kpis_and_charts(started):
    sign_in(started, "viewer")
    started.wait_for_element(".kpi-value", timeout=20)
    started.wait_for_text_to_equal("#shell-title", "Home")
    started.wait_for_contains_text("#shell-data-as-of", "Data as of 2026-06-1")
    with acting_as("viewer"):
        cards, _ = home.fill_section(area="tutoring", region=None, theme="light")
    expected = cards[0].children.children.children[1].children
    started.wait_for_text_to_equal(".kpi-value", expected, timeout=20)
    for area in home.SECTIONS:
        section = started.find_element(f'section[aria-label="{home.SECTIONS[area][0]}"]')
        started.wait_for_element(".js-plotly-plot", timeout=20)
        assert section.find_elements(By.CSS_SELECTOR, ".kpi-value")
    started.wait_for_element(".chart-card .js-plotly-plot", timeout=20)
    # One chart per area, and the sessions per region (a viewer sees every region).
    started.wait_for_element("#home-regions-graph .js-plotly-plot", timeout=20)
    assert len(started.find_elements(".chart-card .js-plotly-plot")) == len(home.SECTIONS) + 1
    assert severe_console_errors(started) == []


def pick_theme(dash_duo, name: str) -> None:
    Select(dash_duo.find_element("#shell-theme-picker")).select_by_value(name)


def test_theme_choice_applies_at_once_and_is_kept_on_the_account(started):
    sign_in(started, "viewer")
    started.wait_for_element(".kpi-value", timeout=20)
    html = started.driver.find_element(By.TAG_NAME, "html")
    assert html.get_attribute("data-beacon-theme") == "default"
    pick_theme(started, "dark")
    started.wait_for_element('html[data-beacon-theme="dark"][data-bs-theme="dark"]', timeout=10)
    # The charts are redrawn in the theme's colours too.
    started.wait_for_element(".chart-card .js-plotly-plot", timeout=20)
    # Forget what this browser remembers: the account still knows.
    started.driver.execute_script("window.localStorage.clear()")
    started.driver.refresh()
    started.wait_for_element(".kpi-value", timeout=20)
    started.wait_for_element('html[data-beacon-theme="dark"]', timeout=10)
    assert started.find_element("#shell-theme-picker").get_attribute("value") == "dark"


def test_the_theme_follows_the_system_until_the_user_chooses(started):
    started.driver.execute_cdp_cmd(
        "Emulation.setEmulatedMedia",
        {"features": [{"name": "prefers-color-scheme", "value": "dark"}]},
    )
    sign_in(started, "viewer")  # a new account: no theme chosen
    started.wait_for_element(".kpi-value", timeout=20)
    started.wait_for_element('html[data-beacon-theme="dark"][data-bs-theme="dark"]', timeout=10)
    assert started.find_element("#shell-theme-picker").get_attribute("value") == "system"
    # The PE board, drawn on the server, comes in the device's theme too (it came light).
    font = "return document.querySelector('.chart-card .js-plotly-plot')._fullLayout.font.color"
    started.wait_for_element(".chart-card .js-plotly-plot", timeout=20)
    dark = started.driver.execute_script(font)
    click(started, '.sidebar a[href="/pe"]')
    started.wait_for_text_to_equal("#shell-title", "PE dashboard", timeout=20)
    board = "return document.querySelector('.widget-card .js-plotly-plot')._fullLayout.font.color"
    started.wait_for_element(".widget-card .js-plotly-plot", timeout=20)
    WebDriverWait(started.driver, 15).until(lambda d: d.execute_script(board) == dark)
    started.driver.get(url(started, "/"))
    started.wait_for_element(".kpi-value", timeout=20)
    pick_theme(started, "default")  # a choice outranks the system from now on
    started.wait_for_element('html[data-beacon-theme="default"]', timeout=10)
    started.driver.execute_script("window.localStorage.clear()")
    started.driver.refresh()
    started.wait_for_element(".kpi-value", timeout=20)
    started.wait_for_element('html[data-beacon-theme="default"]', timeout=10)
    assert started.find_element("#shell-theme-picker").get_attribute("value") == "default"
    # ... until the user chooses "System" again: the device decides, charts included, and
    # the account keeps that choice.
    font = "return document.querySelector('.chart-card .js-plotly-plot')._fullLayout.font.color"
    started.wait_for_element(".chart-card .js-plotly-plot", timeout=20)
    light = started.driver.execute_script(font)
    pick_theme(started, "system")
    started.wait_for_element('html[data-beacon-theme="dark"][data-bs-theme="dark"]', timeout=10)
    WebDriverWait(started.driver, 15).until(lambda d: d.execute_script(font) != light)
    started.driver.execute_script("window.localStorage.clear()")
    started.driver.refresh()
    started.wait_for_element(".kpi-value", timeout=20)
    started.wait_for_element('html[data-beacon-theme="dark"]', timeout=10)
    assert started.find_element("#shell-theme-picker").get_attribute("value") == "system"


def test_appearance_page_previews_every_theme_and_uses_the_one_clicked(started):
    sign_in(started, "analyst")
    started.driver.get(url(started, "/account/appearance"))
    started.wait_for_element(".theme-preview-frame", timeout=15)
    frames = started.find_elements(".theme-preview-frame")
    assert [f.get_attribute("data-beacon-theme") for f in frames] == list(THEMES)
    # Each preview wears its own colours, whatever the page's theme is.
    backgrounds = {
        f.get_attribute("data-beacon-theme"): f.value_of_css_property("background-color")
        for f in frames
    }
    assert backgrounds["high-contrast"] == "rgba(0, 0, 0, 1)"
    assert len(set(backgrounds.values())) == len(THEMES)
    click(started, {"type": "appearance-use", "theme": "high-contrast"})
    started.wait_for_element('html[data-beacon-theme="high-contrast"]', timeout=10)
    assert started.find_element("#shell-theme-picker").get_attribute("value") == "high-contrast"
    body = started.driver.find_element(By.TAG_NAME, "body")
    assert body.value_of_css_property("color") == "rgba(255, 255, 255, 1)"


@pytest.mark.embedded_too
def test_a_database_outage_is_explained_not_shown_as_a_traceback(started, use_database, tmp_path):
    sign_in(started, "viewer")
    started.wait_for_element(".kpi-value", timeout=20)
    use_database(f"sqlite:///{tmp_path}/gone/beacon.db")
    # A callback while the page is open: the banner explains.
    pick_theme(started, "dark")
    started.wait_for_contains_text(
        "#connection-banner", "The database is not answering", timeout=20
    )
    # A new page load: the friendly 503 page.
    started.driver.get(url(started, "/"))
    started.wait_for_contains_text("h1", "The database is not answering right now", timeout=10)
    page = started.driver.page_source
    assert "Traceback" not in page and "OperationalError" not in page


def test_the_menu_shows_the_open_page_even_low_in_the_list(started):
    sign_in(started, "admin")
    started.driver.get(url(started, "/admin/webhooks"))
    started.wait_for_element(".sidebar .nav-link.active", timeout=20)

    def shown() -> bool:
        return started.driver.execute_script(
            """const item = document.querySelector('.sidebar .nav-link.active')
                 .getBoundingClientRect();
               const menu = document.querySelector('.sidebar').getBoundingClientRect();
               const bottom = Math.min(menu.bottom, window.innerHeight);
               return item.top >= menu.top - 1 && item.bottom <= bottom + 1;"""
        )

    WebDriverWait(started.driver, 10).until(lambda _d: shown())


@pytest.mark.embedded_too
def test_the_global_search_is_used_by_keyboard_alone(started):
    """Ctrl+K (or /) opens the search; arrows and Enter open the answer (its scope is tested
    in tests/unit/test_search.py)."""
    from selenium.common.exceptions import TimeoutException
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys
    from sqlalchemy import select

    from data.engine import connect
    from data.models import Tutor

    sign_in(started, "manager", (1,))
    started.wait_for_element(".kpi-value", timeout=20)
    with connect() as conn:
        tutor_id, name = conn.execute(
            select(Tutor.id, Tutor.name).where(Tutor.region_id == 1).order_by(Tutor.id).limit(1)
        ).one()
    driver = started.driver

    def search_has_focus(d) -> bool:
        return "dash-dropdown-search" in (d.switch_to.active_element.get_attribute("class") or "")

    def answers(d) -> list[str]:  # read in one go: the list re-renders as answers arrive
        return d.execute_script(
            "return [...document.querySelectorAll('.dash-dropdown-option')]"
            ".map(e => e.textContent.trim())"
        )

    def highlighted(d) -> str:  # the answer the arrows have reached
        return d.execute_script(
            "const o = document.activeElement.closest('.dash-dropdown-option');"
            "return o ? o.textContent.trim() : '';"
        )

    ActionChains(driver).key_down(Keys.CONTROL).send_keys("k").key_up(Keys.CONTROL).perform()
    WebDriverWait(driver, 10).until(search_has_focus)
    ActionChains(driver).send_keys(Keys.ESCAPE).perform()
    driver.execute_script("document.activeElement.blur()")
    ActionChains(driver).send_keys("/").perform()  # the other shortcut
    WebDriverWait(driver, 10).until(search_has_focus)
    ActionChains(driver).send_keys(name).perform()

    def is_the_tutor(answer: str) -> bool:  # a namesake's answer carries its number
        return answer.startswith(f"Tutor · {name}") and (
            "#" not in answer or answer.endswith(f"#{tutor_id}")
        )

    shown: list[list[str]] = [[]]

    def settled(d) -> bool:  # each keystroke's answer re-renders the list: wait for the last
        now, before = answers(d), shown[0]
        shown[0] = now
        return now == before and any(map(is_the_tutor, now))

    try:  # a loaded CI machine answers each keystroke more slowly
        WebDriverWait(driver, 20, poll_frequency=0.5).until(settled)
    except TimeoutException:
        typed = driver.execute_script("return document.activeElement.value")
        raise AssertionError(f"typed {typed!r}, {name!r} wanted; answers {shown[0]}") from None
    for _ in range(len(shown[0])):  # arrow down to the tutor's answer, then Enter opens it
        ActionChains(driver).send_keys(Keys.ARROW_DOWN).perform()
        try:  # on a loaded machine the focus reaches the answer a moment after the key
            WebDriverWait(driver, 3, poll_frequency=0.1).until(highlighted)
        except TimeoutException:
            continue
        if is_the_tutor(highlighted(driver)):
            break
    assert is_the_tutor(highlighted(driver)), highlighted(driver)
    ActionChains(driver).send_keys(Keys.ENTER).perform()
    WebDriverWait(driver, 10).until(
        lambda d: d.current_url.endswith(f"/tutor-risk/tutor?id={tutor_id}"),
        message=f"opened {driver.current_url}",
    )
    started.wait_for_contains_text("#shell-title", "Tutor", timeout=10)


def test_auto_refresh_redraws_a_dashboard_with_its_filters_and_is_kept(started):
    """A tick redraws the open dashboard from the server, keeping its address and adding no
    history; a form is never redrawn under its user; the choice stays with the account."""
    sign_in(started, "manager", (1,))
    driver = started.driver
    driver.get(url(started, "/schedules?view=month&date=2026-06-10"))
    started.wait_for_element(".calendar-month .session-chip", timeout=20)
    Select(started.find_element("#shell-refresh-every")).select_by_value("1")
    WebDriverWait(driver, 10).until(
        lambda d: d.execute_script(
            "return window.dash_clientside && document.querySelector('#shell-refresh-every')"
            ".value === '1'"
        )
    )
    drawn = driver.find_element(By.CSS_SELECTOR, ".calendar-month")
    pages = driver.execute_script("return history.length")
    tick = "window.dash_clientside.set_props('shell-refresh-tick', {n_intervals: %d})"
    driver.execute_script(tick % 1)
    WebDriverWait(driver, 15).until(lambda d: _stale(drawn))
    started.wait_for_element(".calendar-month .session-chip", timeout=20)
    assert driver.current_url.endswith("/schedules?view=month&date=2026-06-10")
    assert driver.execute_script("return history.length") == pages
    driver.get(url(started, "/credit/score"))  # a form: typing there is never interrupted
    started.wait_for_element("#shell-title", timeout=10)
    started.wait_for_text_to_equal("#shell-title", "Score an application", timeout=10)
    form = driver.find_element(By.CSS_SELECTOR, ".content")
    driver.execute_script(tick % 2)
    assert not _stale(form, wait=3)
    driver.get(url(started, "/"))
    started.wait_for_element(".kpi-value", timeout=20)
    assert (
        Select(started.find_element("#shell-refresh-every")).first_selected_option.get_attribute(
            "value"
        )
        == "1"
    )


def _stale(element, wait: float = 0) -> bool:
    """Whether the element was replaced (redrawn), after waiting `wait` seconds."""
    import time

    from selenium.common.exceptions import StaleElementReferenceException

    time.sleep(wait)
    try:
        element.is_enabled()
    except StaleElementReferenceException:
        return True
    return False

import json
import os
import shutil
import time

import dash
import pytest
from selenium.webdriver.support.ui import WebDriverWait


@pytest.fixture(autouse=True)
def _needs_chromium():
    """Skip, with the reason, before dash_duo tries to start a browser that isn't there."""
    missing = [name for name in ("chromedriver",) if not shutil.which(name)]
    if not (shutil.which("chromium") or shutil.which("chromium-browser")):
        missing.append("chromium")
    if missing:
        pytest.skip(
            f"browser tests need {' and '.join(missing)} (apt-get install chromium chromium-driver)"
        )


def pytest_collection_modifyitems(config, items):
    """Browser tests walk the app on PostgreSQL, as it is deployed. Those marked
    `embedded_too` (every page's walk, home, the writes: a booking, a note, a score, the PE
    board, the search, an outage) walk it on SQLite, the embedded default, as well. The SQL
    under every page runs on both backends in the unit and data tests."""
    kept, dropped = [], []
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)
            params = getattr(item, "callspec", None)
            on_sqlite = params is not None and "sqlite" in params.params.values()
            if on_sqlite and not item.get_closest_marker("embedded_too"):
                dropped.append(item)
                continue
        kept.append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


def sign_in(dash_duo, role: str, regions: tuple[int, ...] = ()):
    """Sign in through the real form, as a new account with `role`; returns the account."""
    from tests.conftest import PASSWORD, create_test_account

    account = create_test_account(role, regions)
    serve_links_from(dash_duo)
    dash_duo.driver.get(url(dash_duo, "/login"))
    dash_duo.wait_for_element("#email").send_keys(account.email)
    dash_duo.find_element("#password").send_keys(PASSWORD)
    dash_duo.find_element("button[type=submit]").click()
    dash_duo.wait_for_element("#shell-title", timeout=15)
    return account


def serve_links_from(dash_duo) -> None:
    """Links the app hands out (share, embed, calendar) come from BEACON_PUBLIC_URL: point
    it at the server under test."""
    from settings import get_settings

    os.environ["BEACON_PUBLIC_URL"] = dash_duo.server.url
    get_settings.cache_clear()


def url(dash_duo, path: str) -> str:
    """An address on the app under test (dash_duo.server_url expects a Dash page to load)."""
    return dash_duo.server.url.rstrip("/") + path


def dict_id(value: dict) -> str:
    """The DOM id Dash gives a pattern-matching id: its JSON with sorted keys and no spaces."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


def by_dict_id(dash_duo, value: dict, timeout: float = 20):
    return WebDriverWait(dash_duo.driver, timeout).until(
        lambda driver: driver.execute_script(
            "return document.getElementById(arguments[0]);", dict_id(value)
        )
    )


def click(dash_duo, selector: str | dict):
    """Click an element as the DOM sees it, even where Dash's dev-tools badge covers the
    bottom of the headless window; it takes the focus, as under a real click. A dict is a
    pattern-matching id."""
    if isinstance(selector, dict):
        element = by_dict_id(dash_duo, selector)
    else:
        element = dash_duo.wait_for_element(selector, timeout=20)
    dash_duo.driver.execute_script(
        "arguments[0].scrollIntoView({block: 'center'});"
        "arguments[0].focus({preventScroll: true});"  # as a real click focuses a button
        "arguments[0].click();",
        element,
    )
    return element


def by_id(component_id: str | dict) -> str:
    """A CSS selector for a component by its id, a pattern-matching (All-in-One) one included."""
    from components.attrs import dom_id

    return f"[id='{dom_id(component_id)}']"


def choose(dash_duo, selector: str, **which):
    """Pick an option of a dcc.Dropdown after scrolling it to the middle of the window, so
    a sticky header or a re-render that scrolled the page cannot cover it. A re-render can
    still scroll the page between the scroll and the click (the PE board's widgets redraw
    after one is removed: the click landed 214 px above the window): then it scrolls and
    tries again, three times at most. `which` is dash_duo.select_dcc_dropdown's `value=` or
    `index=`."""
    from selenium.common.exceptions import ElementClickInterceptedException

    for attempt in range(3):
        element = dash_duo.wait_for_element(selector, timeout=20)
        dash_duo.driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", element)
        try:
            dash_duo.select_dcc_dropdown(selector, **which)
            return
        except ElementClickInterceptedException:
            if attempt == 2:
                raise
            time.sleep(0.5)


def search_and_choose(dash_duo, selector: str, text: str, label: str) -> None:
    """Type `text` into a search-as-you-type dcc.Dropdown and pick the option `label` once
    the server's answer shows it (the options re-render as each answer arrives)."""
    from selenium.common.exceptions import StaleElementReferenceException
    from selenium.webdriver.support.ui import WebDriverWait

    def pick(driver) -> bool:
        for option in driver.find_elements("css selector", ".dash-dropdown-option"):
            if option.text == label:
                option.click()
                return True
        return False

    element = dash_duo.wait_for_element(selector, timeout=20)
    dash_duo.driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", element)
    element.click()
    dash_duo.wait_for_element("input.dash-dropdown-search").send_keys(text)
    WebDriverWait(dash_duo.driver, 15, ignored_exceptions=(StaleElementReferenceException,)).until(
        pick
    )


def nav_pages() -> list[str]:
    """Every page of the menu, by address."""
    return sorted(p["relative_path"] for p in dash.page_registry.values() if p.get("nav", True))


def half(items: list[str] | tuple[str, ...], engine) -> list[str]:  # type: ignore[no-untyped-def]
    """Every other item, a different half on each backend: where markup does not depend on
    the database, each backend walks half of the pages and the two together walk them all."""
    return list(items[::2] if engine.dialect.name == "sqlite" else items[1::2])


def severe_console_errors(dash_duo) -> list[dict]:  # type: ignore[no-untyped-def]
    """The browser console's errors since the last call (reading the log empties it)."""
    return [entry for entry in dash_duo.get_logs() or [] if entry.get("level") == "SEVERE"]


GRID_ROWS = ".ag-center-cols-container .ag-row"
GRID_COUNT = ".grid-toolbar [role=status]"


def grid_column(dash_duo, name: str) -> list[str]:
    """A data grid's column, the values of the rows drawn top to bottom (read in one go:
    the grid redraws rows as blocks arrive)."""
    return dash_duo.driver.execute_script(
        """const rows = [...document.querySelectorAll(arguments[0])];
        rows.sort((a, b) => a.getAttribute('row-index') - b.getAttribute('row-index'));
        const cell = (r) => r.querySelector(`[col-id="${arguments[1]}"]`) || {};
        return rows.map((r) => cell(r).textContent);""",
        GRID_ROWS,
        name,
    )

"""First load of each page in headless Chromium against the served app: when the page's
main content (its first chart, table row, calendar or feed) is drawn, how much JSON the
Dash requests brought (layout, dependencies, callback answers) and how many table rows
reached the browser."""

from __future__ import annotations

import shutil
import time
from typing import Any

from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.support.ui import WebDriverWait

# Resolves with performance.now() (ms since the navigation started) once `selector` matches.
DRAWN = """
const [selector, done] = arguments;
const look = () => document.querySelector(selector) ? done(performance.now())
                                                     : requestAnimationFrame(look);
look();
"""
# The Dash JSON this page load fetched, and the rows of every table in the page.
WEIGHED = """
const dash = performance.getEntriesByType('resource')
  .filter(e => /_dash-(layout|dependencies|update-component)/.test(e.name));
return {
  json_bytes: dash.reduce((sum, e) => sum + e.decodedBodySize, 0),
  largest_answer_bytes: Math.max(0, ...dash.map(e => e.decodedBodySize)),
  requests: dash.length,
  table_rows: document.querySelectorAll('table tbody tr, .session-chip, .feed-item').length,
};
"""


def chromium() -> webdriver.Chrome:
    options = Options()
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--no-first-run",
        "--disable-background-networking",
        "--window-size=1400,1000",
    ):
        options.add_argument(flag)
    binary = shutil.which("chromium") or shutil.which("chromium-browser")
    if binary:
        options.binary_location = binary
    driver = webdriver.Chrome(options=options)
    driver.set_script_timeout(60)
    return driver


def _sign_in(driver: webdriver.Chrome, base: str, email: str, password: str) -> None:
    driver.get(base + "/login")
    driver.find_element("id", "email").send_keys(email)
    driver.find_element("id", "password").send_keys(password)
    driver.find_element("css selector", "button[type=submit]").click()
    WebDriverWait(driver, 30).until(lambda d: d.find_elements("id", "shell-title"))


def _quiet(driver: webdriver.Chrome, seconds: float = 1.0) -> None:
    """Wait until no component is loading and no request finished for `seconds`."""
    seen = -1
    while True:
        now = driver.execute_script(
            "return document.querySelector('[data-dash-is-loading=\"true\"]') ? -1"
            " : performance.getEntriesByType('resource').length"
        )
        if now == seen and now != -1:
            return
        seen = now
        time.sleep(seconds)


def _drawn(driver: webdriver.Chrome, url: str, ready: str) -> int:
    driver.get("about:blank")
    driver.get(url)
    return round(driver.execute_async_script(DRAWN, ready))


def first_loads(
    base: str, email: str, password: str, pages: Any, clear_cache: Any
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The very first visit (empty browser cache, flushed app cache: the browser fetches and
    compiles plotly.js's cartesian bundle, 1.5 MB), then each page loaded twice with the
    browser's cache primed: with the app's cache flushed first (cold) and right after (warm)."""
    driver = chromium()
    try:
        _sign_in(driver, base, email, password)
        clear_cache()
        first = {
            "page": pages[0].name,
            "drawn_ms": _drawn(driver, base + pages[0].path, pages[0].ready),
        }
        _quiet(driver)
        print(f"  first visit ever, {first['page']}: {first['drawn_ms']} ms", flush=True)
        results = []
        for page in pages:
            row: dict[str, Any] = {"page": page.name, "path": page.path}
            for kind in ("cold", "warm"):
                if kind == "cold":
                    clear_cache()
                row[f"{kind}_drawn_ms"] = _drawn(driver, base + page.path, page.ready)
                _quiet(driver)
                if kind == "cold":
                    row.update(driver.execute_script(WEIGHED))
            print(f"  first load {page.name}: {row}", flush=True)
            results.append(row)
        return first, results
    finally:
        driver.quit()

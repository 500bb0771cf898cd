"""WCAG 2.2 AA in Chromium: axe-core (tests/browser/vendor/axe-core, the release named in its
first line) finds no critical or serious violation on any page, as admin in the default theme,
nor on the five main pages (at desktop width, with the full menu and top bar) in each theme
and for each role. The walk of every page is made on a phone (390 x 844), and also checks
that each page fits the window (no sideways scroll), shows its own title and logs no error
in the browser's console.

Each test walks half of its pages on each backend: markup does not depend on the database,
and the walk is what costs time."""

from __future__ import annotations

import json
import time
from pathlib import Path

import dash
import pytest

import app as beacon
from data import preferences
from data.engine import transaction
from tests.browser.conftest import half, nav_pages, severe_console_errors, sign_in, url

AXE = (Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js").read_text()
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
MAIN_PAGES = ("/", "/tutor-risk", "/pe", "/schedules", "/credit")
OTHER_THEMES = ("dark", "high-contrast", "professional", "colourful")
ROLES = ("manager", "analyst", "viewer")
PHONE = (390, 844)
# A callback is waiting to be sent, running or being drawn, or a component is loading.
BUSY = """const state = window.store && window.store.getState();
if (!state) return true;
const waiting = Object.entries(state.callbacks)
  .some(([kind, queue]) => kind !== 'completed' && Array.isArray(queue) && queue.length > 0);
// A data grid asks for its rows once drawn: loading until rows or its "no rows" line show.
const grids = [...document.querySelectorAll('.beacon-grid .ag-root-wrapper')];
const drawn = '.ag-center-cols-container .ag-row:not(.ag-row-loading), .ag-overlay-no-rows-center';
const gridLoading = grids.some((g) => g.offsetParent !== null && !g.querySelector(drawn));
const loading = document.querySelector('[data-dash-is-loading="true"]') !== null;
return waiting || gridLoading || loading;"""


@pytest.fixture
def started(dash_duo, scored_url, seeded_engine):  # type: ignore[no-untyped-def]
    dash_duo.start_server(beacon.app, navigate=False)
    dash_duo.driver.set_window_size(1400, 900)
    return dash_duo


def settled(dash_duo, path: str) -> None:
    """Open `path` and wait until the page's own layout is in and no callback is loading."""
    dash_duo.driver.get(url(dash_duo, path))
    dash_duo.wait_for_element("#main > div > div > *", timeout=20)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and dash_duo.driver.execute_script(BUSY):
        time.sleep(0.1)
    time.sleep(0.1)  # the last answer's re-render, and the repairs of assets/a11y.js (a frame)


def serious_violations(dash_duo) -> list[str]:
    """axe-core's critical and serious WCAG A/AA violations on the page as it is now."""
    dash_duo.driver.execute_script(AXE)
    found = dash_duo.driver.execute_async_script(
        """const done = arguments[arguments.length - 1];
        axe.run(document, {runOnly: {type: 'tag', values: arguments[0]},
                           resultTypes: ['violations']})
          .then(r => done(r.violations
            .filter(v => v.impact === 'critical' || v.impact === 'serious')
            .map(v => ({rule: v.id, impact: v.impact,
                        where: v.nodes.slice(0, 3).map(n => n.target.join(' ')),
                        why: (v.nodes[0].failureSummary || '').slice(0, 240)}))));""",
        WCAG_AA,
    )
    return [json.dumps(v) for v in found]


def sideways(dash_duo) -> list[str]:  # type: ignore[no-untyped-def]
    """What sticks out past the window's right edge (nothing, when the page fits)."""
    return dash_duo.driver.execute_script(
        """const edge = document.documentElement.clientWidth;
        if (document.documentElement.scrollWidth <= edge) return [];
        return [...document.querySelectorAll('body *')]
          .filter(e => e.getBoundingClientRect().right > edge + 1)
          .slice(0, 5)
          .map(e => `sideways: ${e.tagName}.${e.className} ${e.getBoundingClientRect().right}`);"""
    )


def report(found: dict[str, list[str]]) -> str:
    """Every page's problems in full (pytest would cut a long dict short)."""
    return "\n".join(
        f"{path}: {problem}" for path, problems in found.items() for problem in problems
    )


def walk(dash_duo, paths: list[str]) -> dict[str, list[str]]:
    found = {}
    for path in paths:
        settled(dash_duo, path)
        if violations := serious_violations(dash_duo):
            found[path] = violations
    return found


@pytest.mark.embedded_too
def test_every_page_fits_a_phone_with_its_title_no_console_error_and_no_serious_violation(
    started, seeded_engine
):
    started.driver.set_window_size(*PHONE)
    sign_in(started, "admin")
    width = started.driver.execute_script("return document.documentElement.clientWidth")
    assert 360 <= width <= PHONE[0]  # the page is laid out at phone width
    every = nav_pages()
    assert {"/", "/admin/users", "/admin/audit", "/account/sessions"} <= set(every)
    names = {p["relative_path"]: p["name"] for p in dash.page_registry.values()}
    found = {}
    for path in half([*every, "/no-such-page"], seeded_engine):
        settled(started, path)
        started.wait_for_text_to_equal("#shell-title", names.get(path, "Page not found"))
        if path == "/no-such-page":
            started.wait_for_contains_text(".not-found", "This page does not exist")
        trouble = severe_console_errors(started) + serious_violations(started) + sideways(started)
        if trouble:
            found[path] = trouble
    assert found == {}, report(found)


def test_the_main_pages_have_none_in_any_theme(started, seeded_engine):
    account = sign_in(started, "admin")
    for theme in half(OTHER_THEMES, seeded_engine):
        with transaction() as conn:
            preferences.save_preference(conn=conn, user_id=account.id, name="theme", value=theme)
        found = walk(started, list(MAIN_PAGES))
        worn = started.driver.execute_script(
            "return document.documentElement.getAttribute('data-beacon-theme')"
        )
        assert worn == theme  # the pages were checked in the theme the account chose
        assert found == {}, f"{theme}: {report(found)}"


def test_the_main_pages_have_none_for_any_role(started, seeded_engine):
    for role in ROLES:
        started.driver.delete_all_cookies()
        sign_in(started, role)
        shown = started.driver.execute_script(
            "return [...document.querySelectorAll('.sidebar a.nav-link')]"
            ".map(a => a.getAttribute('href'))"
        )
        pages = [path for path in MAIN_PAGES if path in shown]
        assert len(pages) >= 3, role
        found = walk(started, half(pages, seeded_engine))
        assert found == {}, f"{role}: {report(found)}"


def test_a_month_with_its_neighbours_days_has_none_wide_or_on_a_phone(started):
    """The month view is no page's default, so the walks above never open it: May 2026
    starts on a Friday and shows four days of April, whose chips (wide) and counts (on a
    phone) must keep their contrast, in the light and the dark theme."""
    account = sign_in(started, "viewer")
    month = "/schedules?view=month&date=2026-05-10"
    found = {}
    for theme in ("light", "dark"):
        with transaction() as conn:
            preferences.save_preference(conn=conn, user_id=account.id, name="theme", value=theme)
        for size, shown in (((1400, 900), ".session-chip"), (PHONE, ".calendar-count")):
            started.driver.set_window_size(*size)
            settled(started, month)
            started.wait_for_element(f".is-other-month {shown}", timeout=20)
            trouble = serious_violations(started) + sideways(started)
            if trouble:
                found[f"{theme} {size[0]} px"] = trouble
    assert found == {}, report(found)

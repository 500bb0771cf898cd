"""Data refresh page in a real browser, on the embedded background manager (diskcache):
progress while a retrain runs, the result, the history, and cancelling."""

from __future__ import annotations

import re

import pytest
from selenium.webdriver.support.ui import WebDriverWait
from sqlalchemy import create_engine

import app as beacon
from data.seed import seed_database
from tests.browser.conftest import click, sign_in, url
from tests.conftest import AS_OF, SEED


@pytest.fixture
def started(dash_duo, sqlite_url, use_database):  # type: ignore[no-untyped-def]
    seed_database(create_engine(sqlite_url), scale="small", seed=SEED, as_of=AS_OF)
    use_database(sqlite_url)
    dash_duo.start_server(beacon.app, navigate=False)
    sign_in(dash_duo, "admin")
    dash_duo.driver.get(url(dash_duo, "/admin/jobs"))
    dash_duo.wait_for_text_to_equal("#shell-title", "Data refresh", timeout=20)
    dash_duo.wait_for_contains_text("#jobs-history", "No runs yet", timeout=20)
    return dash_duo


def progress_until(dash_duo, done, timeout: float = 120) -> set[str]:  # type: ignore[no-untyped-def]
    seen: set[str] = set()

    def check(driver) -> bool:  # type: ignore[no-untyped-def]
        text = driver.find_element("id", "jobs-progress-text").text
        if text:
            seen.add(text)
        return done(driver)

    WebDriverWait(dash_duo.driver, timeout, poll_frequency=0.1).until(check)
    return seen


def test_retrain_now_shows_progress_then_the_result_and_the_history(started):
    click(started, "#jobs-retrain-now")
    seen = progress_until(started, lambda d: "Finished" in d.find_element("id", "jobs-result").text)
    # Progress polls every few hundred ms, so a short step can pass unseen: at least two of the
    # seven steps show, each with its place in the run.
    assert len(seen) >= 2 and all(re.search(r"\([1-7]/7\)$", step) for step in seen), seen
    # The history redraws as the run ends: wait for the finished row, then read it once.
    WebDriverWait(started.driver, 20).until(
        lambda d: (
            "succeeded" in (text := d.find_element("id", "jobs-history").text)
            and "Test admin" in text
        )
    )
    assert "Ada" not in started.find_element("#jobs-history").text  # the test admin's own name
    assert started.find_element("#jobs-refresh-now").is_enabled()


def test_cancel_stops_the_run_and_frees_the_next_one(started):
    click(started, "#jobs-retrain-now")
    progress_until(started, lambda d: d.find_element("id", "jobs-progress-text").text != "")
    click(started, "#jobs-cancel")
    started.wait_for_contains_text("#jobs-cancelled", "Cancelled", timeout=20)
    started.wait_for_contains_text("#jobs-history", "cancelled", timeout=20)
    click(started, "#jobs-refresh-now")
    progress_until(started, lambda d: "Finished" in d.find_element("id", "jobs-result").text)

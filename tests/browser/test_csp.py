"""Every page under the strict Content-Security-Policy: it draws, and the browser reports no
error (a blocked script or style would be one)."""

from __future__ import annotations

import dash
import pytest

import app as beacon
from tests.browser.conftest import sign_in, url

pytestmark = pytest.mark.browser


@pytest.fixture
def scored(scored_url, use_database):  # type: ignore[no-untyped-def]
    use_database(scored_url)
    return scored_url


def test_every_page_draws_under_the_csp_with_no_console_error(dash_duo, scored):
    dash_duo.start_server(beacon.app, navigate=False)
    sign_in(dash_duo, "admin")
    paths = sorted(
        page["path"] for page in dash.page_registry.values() if "<" not in page["path"]
    )
    assert len(paths) >= 15
    for path in paths:
        dash_duo.driver.get(url(dash_duo, path))
        dash_duo.wait_for_element("#shell-title", timeout=20)
        dash_duo.wait_for_element("#_dash-app-content, main", timeout=20)
    errors = [e for e in dash_duo.get_logs() or [] if e.get("level") == "SEVERE"]
    assert not errors, errors[:3]
    policy = dash_duo.driver.execute_script(
        "return fetch('/').then(r => r.headers.get('Content-Security-Policy'))"
    )
    assert "script-src 'self' 'sha256-" in policy

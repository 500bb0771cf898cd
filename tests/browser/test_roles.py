"""Each role signs in through the real form and sees exactly the pages it may open."""

import dash
import pytest

import app as beacon
from auth.access import ROLES
from tests.browser.conftest import sign_in, url


@pytest.mark.parametrize("role", ROLES)
def test_each_role_sees_exactly_its_pages(dash_duo, seeded_engine, role):
    dash_duo.start_server(beacon.app, navigate=False)
    sign_in(dash_duo, role, regions=(1,))
    dash_duo.wait_for_element(".kpi-value", timeout=20)
    allowed = {
        p["name"] for p in dash.page_registry.values() if p.get("nav", True) and role in p["roles"]
    }
    shown = {link.text for link in dash_duo.find_elements(".sidebar .nav-link")}
    assert shown == allowed
    dash_duo.wait_for_contains_text(".role-badge", role.capitalize())
    if role != "admin":
        dash_duo.driver.get(url(dash_duo, "/admin/users"))
        dash_duo.wait_for_contains_text(
            ".content", "You do not have access to this page", timeout=10
        )
        assert "Invite someone" not in dash_duo.driver.page_source


def test_signing_out_returns_to_the_sign_in_page_and_the_back_button_shows_nothing(
    dash_duo, seeded_engine
):
    dash_duo.start_server(beacon.app, navigate=False)
    sign_in(dash_duo, "analyst")
    dash_duo.wait_for_element(".kpi-value", timeout=20)
    dash_duo.find_element(".user-menu button[type=submit]").click()
    dash_duo.wait_for_contains_text(".alert-success", "signed out on every device", timeout=10)
    dash_duo.driver.back()
    dash_duo.wait_for_element("#email", timeout=10)  # the app sends the visitor to sign in again

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


@pytest.mark.parametrize("role", ["viewer", "analyst", "manager"])
def test_opening_every_page_a_role_may_open_is_no_denied_request(dash_duo, seeded_engine, role):
    """A reader who only opens pages makes no request the app refuses: a refused callback is
    audited as "access denied", and a button rendered (even hidden) for someone who may not
    press it fires its callback as it appears. Each page, a tutor's profile with a note and
    a customer's page are opened and left to finish loading."""
    from datetime import UTC, datetime

    from selenium.webdriver.support.ui import WebDriverWait
    from sqlalchemy import func, select

    from data import tutor_care
    from data.engine import connect, transaction
    from data.models import AuditEntry, CreditCustomer, Tutor
    from tests.conftest import create_test_account

    author = create_test_account("manager", (1,))
    with transaction() as conn:
        tutor = conn.execute(select(func.min(Tutor.id)).where(Tutor.region_id == 1)).scalar_one()
        customer = conn.execute(select(func.min(CreditCustomer.id))).scalar_one()
        tutor_care.add_note(
            conn=conn,
            tutor_id=tutor,
            author_id=author.id,
            body="Asked for fewer evening sessions.",
            important=False,
            now=datetime.now(UTC),
        )
    dash_duo.start_server(beacon.app, navigate=False)
    reader = sign_in(dash_duo, role, regions=(1,))
    paths = [
        p["path"] for p in dash.page_registry.values() if p.get("nav", True) and role in p["roles"]
    ]
    paths += [f"/tutor-risk/tutor?id={tutor}", f"/credit/customer?id={customer}"]
    idle = "return document.querySelectorAll('[data-dash-is-loading=\"true\"]').length === 0"
    for path in paths:
        dash_duo.driver.get(url(dash_duo, path))
        dash_duo.wait_for_element("#shell-title", timeout=20)
        if path.startswith("/tutor-risk/tutor"):
            dash_duo.wait_for_contains_text("#profile-notes", "fewer evening sessions", timeout=20)
        WebDriverWait(dash_duo.driver, 20).until(lambda d: d.execute_script(idle))
    with connect() as conn:
        denied = conn.execute(
            select(AuditEntry.detail).where(
                AuditEntry.user_id == reader.id, AuditEntry.action == "access.denied"
            )
        ).all()
    assert denied == [], denied

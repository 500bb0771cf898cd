"""Credit in a real Chromium: score an application, then find and open the customer."""

import pytest
from selenium.webdriver.support.ui import WebDriverWait

import app as beacon
from components.formatting import money
from data import accounts, credit
from data.engine import connect
from jobs import credit_scoring
from tests.browser.conftest import choose, click, search_and_choose, sign_in, url


@pytest.fixture
def started(dash_duo, seeded_copy):
    """Scoring writes: this test gets its own copy of the seeded database, scored."""
    credit_scoring.run()
    dash_duo.start_server(beacon.app, navigate=False)
    return dash_duo


@pytest.mark.embedded_too
def test_score_an_application_then_open_the_customer_from_the_portfolio(started):
    with connect() as conn:
        customer = credit.find_customers(conn=conn, region_ids=None, text="", limit=1).iloc[0]
        regions = accounts.regions_table(conn=conn).set_index("id")["name"]
    sign_in(started, "analyst")
    started.driver.get(url(started, "/credit/score"))
    # Search as you type: the options come from the server after two letters, each with its
    # region (two customers may share a name).
    label = f"{customer['name']} (#{customer['id']}, {regions[customer['region_id']]})"
    search_and_choose(started, "#score-customer", customer["name"][:5], label)
    started.wait_for_text_to_equal("#score-customer-value", label, timeout=10)
    choose(
        started, "#score-product", value=f"Tuition Flex ({money(500)}–{money(6000)}, 3–12 months)"
    )
    for field, value in {
        "#score-amount": "800",
        "#score-term": "6",
        "#score-dti": "0.3",
        "#score-history": "48",
    }.items():
        started.find_element(field).send_keys(value)
    click(started, "#score-submit")
    started.wait_for_contains_text("#score-result", "points", timeout=20)
    result = started.find_element("#score-result").get_attribute("textContent")
    assert ("Approved at" in result or "Declined: " in result) and "by the scorecard" in result
    assert "Stored as application #" in result

    started.driver.get(url(started, "/credit"))
    search = started.wait_for_element("#credit-search")
    search.send_keys(customer["name"])
    search.send_keys("\n")
    WebDriverWait(started.driver, 10).until(lambda d: "q=" in d.current_url)
    link = started.wait_for_element(f'a[href="/credit/customer?id={customer["id"]}"]', timeout=15)
    click(started, f'a[href="/credit/customer?id={customer["id"]}"]')
    started.wait_for_contains_text("h2.section-title", customer["name"], timeout=15)
    started.wait_for_element("#customer-chart .js-plotly-plot", timeout=15)
    applications = started.find_element(".data-table").get_attribute("textContent")
    assert "approved" in applications or "declined" in applications
    assert link is not None


def test_changing_a_watchlist_filter_narrows_the_list_and_keeps_it_in_the_url(started):
    sign_in(started, "manager", regions=(1,))
    started.driver.get(url(started, "/credit/watchlist"))
    started.wait_for_contains_text(".grid-toolbar [role=status]", "loans", timeout=20)
    before = started.find_element(".grid-toolbar [role=status]").text
    choose(started, "#watch-severity", value="High")
    WebDriverWait(started.driver, 10).until(lambda d: "severity=high" in d.current_url)
    WebDriverWait(started.driver, 10).until(
        lambda d: d.find_element("css selector", ".grid-toolbar [role=status]").text != before
    )
    shown = started.find_element(".data-grid").get_attribute("textContent")
    assert "Medium" not in shown
    # The manager sees no rule editor: that is for admins.
    assert not started.find_elements("#watch-rule-add")
    started.driver.refresh()
    started.wait_for_contains_text("#watch-severity", "High", timeout=15)

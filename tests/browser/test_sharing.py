"""Share, embed and URL state in Chromium: a share link made on one view opens that view with
its filters; an embed link shows the view, read-only; a pasted address restores the view."""

import pytest
from selenium.webdriver.support.ui import WebDriverWait

import app as beacon
from tests.browser.conftest import choose, click, sign_in, url


@pytest.fixture
def scored(scored_url, seeded_engine):
    return scored_url


def address_in_panel(dash_duo) -> str:
    field = dash_duo.wait_for_element("#view-link-address", timeout=30)
    WebDriverWait(dash_duo.driver, 20).until(lambda _d: field.get_attribute("value"))
    return field.get_attribute("value")


def test_a_share_link_restores_the_view_and_its_filters(dash_duo, scored):
    dash_duo.start_server(beacon.app, navigate=False)
    sign_in(dash_duo, "analyst")
    dash_duo.driver.get(url(dash_duo, "/credit/journey?period=730"))
    dash_duo.wait_for_text_to_equal("#journey-period-value", "Last 2 years", timeout=20)
    dash_duo.wait_for_element("#journey-funnel .js-plotly-plot", timeout=30)
    click(dash_duo, {"type": "view-share", "view": "credit-journey"})
    shared = address_in_panel(dash_duo)
    assert "/s/" in shared
    dash_duo.driver.get(url(dash_duo, "/credit/journey"))  # elsewhere, then the link
    dash_duo.wait_for_text_to_equal("#journey-period-value", "Last 12 months", timeout=20)
    dash_duo.driver.get(shared)
    WebDriverWait(dash_duo.driver, 20).until(lambda d: d.current_url.endswith("?period=730"))
    dash_duo.wait_for_text_to_equal("#journey-period-value", "Last 2 years", timeout=20)
    assert not [e for e in dash_duo.get_logs() or [] if e.get("level") == "SEVERE"]


def test_an_embed_link_made_in_the_page_shows_the_view_read_only(dash_duo, scored):
    dash_duo.start_server(beacon.app, navigate=False)
    sign_in(dash_duo, "manager", regions=(1,))
    dash_duo.driver.get(url(dash_duo, "/schedules/utilisation"))
    dash_duo.wait_for_element(".export-menu", timeout=20)
    choose(dash_duo, "#util-period", value="Last 4 weeks")
    WebDriverWait(dash_duo.driver, 20).until(lambda d: "period=28" in d.current_url)
    click(dash_duo, {"type": "view-embed", "view": "utilisation"})
    embed = address_in_panel(dash_duo)
    code = dash_duo.find_element("#view-link-iframe").get_attribute("value")
    assert code.startswith(f'<iframe src="{embed}"') and "/embed/" in embed
    dash_duo.driver.get(embed)
    dash_duo.wait_for_contains_text("h1", "Schedule utilisation", timeout=60)
    body = dash_duo.find_element("main").text
    assert "Period: Last 4 weeks" in body and "read-only" in body.lower()
    assert dash_duo.driver.execute_script("return document.scripts.length") == 0
    drawn, tables = dash_duo.find_elements("img.img-fluid"), dash_duo.find_elements("main h2")
    assert len(drawn) + len(tables) == 3  # every chart: an image, or its (empty) rows

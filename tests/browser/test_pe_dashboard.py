"""The PE dashboard in a real Chromium: add, move and remove widgets, reload, theme, filters."""

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

import app as beacon
from tests.browser.conftest import choose, click, sign_in, url
from widgets.explain import ExplainAIO


@pytest.fixture
def started(dash_duo, seeded_engine):
    dash_duo.start_server(beacon.app, navigate=False)
    return dash_duo


def board(dash_duo) -> list[str]:
    """The widgets in page order, read in one step (the grid may be re-rendering)."""
    return dash_duo.driver.execute_script(
        "return [...document.querySelectorAll('[data-widget]')].map(e => e.dataset.widget);"
    )


def size_of(dash_duo, widget: str) -> str | None:
    return dash_duo.driver.execute_script(
        "const e = document.querySelector(`[data-widget='${arguments[0]}']`);"
        "return e && e.dataset.size;",
        widget,
    )


def wait_for_board(dash_duo, expected, timeout=20):
    WebDriverWait(dash_duo.driver, timeout).until(lambda _d: board(dash_duo) == expected)


@pytest.mark.embedded_too
def test_a_user_arranges_widgets_and_finds_the_layout_kept(started):
    sign_in(started, "analyst")
    started.driver.get(url(started, "/pe"))
    started.wait_for_element("[data-widget] .js-plotly-plot", timeout=30)
    first = board(started)
    assert first[0] == "attendance" and "team_suggestions" not in first

    # Add: the gallery searches title, description and category.
    click(started, "#pe-open-gallery")
    started.wait_for_element("#pe-search").send_keys("balanced teams")
    WebDriverWait(started.driver, 10).until(
        lambda _d: len(started.find_elements("#pe-gallery-list .gallery-item")) == 1
    )
    click(started, {"type": "pe-add", "widget": "team_suggestions"})
    wait_for_board(started, [*first, "team_suggestions"])
    started.find_element(".offcanvas .btn-close").click()

    # Move it up one place, make it large, remove attendance.
    click(started, {"type": "pe-up", "widget": "team_suggestions"})
    moved = [*first[:-1], "team_suggestions", first[-1]]
    wait_for_board(started, moved)
    size = started.driver.execute_script(
        "return document.getElementById(arguments[0]);",
        '{"type":"pe-size","widget":"team_suggestions"}',
    )
    Select(size).select_by_value("large")
    WebDriverWait(started.driver, 10).until(
        lambda _d: size_of(started, "team_suggestions") == "large"
    )
    click(started, {"type": "pe-remove", "widget": "attendance"})
    kept = [w for w in moved if w != "attendance"]
    wait_for_board(started, kept)

    # The team widget asks for a class until one is chosen in the dashboard filters.
    started.wait_for_contains_text('[data-widget="team_suggestions"]', "Pick a class", timeout=20)
    choose(started, "#pe-class", index=0)
    started.wait_for_contains_text(
        '[data-widget="team_suggestions"]', "Team means differ by at most", timeout=20
    )
    # "Explain this view" narrates the board as filtered now: one class.
    click(started, ExplainAIO.ids.button("pe-dashboard"))
    started.wait_for_contains_text(".insight-card", "Classes in view: 1", timeout=20)

    started.driver.refresh()
    started.wait_for_element("[data-widget]", timeout=20)
    assert board(started) == kept
    assert size_of(started, "team_suggestions") == "large"
    # The filters are remembered too, and the widgets follow them.
    started.wait_for_contains_text(
        '[data-widget="team_suggestions"]', "Team means differ by at most", timeout=20
    )

    # The theme changes the whole page and the widgets' charts.
    Select(started.find_element("#shell-theme-picker")).select_by_value("colourful")
    started.wait_for_element('html[data-beacon-theme="colourful"]', timeout=10)
    body = started.driver.find_element(By.TAG_NAME, "body")
    assert body.value_of_css_property("background-color") == "rgba(255, 247, 237, 1)"
    assert [e for e in started.get_logs() or [] if e.get("level") == "SEVERE"] == []


def test_a_viewer_sees_only_the_widgets_for_their_role(started):
    sign_in(started, "viewer")
    started.driver.get(url(started, "/pe"))
    started.wait_for_element("[data-widget]", timeout=20)
    click(started, "#pe-open-gallery")
    started.wait_for_element("#pe-gallery-list .gallery-item")
    text = started.find_element("#pe-gallery-list").get_attribute("textContent")
    assert "Skill gaps" in text and "Incident log" not in text and "Team suggestions" not in text

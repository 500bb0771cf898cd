"""Drill-down in Chromium: a click on a chart's bar filters the page or opens what the bar
counts, the address follows, and Back returns to the view before. Five charts: the risk
scores (filters the overview to a band), the booked hours on home (opens that week in the
calendar), the hours per room (lists the room's sessions), the journey's conversion by
channel (opens the portfolio filtered to the channel) and a PE widget's grades (filters the
board to a grade)."""

from datetime import UTC, datetime, timedelta

import pytest
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

import app as beacon
from actions.base import Actor
from actions.schedules import Booked, BookingRequest, book_session
from data import schedules
from data.engine import connect
from tests.browser.conftest import sign_in, url
from tests.browser.test_tutor_risk import bands_become
from tests.conftest import create_test_account
from vocabulary import CHANNELS


@pytest.fixture
def started(dash_duo, scored_url, seeded_engine):
    dash_duo.start_server(beacon.app, navigate=False)
    return dash_duo


def click_bar(dash_duo, graph: str, index: int = -1) -> None:
    """Click one bar of a Plotly bar chart (the last by default) as a person would."""
    bars = WebDriverWait(dash_duo.driver, 20).until(
        lambda d: d.find_elements(By.CSS_SELECTOR, f"{graph} .bars .point path")
    )
    ActionChains(dash_duo.driver).move_to_element(bars[index]).click().perform()


def address(dash_duo) -> str:
    current = dash_duo.driver.current_url
    return current[len(url(dash_duo, "")) :]


def test_a_band_bar_filters_the_risk_overview_and_back_undoes_it(started):
    sign_in(started, "analyst")
    started.driver.get(url(started, "/tutor-risk"))
    started.wait_for_contains_text(".grid-toolbar [role=status]", "tutors match", timeout=20)
    click_bar(started, "#risk-distribution-graph")  # the last bar: the riskiest scores
    WebDriverWait(started.driver, 15).until(lambda d: "band=" in d.current_url)
    band = address(started).split("band=")[1].split("&")[0]
    assert band in {"low", "medium", "high", "critical"}
    bands_become(started, {band})
    started.driver.back()
    WebDriverWait(started.driver, 15).until(lambda d: "band=" not in d.current_url)
    WebDriverWait(started.driver, 15).until(
        lambda d: (
            not d.find_element(By.CSS_SELECTOR, "#risk-band").text.startswith(band.capitalize())
        )
    )


def test_a_week_on_home_opens_that_week_in_the_calendar_and_back_returns(started):
    sign_in(started, "manager", (1,))
    started.wait_for_element(".kpi-value", timeout=20)
    graph = '[id=\'{"area":"schedules","type":"home-graph"}\']'
    click_bar(started, graph)
    WebDriverWait(started.driver, 15).until(lambda d: "/schedules?date=" in d.current_url)
    started.wait_for_text_to_equal("#shell-title", "Calendar", timeout=15)
    started.driver.back()
    WebDriverWait(started.driver, 15).until(lambda d: address(started) == "/")
    started.wait_for_text_to_equal("#shell-title", "Home", timeout=15)


@pytest.fixture
def on_a_copy(dash_duo, seeded_copy):
    """This test books a session: it gets its own copy of the seeded database."""
    dash_duo.start_server(beacon.app, navigate=False)
    return dash_duo


def test_a_room_bar_lists_its_sessions_and_back_returns(on_a_copy):
    started = on_a_copy
    account = create_test_account("manager", (1,))
    manager = Actor(account.id, account.display_name, "manager", (1,))
    with connect() as conn:
        host = schedules.hosts(conn=conn, region_ids=[1])["host"].iloc[0]
        room = int(schedules.rooms(conn=conn, region_ids=[1])["id"].iloc[0])
    day = (datetime.now(UTC) - timedelta(days=7)).date()
    day -= timedelta(days=day.weekday())  # a Monday of the last fortnight
    request = BookingRequest.model_validate(
        {"title": "Room check", "host": host, "room_id": room, "day": day}
        | {"start": "10:00", "end": "11:00"}
    )
    from analytics.scheduling import BusinessHours
    from settings import get_settings

    s = get_settings()
    hours = BusinessHours(s.business_opens, s.business_closes, tuple(s.business_days), s.timezone)
    earlier = datetime.now(UTC) - timedelta(days=30)  # booked before it happened
    assert isinstance(
        book_session(actor=manager, request=request, hours=hours, now=earlier), Booked
    )
    sign_in(started, "manager", (1,))
    started.driver.get(url(started, "/schedules/utilisation"))
    click_bar(started, "#util-rooms-graph")  # the busiest room is drawn last (on top)
    WebDriverWait(started.driver, 15).until(lambda d: f"room={room}" in d.current_url)
    assert "view=list" in address(started)
    started.wait_for_contains_text(".content", "Room check", timeout=20)
    started.driver.back()
    WebDriverWait(started.driver, 15).until(
        lambda d: address(started).startswith("/schedules/utilisation")
    )


def test_a_channel_bar_on_the_journey_opens_its_applications_and_back_returns(started):
    sign_in(started, "analyst")
    started.driver.get(url(started, "/credit/journey"))
    bars = WebDriverWait(started.driver, 20).until(
        lambda d: d.find_elements(By.CSS_SELECTOR, "#journey-channels-graph .bars .point path")
    )
    ActionChains(started.driver).move_to_element(bars[0]).click().perform()
    WebDriverWait(started.driver, 15).until(lambda d: address(started).startswith("/credit?"))
    assert address(started).split("channel=")[1] in CHANNELS
    started.wait_for_text_to_equal("#shell-title", "Portfolio", timeout=20)
    started.driver.back()
    WebDriverWait(started.driver, 15).until(
        lambda d: address(started).startswith("/credit/journey")
    )
    started.wait_for_element("#journey-channels-graph", timeout=20)


def saved_grade(user_id: int) -> object:
    from actions.pe_board import PREFERENCE
    from data.preferences import read_preference

    with connect() as conn:
        saved = read_preference(conn=conn, user_id=user_id, name=PREFERENCE)
    return (saved or {}).get("filters", {}).get("grade")


def test_a_grade_bar_on_the_pe_board_filters_it_and_back_undoes_it(started):
    account = sign_in(started, "analyst")
    started.driver.get(url(started, "/pe"))
    widget = '[data-widget="active_students"]'
    started.wait_for_element(f"{widget} .bars", timeout=20)
    # A board that moves with the newest data names no dates in its address.
    before = address(started)
    assert "grade=" not in before and "start=" not in before
    grades = len(
        WebDriverWait(started.driver, 20).until(
            lambda d: d.find_elements(By.CSS_SELECTOR, f"{widget} .bars .point path")
        )
    )
    assert grades > 1
    click_bar(started, widget, index=0)
    WebDriverWait(started.driver, 15).until(lambda d: "grade=" in d.current_url)
    grade = int(address(started).split("grade=")[1].split("&")[0])
    started.wait_for_contains_text("#pe-grade", f"Grade {grade}", timeout=15)
    # Every widget is redrawn for that grade alone: one bar left; the board keeps it.
    WebDriverWait(started.driver, 20).until(
        lambda d: len(d.find_elements(By.CSS_SELECTOR, f"{widget} .bars .point path")) == 1
    )
    WebDriverWait(started.driver, 10).until(lambda _d: saved_grade(account.id) == grade)

    drilled = address(started)
    entries = started.driver.execute_script("return history.length")
    started.driver.back()
    WebDriverWait(started.driver, 15).until(lambda _d: address(started) == before)
    started.wait_for_contains_text("#pe-grade", "All grades", timeout=15)
    WebDriverWait(started.driver, 20).until(
        lambda d: len(d.find_elements(By.CSS_SELECTOR, f"{widget} .bars .point path")) == grades
    )
    assert saved_grade(account.id) is None
    # The history holds each address once: Forward returns to the grade, Back leaves it.
    started.driver.forward()
    WebDriverWait(started.driver, 15).until(lambda _d: address(started) == drilled)
    started.wait_for_contains_text("#pe-grade", f"Grade {grade}", timeout=15)
    started.driver.back()
    WebDriverWait(started.driver, 15).until(lambda _d: address(started) == before)
    assert started.driver.execute_script("return history.length") == entries


def tutoring_kpis(dash_duo) -> list[str]:
    return dash_duo.driver.execute_script(
        "return [...document.querySelectorAll(arguments[0])].map(e => e.textContent);",
        '[id=\'{"area":"tutoring","type":"home-kpis"}\'] .kpi-value',
    )


def test_a_region_bar_on_home_shows_home_for_that_region_and_back_returns(started):
    sign_in(started, "analyst")  # sees every region
    WebDriverWait(started.driver, 20).until(lambda _d: len(tutoring_kpis(started)) >= 3)
    everyone = tutoring_kpis(started)
    click_bar(started, "#home-regions-graph", index=0)
    WebDriverWait(started.driver, 15).until(lambda d: "region=" in d.current_url)
    region = int(address(started).split("region=")[1].split("&")[0])
    with connect() as conn:
        from data import accounts

        regions = accounts.regions_table(conn=conn)
    name = str(regions[regions["id"] == region]["name"].iloc[0])
    started.wait_for_contains_text("#home-region", name, timeout=15)
    # Every section now counts that region alone: its own figures, as a manager of it sees.
    from pages import home
    from tests.conftest import acting_as

    with acting_as("manager", (region,)):
        cards, _ = home.fill_section(area="tutoring", region=None, theme="light")
    alone = [card.children.children.children[1].children for card in cards]
    assert alone != everyone
    WebDriverWait(started.driver, 20).until(lambda _d: tutoring_kpis(started) == alone)
    started.driver.back()
    WebDriverWait(started.driver, 15).until(lambda _d: address(started) == "/")
    started.wait_for_contains_text("#home-region", "All your regions", timeout=15)
    WebDriverWait(started.driver, 20).until(lambda _d: tutoring_kpis(started) == everyone)

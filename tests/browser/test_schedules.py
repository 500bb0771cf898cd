"""Schedules in real browsers: a manager books a session with a mentor, whose open page shows
the notification within five seconds without a reload; a session is booked with the keyboard
alone; calendars render and link."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait
from sqlalchemy import func, select, update

import app as beacon
from data.engine import connect, transaction
from data.models import Region, Schedule, Tutor, User
from settings import get_settings
from tests.browser.conftest import (
    GRID_COUNT,
    by_id,
    choose,
    click,
    grid_column,
    search_and_choose,
    sign_in,
    url,
)
from widgets.pickers import HostPickerAIO


@pytest.fixture
def started(dash_duo, seeded_engine):
    dash_duo.start_server(beacon.app, navigate=False)
    return dash_duo


@pytest.fixture
def fresh(dash_duo, seeded_copy):
    """Bookings write: this test gets its own copy of the seeded database."""
    dash_duo.start_server(beacon.app, navigate=False)
    return dash_duo


def second_browser(dash_duo):
    """Another Chromium with its own cookies: a second signed-in user."""
    from selenium import webdriver

    options = webdriver.ChromeOptions()
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1280,1000"):
        options.add_argument(flag)
    return webdriver.Chrome(options=options)


def sign_in_other(driver, dash_duo, role: str):
    from tests.conftest import PASSWORD, create_test_account

    account = create_test_account(role)
    driver.get(url(dash_duo, "/login"))
    driver.find_element("id", "email").send_keys(account.email)
    driver.find_element("id", "password").send_keys(PASSWORD)
    driver.find_element("css selector", "button[type=submit]").click()
    WebDriverWait(driver, 15).until(lambda d: d.find_elements("id", "shell-title"))
    return account


def test_a_booking_reaches_the_hosts_open_page_without_a_reload(fresh):
    started = fresh
    mentor_browser = second_browser(started)
    try:
        mentor = sign_in_other(mentor_browser, started, "analyst")
        mentor_name = f"Mentor {mentor.id}"
        with transaction() as conn:
            conn.execute(update(User).where(User.id == mentor.id).values(display_name=mentor_name))
        mentor_browser.get(url(started, "/schedules/mine"))
        WebDriverWait(mentor_browser, 15).until(lambda d: d.find_elements("id", "notify-bell"))
        badge = mentor_browser.find_element("id", "notify-badge")
        assert "d-none" in badge.get_attribute("class")

        sign_in(started, "admin")
        day = (datetime.now(ZoneInfo(get_settings().timezone)) + timedelta(days=7)).date()
        day -= timedelta(days=day.weekday())  # a Monday in the future
        started.driver.get(url(started, f"/schedules/book?date={day.isoformat()}"))
        started.wait_for_element("#book-title").send_keys("Mentoring catch-up")
        choose(
            started, by_id(HostPickerAIO.ids.dropdown("book-host")), value=f"{mentor_name} (mentor)"
        )
        choose(started, "#book-room", index=0)
        click(started, "#book-save")
        WebDriverWait(started.driver, 20).until(lambda d: "/schedules/book?id=" in d.current_url)

        # The mentor's page was never reloaded: the badge and the toast come by polling.
        WebDriverWait(mentor_browser, 5 + 3).until(
            lambda d: d.find_element("id", "notify-badge").text == "1"
        )
        toast = WebDriverWait(mentor_browser, 5).until(
            lambda d: d.find_element("id", "notify-toast")
        )
        assert "Mentoring catch-up" in toast.get_attribute("textContent")
        with connect() as conn:  # the toast and the list say whose region it is
            region = conn.execute(
                select(Region.name)
                .join(Schedule, Schedule.region_id == Region.id)
                .where(Schedule.title == "Mentoring catch-up")
            ).scalar_one()
        assert f" · {region}" in toast.get_attribute("textContent")
        mentor_browser.find_element("id", "notify-bell").click()
        WebDriverWait(mentor_browser, 10).until(
            lambda d: "Mentoring catch-up" in d.find_element("id", "notify-items").text
        )
        assert f" · {region}" in mentor_browser.find_element("id", "notify-items").text
        mentor_browser.find_element("id", "notify-read-all").click()
        WebDriverWait(mentor_browser, 10).until(
            lambda d: "d-none" in d.find_element("id", "notify-badge").get_attribute("class")
        )
        assert mentor.email
    finally:
        mentor_browser.quit()


def press(dash_duo, *keys: str) -> None:
    ActionChains(dash_duo.driver).send_keys(*keys).perform()


def focused(dash_duo) -> str:
    """The focused element's id, or its class when it has none."""
    return dash_duo.driver.execute_script(
        "const a = document.activeElement; return a.id || a.className || a.tagName;"
    )


def tab_to(dash_duo, element_id: str, most: int = 25) -> None:
    """Press Tab until `element_id` has the focus, as a keyboard user moves through a form."""
    for _ in range(most):
        press(dash_duo, Keys.TAB)
        if focused(dash_duo) == element_id:
            return
    raise AssertionError(f"{element_id} never took the focus; last: {focused(dash_duo)}")


def pick_first_by_keyboard(dash_duo, element_id: str) -> str:
    """Open a dropdown with Enter, take its first option with the arrow and Enter; returns
    the chosen label as the closed dropdown shows it."""
    press(dash_duo, Keys.ENTER)
    WebDriverWait(dash_duo.driver, 10).until(lambda d: "dash-dropdown-search" in focused(dash_duo))

    def first_option(_driver) -> bool:  # the options may arrive after the first press
        press(dash_duo, Keys.ARROW_DOWN)
        return "option" in focused(dash_duo)

    WebDriverWait(dash_duo.driver, 10, poll_frequency=0.3).until(first_option)
    press(dash_duo, Keys.ENTER)
    WebDriverWait(dash_duo.driver, 10).until(lambda d: focused(dash_duo) == element_id)
    return dash_duo.driver.execute_script(
        "return document.getElementById(arguments[0]).textContent;", element_id
    )


@pytest.mark.embedded_too
def test_a_session_is_booked_with_the_keyboard_alone(fresh):
    """No click after signing in: Tab, Enter, arrows and typing, through the skip link."""
    from tests.browser.conftest import dict_id

    sign_in(fresh, "admin")
    day = (datetime.now(ZoneInfo(get_settings().timezone)) + timedelta(days=14)).date()
    day -= timedelta(days=day.weekday())  # a Monday in the future
    fresh.driver.get(url(fresh, f"/schedules/book?date={day.isoformat()}"))
    fresh.wait_for_element("#book-title", timeout=20)
    press(fresh, Keys.TAB)
    assert focused(fresh) == "skip-link"
    press(fresh, Keys.ENTER)  # past the menus, to the page itself
    tab_to(fresh, "book-title")
    press(fresh, "Planning by keyboard")
    tab_to(fresh, dict_id(HostPickerAIO.ids.dropdown("book-host")))
    host = pick_first_by_keyboard(fresh, dict_id(HostPickerAIO.ids.dropdown("book-host")))
    tab_to(fresh, "book-room")
    room = pick_first_by_keyboard(fresh, "book-room")
    assert host and "type a tutor" not in host and room.startswith("Room"), (host, room)
    tab_to(fresh, "book-save", most=40)
    press(fresh, Keys.ENTER)
    WebDriverWait(fresh.driver, 20).until(lambda d: "/schedules/book?id=" in d.current_url)
    with connect() as conn:
        booked = conn.execute(
            select(Schedule.starts_at).where(Schedule.title == "Planning by keyboard")
        ).scalar_one()
    zone = ZoneInfo(get_settings().timezone)
    assert booked.astimezone(zone).date() == day


def test_calendar_views_render_and_the_url_keeps_the_filters(started):
    sign_in(started, "viewer")
    started.driver.get(url(started, "/schedules?view=month&date=2026-06-10"))
    started.wait_for_element(".calendar-month .session-chip", timeout=20)
    assert "June 2026" in started.find_element("#sched-range").text
    choose(started, "#sched-status", value="Cancelled")
    WebDriverWait(started.driver, 10).until(lambda d: "status=cancelled" in d.current_url)
    # The address changes before the calendar redraws: wait for the redraw, not for the URL.
    WebDriverWait(started.driver, 20).until(
        lambda d: not d.find_elements("css selector", ".session-chip.is-completed")
    )
    assert started.find_elements(".calendar-month .session-chip.is-cancelled")
    started.driver.get(url(started, "/schedules?view=list&date=2026-06-01&status=cancelled"))
    WebDriverWait(started.driver, 20).until(
        lambda d: set(grid_column(started, "status")) == {"cancelled"}
    )
    export = started.find_element("#sched-export").get_attribute("href")
    assert "status=cancelled" in export and "view=list" in export


def test_the_host_filter_searches_tutors_as_you_type(started):
    with connect() as conn:
        namesakes = select(Tutor.name).group_by(Tutor.name).having(func.count() > 1)
        tutor_id, name = conn.execute(
            select(Tutor.id, Tutor.name)
            .join(Schedule, Schedule.host_tutor_id == Tutor.id)
            .where(
                Schedule.starts_at >= datetime(2026, 6, 1, tzinfo=UTC),
                Tutor.name.not_in(namesakes),  # a namesake's label carries its number
            )
            .order_by(Schedule.starts_at)
        ).first()
    sign_in(started, "viewer")
    started.driver.get(url(started, "/schedules?view=month&date=2026-06-10"))
    started.wait_for_element(".calendar-month .session-chip", timeout=20)
    # The page holds no list of every tutor: it asks the server from two letters on.
    search_and_choose(
        started,
        by_id(HostPickerAIO.ids.dropdown("sched-host")),
        name.split()[-1][:5],
        f"{name} (tutor)",
    )
    WebDriverWait(started.driver, 10).until(lambda d: f"host=tutor%3A{tutor_id}" in d.current_url)
    started.wait_for_element(".calendar-month .session-chip", timeout=20)


def test_the_list_is_a_grid_read_from_the_server_a_block_at_a_time(started):
    sign_in(started, "viewer")
    started.driver.get(url(started, "/schedules?view=list&date=2026-05-04&until=2026-05-29"))
    started.wait_for_contains_text(GRID_COUNT, "sessions", timeout=20)
    total = int(started.find_element(GRID_COUNT).text.split()[0].replace(",", ""))
    drawn = grid_column(started, "title")
    assert total > 100 and 0 < len(drawn) <= 100  # never every session in the browser
    starts = [when.split("–")[0] for when in grid_column(started, "starts_at")]
    assert starts == sorted(starts)  # in start order until sorted otherwise

"""Data import in a real browser, on the embedded background manager: upload an
organisation's files, preview them, check them, see the problems and their report, load them
with a progress bar, and find every load in the history. Non-admins get nowhere."""

from __future__ import annotations

import pytest
from selenium.webdriver.support.ui import WebDriverWait
from sqlalchemy import func, select

import app as beacon
from data.engine import connect
from data.models import AuditEntry, Student, TutoringSession
from tests.browser.conftest import click, sign_in, url
from tests.imports.conftest import FILES, write_files


def fetch(dash_duo, path: str, method: str = "GET") -> dict:  # type: ignore[no-untyped-def]
    """A request from the signed-in browser itself (its cookies), as a user could send it."""
    return dash_duo.driver.execute_async_script(
        """const done = arguments[arguments.length - 1];
        fetch(arguments[0], {method: arguments[1], redirect: 'manual'})
          .then(r => r.text().then(t => done({status: r.status, text: t})));""",
        path,
        method,
    )


def counts() -> tuple[int, int]:
    with connect() as conn:
        students = conn.execute(select(func.count()).select_from(Student)).scalar_one()
        sessions = conn.execute(select(func.count()).select_from(TutoringSession)).scalar_one()
    return students, sessions


@pytest.fixture
def page(dash_duo, sqlite_url, use_database):  # type: ignore[no-untyped-def]
    use_database(sqlite_url)
    dash_duo.start_server(beacon.app, navigate=False)
    sign_in(dash_duo, "admin")
    dash_duo.driver.get(url(dash_duo, "/admin/import"))
    dash_duo.wait_for_text_to_equal("#shell-title", "Data import", timeout=20)
    dash_duo.wait_for_contains_text("#import-history", "No loads yet", timeout=20)
    return dash_duo


def upload(dash_duo, folder) -> None:  # type: ignore[no-untyped-def]
    """Choose the files in the upload form (a frame) and send them; the page reloads."""
    driver = dash_duo.driver
    driver.switch_to.frame(dash_duo.wait_for_element("iframe.upload-frame-host", timeout=20))
    driver.find_element("id", "files").send_keys("\n".join(map(str, sorted(folder.iterdir()))))
    driver.find_element("css selector", "button[type=submit]").click()
    driver.switch_to.default_content()
    dash_duo.wait_for_element("#import-check", timeout=20)


def test_upload_check_see_the_problems_then_load_and_find_it_in_the_history(page, tmp_path):
    files = dict(FILES)
    files["students.csv"] += "S9,Bad Grade,R1,seventh,2025-09-01\n"
    upload(page, write_files(tmp_path / "org", files))
    titles = [b.text for b in page.find_elements(".accordion-button")]
    assert len(titles) == len(files) and titles[-1] == (
        f"tutors.csv · {len(files['tutors.csv'].encode())} bytes · preview"
    )
    page.driver.execute_script("arguments[0].click();", page.find_elements(".accordion-button")[-1])
    page.wait_for_contains_text(
        ".accordion-item:last-child .accordion-body", "Ada Lovelace", timeout=10
    )  # first rows

    click(page, "#import-check")
    page.wait_for_contains_text("#import-result", "Dry run", timeout=60)
    result = page.find_element("#import-result").text
    assert "1 problem to fix first. Nothing was saved." in result
    assert "students.csv 5 grade seventh is not a whole number" in result
    assert counts() == (0, 0)

    link = page.find_element("#import-result a[href*='/report/']").get_attribute("href")
    report = fetch(page, link)
    assert report["status"] == 200
    assert report["text"].splitlines() == [
        "file,row,column,value,reason",
        "students.csv,5,grade,seventh,is not a whole number",
    ]

    click(page, "#import-load")
    page.wait_for_contains_text("#import-result", "Nothing was loaded: 1 problem.", timeout=60)
    assert counts() == (0, 0)  # all or nothing

    click(page, "#import-skip-bad-rows")
    click(page, "#import-load")
    page.wait_for_contains_text("#import-result", "Loaded:", timeout=60)
    assert "1 problem set aside" in page.find_element("#import-result").text
    assert counts() == (3, 3)

    WebDriverWait(page.driver, 20).until(
        lambda d: len(d.find_elements("css selector", "#import-history tbody tr")) == 3
    )
    rows = [r.text for r in page.find_elements("#import-history tbody tr")]
    assert "loaded" in rows[0] and "Test admin" in rows[0] and "this page" in rows[0]
    assert "rejected" in rows[1] and "dry run" in rows[2]
    assert "would be" in rows[2]
    # Each step ran in a background job, yet its audit entry says where it was asked from.
    with connect() as conn:
        audited = conn.execute(
            select(AuditEntry.action, AuditEntry.ip_address)
            .where(AuditEntry.action.like("data.%"), AuditEntry.action != "data.uploaded")
            .order_by(AuditEntry.id)
        ).all()
    assert [a for a, _ in audited] == ["data.checked", "data.rejected", "data.loaded"], audited
    assert {ip for _, ip in audited} == {"127.0.0.1"}, audited


def test_the_load_shows_its_progress(page, tmp_path):
    sessions = ["external_id,tutor_id,student_id,scheduled_start,duration_minutes,status"]
    sessions += [f"X{i},T1,S1,2026-05-01T10:00:00+00:00,60,completed" for i in range(60_000)]
    files = {**FILES, "tutoring_sessions.csv": "\n".join(sessions) + "\n"}
    upload(page, write_files(tmp_path / "org", files))
    click(page, "#import-load")
    seen: set[str] = set()

    def finished(driver) -> bool:  # type: ignore[no-untyped-def]
        if text := driver.find_element("id", "import-progress-text").text:
            seen.add(text)
        return "Loaded:" in driver.find_element("id", "import-result").text

    WebDriverWait(page.driver, 120, poll_frequency=0.1).until(finished)
    assert any("rows" in step for step in seen), seen
    assert counts() == (3, 60_000)


def test_an_unknown_file_and_a_stale_upload_are_said_plainly(page, tmp_path):
    upload(page, write_files(tmp_path / "org", {"teachers.csv": "id,name\n1,Ada\n"}))
    click(page, "#import-check")
    page.wait_for_contains_text("#import-result", "names no entity of the data contract", 60)

    page.driver.get(url(page, "/admin/import?upload=" + "x" * 32))
    page.wait_for_contains_text("#_pages_content", "That upload is not there any more", 20)


@pytest.mark.parametrize("role", ["manager", "analyst", "viewer"])
def test_only_admins_reach_the_page_the_upload_and_the_reports(
    dash_duo, sqlite_url, use_database, role
):  # type: ignore[no-untyped-def]
    use_database(sqlite_url)
    dash_duo.start_server(beacon.app, navigate=False)
    sign_in(dash_duo, role)
    dash_duo.driver.get(url(dash_duo, "/admin/import"))
    dash_duo.wait_for_contains_text("#_pages_content", "You do not have access", timeout=20)
    assert fetch(dash_duo, "/admin/import/upload", "POST")["status"] == 403
    assert fetch(dash_duo, "/admin/import/report/1.csv")["status"] == 403
    assert fetch(dash_duo, "/admin/import/templates/tutors.csv")["status"] == 403

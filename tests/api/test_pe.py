"""PE widget data over the API: the widgets a role may read, each one's numbers under the
dashboard's filters and its settings, within the token's regions."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select

from data import accounts
from data.engine import connect
from data.models import Attendance, Equipment, PEClass, School
from tests.api.conftest import as_role, assert_problem


def _regions() -> tuple[int, int]:
    with connect() as conn:
        ids = accounts.regions_table(conn=conn)["id"]
    return int(ids.iloc[0]), int(ids.iloc[1])


def test_the_widget_list_follows_the_role(server, api):
    everything = {w["id"] for w in api.get("/api/v1/pe/widgets").json()["items"]}
    assert len(everything) == 15
    viewer = as_role(server, "viewer")
    listed = viewer.get("/api/v1/pe/widgets").json()["items"]
    assert {w["id"] for w in listed} == everything - {
        "progress",
        "incident_log",
        "health",
        "team_suggestions",
    }
    fitness = next(w for w in listed if w["id"] == "fitness")
    assert fitness["settings"]["properties"]["metric"]["enum"] == [
        "shuttle_run",
        "push_ups",
        "sit_and_reach",
    ]
    # Student-level widgets stay with staff, as on the page.
    assert_problem(viewer.get("/api/v1/pe/widgets/incident_log"), 403)


def test_a_widget_answers_for_the_dashboards_default_period(api):
    with connect() as conn:
        newest = conn.execute(select(func.max(Attendance.session_date))).scalar_one()
    answer = api.get("/api/v1/pe/widgets/attendance").json()
    assert answer["last_day"] == newest.isoformat()
    assert answer["first_day"] == (newest - timedelta(days=119)).isoformat()
    assert not answer["empty"] and answer["message"] is None
    weeks = answer["tables"]["rows"]
    actual = [w for w in weeks if w["kind"] == "actual"]
    forecast = [w for w in weeks if w["kind"] == "forecast"]
    assert actual and len(forecast) == 4
    assert all(0 <= w["value"] <= 1 for w in actual)
    # Whole weeks only (the demo's last day is a Monday, its week left out): the forecast
    # begins with the week in progress.
    last_week = max(w["period"] for w in actual)
    assert last_week <= answer["last_day"] and min(w["period"] for w in forecast) > last_week
    assert date.fromisoformat(last_week[:10]) + timedelta(days=6) <= newest


def test_the_inventory_is_every_item_of_the_schools_in_the_tokens_regions(server):
    own, other = _regions()
    with connect() as conn:
        items = conn.execute(
            select(func.count())
            .select_from(Equipment)
            .join(School, School.id == Equipment.school_id)
            .where(School.region_id == own)
        ).scalar_one()
        theirs = conn.execute(select(School.id).where(School.region_id == other)).scalars().first()
        ours = conn.execute(
            select(PEClass.id).join(School).where(School.region_id == own)
        ).scalars()
        class_id = next(iter(ours))
    manager = as_role(server, "manager", (own,))
    answer = manager.get("/api/v1/pe/widgets/equipment").json()
    assert len(answer["tables"]["rows"]) == items > 0
    assert_problem(manager.get(f"/api/v1/pe/widgets/equipment?school_id={theirs}"), 404)
    teams = manager.get(f"/api/v1/pe/widgets/team_suggestions?class_id={class_id}&teams=3")
    split = teams.json()
    assert split["filters"]["class_id"] == class_id and split["settings"]["teams"] == 3
    assert {row["team"] for row in split["tables"]["split.players"]} == {1, 2, 3}
    assert split["values"]["split.spread"] >= 0 and split["values"]["class_name"]


def test_settings_and_filters_are_checked_with_a_reason(api):
    shuttle = api.get("/api/v1/pe/widgets/fitness?metric=push_ups").json()
    assert shuttle["settings"] == {"metric": "push_ups"} and shuttle["tables"]["rows"]
    wrong = assert_problem(api.get("/api/v1/pe/widgets/fitness?metric=javelin"), 422)
    assert "metric" in wrong["detail"]
    foreign = assert_problem(api.get("/api/v1/pe/widgets/attendance?metric=bmi"), 422)
    assert "Attendance and forecast" in foreign["detail"] and "metric" in foreign["detail"]
    backwards = api.get("/api/v1/pe/widgets/attendance?start=2026-05-02&end=2026-05-01")
    assert_problem(backwards, 422)
    assert_problem(api.get("/api/v1/pe/widgets/javelin"), 404)


def test_an_empty_period_says_so(api):
    far = date(2040, 1, 1)
    answer = api.get(f"/api/v1/pe/widgets/skill_gaps?start={far}&end={far}").json()
    assert answer["empty"] and answer["message"] == "No skill assessments in this period"
    assert answer["tables"] == {} and answer["first_day"] == answer["last_day"] == str(far)


def test_a_manager_token_reads_only_its_regions_classes_and_incidents(server):
    own, other = _regions()
    with connect() as conn:
        ours = {
            str(name)
            for name in conn.execute(select(School.name).where(School.region_id == own)).scalars()
        }
        foreign_class = (
            conn.execute(select(PEClass.id).join(School).where(School.region_id == other))
            .scalars()
            .first()
        )
    manager = as_role(server, "manager", (own,))
    assert_problem(manager.get(f"/api/v1/pe/widgets/progress?class_id={foreign_class}"), 404)
    log = manager.get("/api/v1/pe/widgets/incident_log?start=2025-01-01").json()
    schools = {row["school_name"] for row in log["tables"]["rows"]}
    assert schools and schools <= ours
    progress = manager.get("/api/v1/pe/widgets/progress").json()["tables"]["rows"]
    assert progress and {row["class_name"].split(" · ")[0] for row in progress} <= ours


def test_the_role_is_checked_first_and_odd_dates_are_refused(server, api):
    viewer = as_role(server, "viewer")
    assert_problem(viewer.get("/api/v1/pe/widgets/incident_log?school_id=99999999"), 403)
    assert_problem(api.get("/api/v1/pe/widgets/attendance?end=0001-01-05"), 422)
    assert_problem(api.get("/api/v1/pe/widgets/attendance?start=9999-12-31"), 422)

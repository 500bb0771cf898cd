"""Numbers out: the lists the pages show, paged and filtered the same way, inside the
token's regions; the audit log for admins' tokens only."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from data import accounts
from data.engine import connect
from data.models import Schedule, Tutor
from tests.api.conftest import as_role, assert_problem

WEEK = "since=2026-06-01T00:00:00Z&until=2026-06-08T00:00:00Z"  # before the demo's as-of


def test_the_tutor_risk_list_pages_filters_and_sorts(api):
    first = api.get("/api/v1/tutors/risk?per_page=5").json()
    assert first["as_of"] and first["model_version"] and len(first["items"]) == 5
    scores = [t["score"] for t in first["items"]]
    assert scores == sorted(scores, reverse=True)
    second = api.get("/api/v1/tutors/risk?per_page=5&page=2").json()
    assert second["total"] == first["total"]
    assert not {t["tutor_id"] for t in first["items"]} & {t["tutor_id"] for t in second["items"]}
    high = api.get("/api/v1/tutors/risk?band=high&per_page=500").json()
    assert {t["band"] for t in high["items"]} <= {"high"} and high["total"] == len(high["items"])
    names = api.get("/api/v1/tutors/risk?sort=name&per_page=20").json()["items"]
    assert [t["name"] for t in names] == sorted(t["name"] for t in names)
    # Each says whether the tutor has left (a caller would otherwise call a leaver).
    listed = api.get("/api/v1/tutors/risk?per_page=100").json()["items"]
    with connect() as conn:
        left = dict(
            conn.execute(
                select(Tutor.id, Tutor.left_on).where(Tutor.id.in_([t["tutor_id"] for t in listed]))
            ).all()
        )
    assert {t["tutor_id"]: t["left_on"] for t in listed} == {
        tutor: day and day.isoformat() for tutor, day in left.items()
    }
    # And each its id in the organisation's own system, to match answers to its records.
    with connect() as conn:
        theirs = dict(
            conn.execute(
                select(Tutor.id, Tutor.external_id).where(
                    Tutor.id.in_([t["tutor_id"] for t in listed])
                )
            ).all()
        )
    assert {t["tutor_id"]: t["external_id"] for t in listed} == theirs
    profile = api.get(f"/api/v1/tutors/{listed[0]['tutor_id']}").json()
    assert profile["external_id"] == theirs[listed[0]["tutor_id"]] is not None


def test_a_manager_token_lists_and_opens_only_its_regions_tutors(server):
    with connect() as conn:
        regions = accounts.regions_table(conn=conn)
        own, other = int(regions["id"].iloc[0]), int(regions["id"].iloc[1])
        code = str(regions["code"].iloc[0])
        theirs = conn.execute(
            select(Tutor.id).where(Tutor.region_id == other).limit(1)
        ).scalar_one()
        in_own = conn.execute(
            select(func.count()).select_from(Tutor).where(Tutor.region_id == own)
        ).scalar_one()
    manager = as_role(server, "manager", (own,))
    listed = manager.get("/api/v1/tutors/risk?per_page=500").json()
    assert listed["total"] and {t["region"] for t in listed["items"]} == {code}
    assert listed["total"] <= in_own
    assert_problem(manager.get(f"/api/v1/tutors/risk?region_id={other}"), 403)
    assert_problem(manager.get(f"/api/v1/tutors/{theirs}"), 403)
    mine = listed["items"][0]["tutor_id"]
    profile = manager.get(f"/api/v1/tutors/{mine}").json()
    assert profile["id"] == mine and profile["scores"] and "email" not in profile


def test_a_tutor_profile_has_its_score_history_and_404_for_none(api):
    tutor = api.get("/api/v1/tutors/risk?per_page=1").json()["items"][0]
    profile = api.get(f"/api/v1/tutors/{tutor['tutor_id']}").json()
    assert profile["name"] == tutor["name"]
    assert profile["scores"][-1]["score"] == tutor["score"]
    dates = [s["as_of"] for s in profile["scores"]]
    assert dates == sorted(dates)
    assert_problem(api.get("/api/v1/tutors/99999999"), 404)


def test_schedules_in_a_range_match_the_database(api):
    with connect() as conn:
        expected = conn.execute(
            select(func.count())
            .select_from(Schedule)
            .where(
                Schedule.starts_at >= datetime(2026, 6, 1, tzinfo=UTC),
                Schedule.starts_at < datetime(2026, 6, 8, tzinfo=UTC),
            )
        ).scalar_one()
    answer = api.get(f"/api/v1/schedules?{WEEK}&per_page=500").json()
    assert answer["total"] == expected == len(answer["items"]) > 0
    starts = [s["starts_at"] for s in answer["items"]]
    assert starts == sorted(starts) and all("2026-06-01" <= s < "2026-06-08" for s in starts)


def test_a_range_lists_the_sessions_that_start_in_it_so_ranges_in_a_row_list_each_once(api):
    with connect() as conn:
        first = conn.execute(
            select(Schedule.id, Schedule.starts_at)
            .where(Schedule.starts_at >= datetime(2026, 6, 1, tzinfo=UTC))
            .order_by(Schedule.starts_at)
            .limit(1)
        ).one()
    start = first.starts_at.astimezone(UTC)
    seen = []
    for since, until in (
        (start - timedelta(days=1), start + timedelta(minutes=1)),
        (start + timedelta(minutes=1), start + timedelta(days=1)),
    ):
        query = f"since={since:%Y-%m-%dT%H:%M:%SZ}&until={until:%Y-%m-%dT%H:%M:%SZ}"
        seen += [
            s["id"] for s in api.get(f"/api/v1/schedules?{query}&per_page=500").json()["items"]
        ]
    assert seen.count(first.id) == 1 and len(seen) == len(set(seen))


def test_a_schedule_range_must_be_short_and_say_its_zone(api):
    far = "since=2026-01-01T00:00:00Z&until=2026-06-01T00:00:00Z"
    assert (
        "93 days"
        in assert_problem(api.get(f"/api/v1/schedules?{far}"), 422)["errors"][0]["message"]
    )
    naive = "since=2026-01-05T00:00:00&until=2026-01-12T00:00:00Z"
    assert (
        assert_problem(api.get(f"/api/v1/schedules?{naive}"), 422)["errors"][0]["field"] == "since"
    )
    assert_problem(api.get("/api/v1/schedules"), 422)
    # Times that exist but whose UTC falls outside the calendar (found by the fuzzer: a 500).
    for edge in (
        "since=0001-01-01T00:00:00%2B01:00&until=0001-01-02T00:00:00Z",
        "since=9999-12-31T00:00:00Z&until=9999-12-31T22:00:00-05:00",
    ):
        assert "years 1 to 9999" in str(assert_problem(api.get(f"/api/v1/schedules?{edge}"), 422))


def test_the_audit_log_is_for_admins_tokens_only(server, api):
    assert_problem(api.get("/api/v1/audit"), 403)
    admin = as_role(server, "admin")
    entries = admin.get("/api/v1/audit?action=api_token&per_page=50").json()
    assert entries["total"] >= 2 and all(
        e["action"].startswith("api_token") for e in entries["items"]
    )
    assert all(isinstance(e["entity_id"], int) for e in entries["items"])


def test_paging_values_out_of_range_are_422_not_500(api):
    for query in ("per_page=0", "per_page=501", "page=0", "page=abc", "band=purple", "sort=evil"):
        assert_problem(api.get(f"/api/v1/tutors/risk?{query}"), 422)


def test_a_misspelt_filter_or_a_backwards_range_is_refused_not_ignored(server, api):
    """regionid=3 answered every region; an audit range ending before it began, nothing."""
    body = assert_problem(api.get("/api/v1/tutors/risk?regionid=3"), 422)
    assert body["errors"][0]["field"] == "regionid"
    assert_problem(api.get("/api/v1/pe/widgets/attendance?schoolid=1"), 422)
    admin = as_role(server, "admin")
    backwards = "since=2026-06-02T00:00:00Z&until=2026-06-01T00:00:00Z"
    assert "until must be after since" in str(
        assert_problem(admin.get(f"/api/v1/audit?{backwards}"), 422)
    )


def test_each_area_s_kpis_are_the_home_page_s_with_their_period(api):
    from pages import home
    from tests.conftest import acting_as
    from tests.unit.test_app import kpis_by_title

    with acting_as("analyst"):
        shown = {
            area: kpis_by_title(home.fill_section(area=area, region=None, theme="light")[0])
            for area in home.SECTIONS
        }
    for area in ("tutoring", "pe", "schedules", "credit"):
        body = api.get(f"/api/v1/kpis/{area}").json()
        assert body["area"] == area and body["data_as_of"]
        assert [k["title"] for k in body["kpis"]] == list(shown[area])
        for kpi in body["kpis"]:
            assert kpi["last_day"] <= body["data_as_of"] or kpi["key"] == "bookings_next_7_days"
            if kpi["compared_with"]:
                assert kpi["first_day"] < kpi["last_day"]
    sessions = next(k for k in api.get("/api/v1/kpis/tutoring").json()["kpis"])
    assert shown["tutoring"]["Sessions completed, last 4 weeks"] == f"{sessions['value']:,.0f}"
    assert_problem(api.get("/api/v1/kpis/weather"), 422)


def test_the_watchlist_is_the_page_s_list_in_the_token_s_regions(server, api):
    from actions.base import Actor
    from actions.credit_watch import watched_loans
    from auth.requests import now

    everyone = api.get("/api/v1/credit/watchlist?per_page=500").json()
    expected = watched_loans(
        actor=Actor(user_id=1, display_name="x", role="analyst"),
        severity=None,
        rule_id=None,
        now=now(),
    )
    assert everyone["total"] == len(expected) > 0
    assert [w["loan_id"] for w in everyone["items"]] == expected["loan_id"].tolist()[:500]
    assert all(len(w["disbursed_on"]) == 10 for w in everyone["items"])
    region = everyone["items"][0]["region_id"]
    manager = as_role(server, "manager", (region,))
    theirs = manager.get("/api/v1/credit/watchlist?per_page=500").json()
    assert theirs["total"] and {w["region_id"] for w in theirs["items"]} == {region}
    high = api.get("/api/v1/credit/watchlist?severity=high&per_page=500").json()
    assert {w["severity"] for w in high["items"]} <= {"high", "critical"}

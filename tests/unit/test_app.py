"""The server's own routes and the home callbacks, called directly against real databases."""

from datetime import timedelta

import pytest
from dash import dcc
from dash.exceptions import PreventUpdate

import app as beacon
from analytics.kpis import by_status, compare_periods
from components.formatting import number
from components.view_tools import address_id
from data.engine import connect
from data.queries import overview
from pages import home
from tests.conftest import acting_as, graph_of, on_page
from web import shell_callbacks


@pytest.fixture
def client():
    return beacon.server.test_client()


def test_healthz_answers_without_a_database(client, use_database, tmp_path):
    use_database(f"sqlite:///{tmp_path}/missing/dir/beacon.db")
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


def test_readyz_is_ready_when_the_database_answers(client, seeded_engine):
    response = client.get("/readyz")
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "ready"
    assert body["checks"]["database"]["ok"] is True
    assert "schema at" in body["checks"]["database"]["detail"]
    assert set(body["checks"]) == {"database"}  # no Redis configured: nothing else is needed


def test_readyz_is_503_with_a_short_reason_when_the_database_is_down(
    client, use_database, tmp_path
):
    use_database(f"sqlite:///{tmp_path}/missing/dir/beacon.db")
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.get_json() == {
        "status": "unavailable",
        "checks": {"database": {"ok": False, "detail": "database unreachable (OperationalError)"}},
    }


def kpis_by_title(cards) -> dict[str, str]:
    values = {}
    for column in cards:
        body = column.children.children.children
        values[body[0].children] = body[1].children
    return values


def test_home_tutoring_kpis_come_from_the_database(seeded_engine):
    with acting_as("viewer"):
        cards, chart = home.fill_section(area="tutoring", region=None, theme="light")
    shown = kpis_by_title(cards)
    with connect() as conn:
        end = overview.data_as_of(conn=conn)["newest"].max().normalize()
        daily = overview.daily_sessions(
            conn=conn, since=end - timedelta(days=60), until=end + timedelta(days=1)
        )
    completed = compare_periods(
        by_status(daily, value="sessions"), numerator="completed", end=end, days=28
    )
    assert shown["Sessions completed, last 4 weeks"] == number(completed.current)
    assert completed.current > 0
    chart = graph_of(chart)
    assert isinstance(chart, dcc.Graph)
    assert {trace["name"] for trace in chart.figure["data"]} >= {"completed", "no show"}


@pytest.mark.parametrize("area", list(home.SECTIONS))
def test_every_home_section_fills_with_cards_and_a_chart(seeded_engine, area):
    with acting_as("analyst"):
        cards, chart = home.fill_section(area=area, region=None, theme="dark")
    assert len(cards) >= 3
    assert all(value not in ("", None) for value in kpis_by_title(cards).values())
    chart = graph_of(chart)
    assert isinstance(chart, dcc.Graph)
    assert chart.figure["layout"]["template"]["layout"]["paper_bgcolor"]  # a themed figure


def test_home_on_an_empty_database_shows_the_designed_empty_state(empty_url, use_database):
    use_database(empty_url)
    with acting_as("viewer"):
        cards, chart = home.fill_section(area="credit", region=None, theme="light")
    (only,) = cards  # one designed empty state where the figures would be, saying why
    assert only.children.className == "empty-state"
    assert "python -m beacon seed" in str(only.children.children)
    assert "empty-state" in chart.className


def test_home_refuses_a_forged_area(seeded_engine):
    with acting_as("viewer"), pytest.raises(PreventUpdate):
        home.fill_section(area="../../etc/passwd", region=None, theme="light")


def test_page_title_follows_the_registry(seeded_engine):
    with acting_as("viewer"):
        assert shell_callbacks.page_title("/") == "Home"
        assert shell_callbacks.page_title("/nowhere") == "Page not found"


def test_a_managers_home_counts_only_their_regions(seeded_engine):
    with acting_as("manager", regions=(1,)):
        mine = kpis_by_title(home.fill_section(area="tutoring", region=None, theme="light")[0])
    with acting_as("analyst"):
        everyone = kpis_by_title(home.fill_section(area="tutoring", region=None, theme="light")[0])
    with connect() as conn:
        end = overview.data_as_of(conn=conn)["newest"].max().normalize()
        daily = overview.daily_sessions(
            conn=conn,
            since=end - timedelta(days=60),
            until=end + timedelta(days=1),
            region_ids=[1],
        )
    region_one = compare_periods(
        by_status(daily, value="sessions"), numerator="completed", end=end, days=28
    )
    key = "Sessions completed, last 4 weeks"
    assert mine[key] == number(region_one.current)
    assert int(mine[key].replace(",", "")) < int(everyone[key].replace(",", ""))


def test_home_for_one_region_counts_that_region_as_a_manager_of_it_sees_it(seeded_engine):
    key = "Sessions completed, last 4 weeks"
    with acting_as("analyst"):
        chosen = kpis_by_title(home.fill_section(area="tutoring", region=1, theme="light")[0])
        everyone = kpis_by_title(home.fill_section(area="tutoring", region=None, theme="light")[0])
    with acting_as("manager", regions=(1,)):
        manager = kpis_by_title(home.fill_section(area="tutoring", region=None, theme="light")[0])
    assert chosen == manager
    assert chosen[key] != everyone[key]


def test_home_refuses_a_region_outside_the_users_scope_or_a_forged_one(seeded_engine):
    from auth.access import AccessDenied

    with acting_as("manager", regions=(1,)):
        for forged in (2, "1", 1.5, True, [1], {"id": 1}, 2**70):
            with pytest.raises(AccessDenied):
                home.fill_section(area="tutoring", region=forged, theme="light")
            with pytest.raises(AccessDenied):
                home.fill_regions(region=forged, theme="light")
        # An address naming another region shows theirs, and the address is corrected.
        page = home.layout(region="2")
        assert on_page(page, home.ids.region).value is None
        assert on_page(page, address_id("home")).data == ""
        assert on_page(home.layout(region="1"), address_id("home")).data == "?region=1"
    with acting_as("analyst"):  # sees every region, but only regions that exist
        for forged in (99_999, 2**70, 0, -1):
            with pytest.raises(AccessDenied):
                home.fill_section(area="tutoring", region=forged, theme="light")
        assert on_page(home.layout(region=str(2**70)), address_id("home")).data == ""


def test_the_region_chart_counts_each_regions_sessions_and_drills_to_its_id(seeded_engine):
    with acting_as("analyst"):
        body, note = home.fill_regions(region=2, theme="light")
        chart = graph_of(body)
        rows = home.region_rows({})
        everyone = home.fill_regions(region=None, theme="light")[1]
    region_two = rows[rows["region_id"] == 2]
    name, count = region_two["region"].iloc[0], number(int(region_two["sessions"].sum()))
    total = number(int(rows["sessions"].sum()))
    assert note.startswith(f"Every section counts {name} alone: {count} of {total} ")
    assert everyone.startswith(f"Every section counts all your regions: {total} tutoring sessions")
    with connect() as conn:
        end = overview.data_as_of(conn=conn)["newest"].max().normalize()
        daily = overview.daily_sessions(
            conn=conn,
            since=end - timedelta(weeks=home.REGION_WEEKS, days=-1),
            until=end + timedelta(days=1),
        )
    assert rows["sessions"].sum() == daily["sessions"].sum() > 0
    assert rows["region_id"].nunique() > 1
    traces = chart.figure["data"]
    assert {t["name"] for t in traces} >= {"completed"}
    first = traces[0]
    assert set(first["customdata"]) == set(rows["region_id"])
    shown = zip(first["marker"]["opacity"], first["customdata"], strict=True)
    faded = [opacity for opacity, key in shown if key != 2]
    assert faded and all(o < 1 for o in faded)
    assert "Click to see this page for this region alone" in first["hovertemplate"]
    with acting_as("analyst"):
        assert home.drill_to_region({"points": [{"customdata": 3}]}) == 3
        for forged in (None, {"points": [{"customdata": "3"}]}, {"points": "x"}):
            with pytest.raises(PreventUpdate):
                home.drill_to_region(forged)


def test_a_chosen_theme_is_saved_on_the_account_and_a_forged_one_falls_back(seeded_engine):
    from data.preferences import read_preference

    with acting_as("viewer") as account:
        assert shell_callbacks.save_theme("professional") == "professional"
        with connect() as conn:
            assert read_preference(conn=conn, user_id=account.id, name="theme") == "professional"
        assert beacon.app_layout() is not None
        assert shell_callbacks.save_theme("<img src=x onerror=alert(1)>") == "default"
        with connect() as conn:
            assert read_preference(conn=conn, user_id=account.id, name="theme") == "default"


def test_the_theme_stylesheet_is_public_and_cacheable(client):
    response = client.get("/theme.css")
    assert response.status_code == 200
    assert response.mimetype == "text/css"
    assert '[data-beacon-theme="high-contrast"]' in response.get_data(as_text=True)
    assert "no-store" not in response.headers.get("Cache-Control", "")


def test_data_as_of_shows_the_newest_data_and_a_stale_badge_past_the_limit(
    seeded_engine, monkeypatch
):
    from settings import get_settings

    with acting_as("viewer"):
        text, badge = shell_callbacks.show_data_as_of("/")
    assert text.startswith("Data as of 2026-06-1")
    assert badge.children == "Stale" and "24 hours" in badge.title  # the demo data is months old
    monkeypatch.setenv("BEACON_STALE_AFTER_HOURS", str(24 * 3650))
    get_settings.cache_clear()
    try:
        with acting_as("viewer"):
            assert shell_callbacks.show_data_as_of("/") == [text]
    finally:
        monkeypatch.delenv("BEACON_STALE_AFTER_HOURS")
        get_settings.cache_clear()


def test_homes_recent_activity_follows_the_region_chosen(seeded_copy):
    """Every section counts the chosen region alone, and so does the feed below them; a
    region that is not the user's is refused."""
    from datetime import UTC, datetime

    from auth.access import AccessDenied
    from data import activity
    from data.engine import transaction

    with acting_as("admin"):
        regions = home.regions_in_scope()["id"].tolist()[:2]
    with transaction() as conn:
        for region in regions:
            activity.record_event(
                conn=conn,
                actor_id=None,
                area=activity.FEED_AREAS[0],
                verb="noted",
                entity_type="test",
                entity_id=region,
                region_id=region,
                summary=f"Something happened in region {region}",
                now=datetime.now(UTC),
            )
    with acting_as("admin"):
        every = str(home.follow_region(None))
        first = str(home.follow_region(regions[0]))
        assert all(f"Something happened in region {r}" in every for r in regions)
        assert f"Something happened in region {regions[0]}" in first
        assert f"Something happened in region {regions[1]}" not in first
        with pytest.raises(AccessDenied):
            home.follow_region(10**6)

"""The feed and notifications: who is told, who may read, scoped by role and region."""

from datetime import UTC, datetime, timedelta

import pandas as pd
import pytest
from sqlalchemy import insert, select

from data import activity
from data.engine import engine_for
from data.models import Region
from tests.conftest import create_test_account, pointed_at

NOW = datetime(2026, 11, 22, 9, tzinfo=UTC)


@pytest.fixture
def people(empty_url):
    with engine_for(empty_url).begin() as conn:
        conn.execute(
            insert(Region),
            [{"id": 1, "code": "N", "name": "North"}, {"id": 2, "code": "S", "name": "South"}],
        )
    with pointed_at(empty_url):
        return {
            "actor": create_test_account("manager", (1,)),
            "north": create_test_account("manager", (1,)),
            "south": create_test_account("manager", (2,)),
            "analyst": create_test_account("analyst"),
            "viewer": create_test_account("viewer"),
        }


def event(conn, region_id, *, notify=(), actor=None, area="schedules", at=NOW):
    return activity.record_event(
        conn=conn,
        actor_id=actor,
        area=area,
        verb="booked",
        entity_type="schedule",
        entity_id=1,
        region_id=region_id,
        summary=f"in region {region_id}",
        now=at,
        notify=notify,
    )


def test_only_those_who_may_see_an_event_are_notified_and_never_the_actor(empty_url, people):
    p = {k: v.id for k, v in people.items()}
    with engine_for(empty_url).begin() as conn:
        event(conn, 1, actor=p["actor"], notify=list(p.values()))
        counts = {
            k: activity.unread(conn=conn, user_id=v, region_ids=None)[0] for k, v in p.items()
        }
    # The south manager has no business in region 1; the actor knows what they did.
    assert counts == {"actor": 0, "north": 1, "south": 0, "analyst": 1, "viewer": 1}


def test_region_managers_are_the_active_managers_of_that_region(empty_url, people):
    with engine_for(empty_url).connect() as conn:
        north = activity.region_managers(conn=conn, region_id=1)
    assert set(north) == {people["actor"].id, people["north"].id}


def test_the_feed_is_scoped_by_region_and_filtered_by_area_and_time(empty_url, people):
    with engine_for(empty_url).begin() as conn:
        event(conn, 1)
        event(conn, 2)
        event(conn, None, area="tutor_risk")
        event(conn, 1, area="pe", at=NOW - timedelta(days=40))
        everything, total = activity.feed(conn=conn, region_ids=None)
        north, north_total = activity.feed(conn=conn, region_ids=[1])
        recent, _ = activity.feed(conn=conn, region_ids=None, since=NOW - timedelta(days=30))
        risk, _ = activity.feed(conn=conn, region_ids=None, area="tutor_risk")
        page, _ = activity.feed(conn=conn, region_ids=None, limit=2, offset=2)
    assert total == 4 and len(everything) == 4
    assert north_total == 3 and "in region 2" not in set(north["summary"])
    assert len(recent) == 3 and risk["area"].tolist() == ["tutor_risk"]
    assert page["occurred_at"].is_monotonic_decreasing and len(page) == 2
    with pytest.raises(ValueError, match="area must be one of"):
        with engine_for(empty_url).begin() as conn:
            event(conn, 1, area="<script>")


def test_a_reader_sees_only_notifications_still_in_scope_and_marks_only_their_own(
    empty_url, people
):
    north, viewer = people["north"].id, people["viewer"].id
    with engine_for(empty_url).begin() as conn:
        event(conn, 1, notify=[north, viewer])
        event(conn, 1, notify=[north, viewer])
        mine = activity.notifications(conn=conn, user_id=north, region_ids=[1])
        # After losing region 1, the manager's old notifications from it are hidden.
        assert activity.notifications(conn=conn, user_id=north, region_ids=[2]).empty
        assert activity.unread(conn=conn, user_id=north, region_ids=[2]) == (0, 0)
        theirs = activity.notifications(conn=conn, user_id=viewer, region_ids=None)
        # Marking someone else's ids does nothing.
        assert (
            activity.mark_read(
                conn=conn, user_id=north, now=NOW, notification_ids=theirs["id"].tolist()
            )
            == 0
        )
        assert (
            activity.mark_read(
                conn=conn, user_id=north, now=NOW, notification_ids=[int(mine["id"].iloc[0])]
            )
            == 1
        )
        assert activity.unread(conn=conn, user_id=north, region_ids=[1])[0] == 1
        assert activity.mark_read(conn=conn, user_id=north, now=NOW) == 1
        assert activity.unread(conn=conn, user_id=north, region_ids=[1])[0] == 0
        assert activity.unread(conn=conn, user_id=viewer, region_ids=None)[0] == 2


def test_a_notification_names_its_region(empty_url, people):
    """Two regions' "32 new medium credit alerts" read as one notification twice: each item
    says its region, as the feed does."""
    from components.feed import feed_list
    from components.notifications import notification_items

    viewer = people["viewer"].id
    with engine_for(empty_url).begin() as conn:
        event(conn, 1, notify=[viewer])
        event(conn, 2, notify=[viewer])
        event(conn, None, area="tutor_risk", notify=[viewer])
        names = dict(conn.execute(select(Region.id, Region.name)).all())
        mine = activity.notifications(conn=conn, user_id=viewer, region_ids=None)
    assert mine["region"].tolist()[1:] == [names[2], names[1]]  # newest first
    assert pd.isna(mine["region"].iloc[0])
    shown = str(notification_items(mine, now=NOW))
    assert f" · {names[1]}" in shown and f" · {names[2]}" in shown and "nan" not in shown
    # The feed reads the same events: one of no region among others said " · nan".
    with engine_for(empty_url).connect() as conn:
        events, _ = activity.feed(conn=conn, region_ids=None)
    fed = str(feed_list(events, now=NOW))
    assert f" · {names[1]}" in fed and f" · {names[2]}" in fed and "nan" not in fed

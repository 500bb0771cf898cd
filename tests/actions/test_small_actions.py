"""The smaller actions called directly: links, own sessions, calendar address, lesson plans,
cancelling a run. Each checks who acts and writes its audit entry with the change."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from actions import account, jobs, pe, sharing
from actions.base import Actor, Refused
from data import audit as audit_log
from data.engine import connect
from data.models import PEClass
from tests.conftest import create_test_account

NOW = datetime(2026, 6, 16, 9, 0, tzinfo=UTC)


def actor(role: str, regions: tuple[int, ...] | None = None) -> Actor:
    made = create_test_account(role, regions or ())
    return Actor(user_id=made.id, display_name=made.display_name, role=role, region_ids=regions)


def last_audit(action: str) -> dict:
    with connect() as conn:
        rows, _ = audit_log.audit_log(conn=conn, action=action, limit=1)
    return rows.iloc[0].to_dict()


def test_links_are_made_by_whom_they_may_be_and_revoked_by_their_maker(seeded_copy):
    viewer = actor("viewer")
    shared = sharing.make_link(
        actor=viewer,
        kind="share",
        view="credit-portfolio",
        query="?band=high",
        embeddable=True,
        days=None,
        now=NOW,
    )
    assert isinstance(shared, sharing.LinkMade) and shared.expires_at is None
    embed = sharing.make_link(
        actor=viewer,
        kind="embed",
        view="credit-portfolio",
        query="",
        embeddable=True,
        days=7,
        now=NOW,
    )
    assert isinstance(embed, Refused) and embed.denied
    manager = actor("manager", (1,))
    too_long = sharing.make_link(
        actor=manager,
        kind="embed",
        view="credit-portfolio",
        query="",
        embeddable=True,
        days=365,
        now=NOW,
    )
    assert too_long == Refused("Pick how long the link stays valid.")
    week = sharing.make_link(
        actor=manager,
        kind="embed",
        view="credit-portfolio",
        query="",
        embeddable=True,
        days=7,
        now=NOW,
    )
    assert isinstance(week, sharing.LinkMade) and (week.expires_at - NOW).days == 7
    link_id = int(last_audit("embed.create")["entity_id"])
    assert sharing.revoke_link(actor=viewer, link_id=link_id, now=NOW) is False  # not theirs
    assert sharing.revoke_link(actor=manager, link_id=link_id, now=NOW) is True
    assert sharing.revoke_link(actor=manager, link_id="1 OR 1=1", now=NOW) is False


def test_the_calendar_address_is_shown_once_and_a_new_one_revokes_the_old(seeded_copy):
    me = actor("viewer")
    first = account.replace_calendar_address(actor=me, make_new=True, now=NOW)
    second = account.replace_calendar_address(actor=me, make_new=True, now=NOW)
    assert first and second and first != second and len(second) >= 40
    assert account.replace_calendar_address(actor=me, make_new=False, now=NOW) is None
    with connect() as conn:
        mine, total = audit_log.audit_log(conn=conn, user_id=me.user_id, limit=10)
    assert total == 3 and mine.iloc[0]["action"] == "calendar.subscription_revoked"


def test_only_ones_own_other_sessions_end(seeded_copy):
    me = actor("viewer")
    assert account.end_session(actor=me, session_id=5, current_session=5, now=NOW) == Refused(
        "Use Sign out to end this session."
    )
    assert account.end_session(actor=me, session_id=10**9, current_session=1, now=NOW) is False
    assert account.end_session(actor=me, session_id="x", current_session=1, now=NOW) is False


def test_a_lesson_plan_needs_everything_and_a_class_in_the_writers_regions(seeded_copy):
    with connect() as conn:
        klass = conn.execute(select(PEClass.id).limit(1)).scalar_one()
    north = actor("manager", (1,))
    missing = pe.save_plan(
        actor=north,
        class_id=None,
        title=" ",
        day="someday",
        focus=None,
        text="",
        equipment=None,
        now=NOW,
    )
    assert missing == Refused(
        "Not saved: choose a class, give it a title, write or draft the plan, pick a day."
    )
    saved = pe.save_plan(
        actor=actor("admin"),
        class_id=klass,
        title="Ball skills",
        day="2026-06-20",
        focus="throwing",
        text="Warm-up, pairs, game.",
        equipment="balls",
        now=NOW,
    )
    assert isinstance(saved, pe.PlanSaved) and str(saved.planned_on) == "2026-06-20"
    analyst = pe.save_plan(
        actor=actor("analyst"),
        class_id=klass,
        title="x",
        day="2026-06-20",
        focus=None,
        text="x",
        equipment=None,
        now=NOW,
    )
    assert isinstance(analyst, Refused) and analyst.denied


def test_only_admins_cancel_runs_and_it_is_audited(seeded_copy):
    refused = jobs.cancel_runs(actor=actor("manager", (1,)), now=NOW)
    assert isinstance(refused, Refused) and refused.denied
    assert jobs.cancel_runs(actor=actor("admin"), now=NOW) == 0
    assert last_audit("job.cancelled")["detail"] == {"runs": 0}


def test_preferences_and_notifications_are_ones_own(seeded_copy):
    import pytest

    from data import activity
    from data.preferences import read_preference

    me, other = actor("viewer"), actor("viewer")
    account.save_preference(actor=me, name="theme", value="dark")
    with connect() as conn:
        assert read_preference(conn=conn, user_id=me.user_id, name="theme") == "dark"
        assert read_preference(conn=conn, user_id=other.user_id, name="theme") is None
    with pytest.raises(ValueError, match="name must be one of"):
        account.save_preference(actor=me, name="role", value="admin")
    with connect() as conn:
        before, _ = activity.unread(conn=conn, user_id=other.user_id, region_ids=None)
    assert account.mark_read(actor=me, notification_ids=None, now=NOW) == 0
    with connect() as conn:
        assert activity.unread(conn=conn, user_id=other.user_id, region_ids=None)[0] == before

"""The activity feed is live: a poll brings what happened since, marked new, without moving
a page the reader is on; nothing new, nothing redrawn."""

from __future__ import annotations

from datetime import UTC, datetime

import dash
import pytest
from dash.exceptions import PreventUpdate

import app as beacon  # noqa: F401  (pages register with the app)
from data import activity
from data.engine import transaction
from pages import activity_feed as feed
from tests.conftest import acting_as
from tests.unit.dash_context import triggered

YEAR = 365


def texts(node) -> list[str]:  # type: ignore[no-untyped-def]
    """Every string in a component tree, in order."""
    if isinstance(node, str):
        return [node]
    children = getattr(node, "children", node if isinstance(node, list) else None)
    if children is None:
        return []
    return [
        t
        for child in (children if isinstance(children, list) else [children])
        for t in texts(child)
    ]


def happened(summary: str, at: datetime | None = None) -> None:
    """An event recorded now, stamped `at` (now, unless back-dated)."""
    with transaction() as conn:
        activity.record_event(
            conn=conn,
            actor_id=None,
            area="schedules",
            verb="booked",
            entity_type="schedule",
            entity_id=1,
            region_id=1,
            summary=summary,
            now=at or datetime.now(UTC),
        )


def show(
    *,
    area: str | None = None,
    period: int = YEAR,
    poll: int | None = None,
    page: int = 1,
    seen: int | None = None,
    newest: int | None = None,
) -> tuple:
    """The feed's callback with its inputs named (the pager's buttons left unpressed)."""
    return feed.show(
        area=area,
        period=period,
        _prev=None,
        _next=None,
        _poll=poll,
        page=page,
        seen=seen,
        newest=newest,
    )


def test_new_events_arrive_marked_new_and_a_later_page_is_not_moved(seeded_copy):
    with acting_as("admin"):
        triggered(feed.ids.area, "value", None)
        first = show()
        listed, page, *_pager, seen, newest, note = first
        assert page == 1 and seen == newest and note == ""
        assert "New" not in texts(listed)
        triggered(feed.ids.poll, "n_intervals", 1)
        with pytest.raises(PreventUpdate):  # nothing happened: nothing is redrawn
            show(poll=1, seen=seen, newest=newest)

        happened("Ada booked Catch-up with Sam")
        polled = show(poll=2, seen=seen, newest=newest)
        listed, _, *_pager, still_seen, latest, note = polled
        words = texts(listed)
        assert words[0] == "New" and "Ada booked Catch-up with Sam" in words
        assert words.count("New") == 1 and still_seen == seen and latest > newest
        assert note == "New events arrived."

        happened("Ben booked Revision with Li")
        on_page_two = show(poll=3, page=2, seen=seen, newest=latest)
        assert on_page_two[0] is dash.no_update and on_page_two[1] is dash.no_update
        assert on_page_two[-1] == "1 new event: see the first page."


def test_an_event_recorded_late_with_an_earlier_time_is_new_and_older_ones_are_not(seeded_copy):
    """A load or a back-dated change records an event stamped in the past: it is new to the
    reader (recorded after they opened the view), and nothing recorded before is marked."""
    from datetime import timedelta

    with acting_as("admin"):
        triggered(feed.ids.area, "value", None)
        happened("Back-dated before", at=datetime.now(UTC) - timedelta(days=7))  # before opening
        listed, *_rest, seen, newest, _note = show()
        assert "New" not in texts(listed)
        happened("Back-dated after", at=datetime.now(UTC) - timedelta(hours=1))  # after opening
        triggered(feed.ids.poll, "n_intervals", 1)
        listed, *_rest = show(poll=1, seen=seen, newest=newest)
    words = texts(listed)
    assert words.count("New") == 1
    assert words[words.index("New") :].index("Back-dated after") < 4  # the marked one


def test_an_empty_feed_names_its_filters(seeded_copy):
    """ "Nothing has happened here yet" under PE and the last 24 hours read as if PE never
    had events, and promised bookings and notes."""
    with acting_as("admin"):
        triggered(feed.ids.area, "value", None)
        listed, *_ = show(area="pe", period=1)
    assert "No PE events in the last 24 hours" in texts(listed)
    assert "Choose a longer period or another area." in texts(listed)

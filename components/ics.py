"""Sessions as an iCalendar (RFC 5545) document, for downloads and subscriptions."""

from __future__ import annotations

from datetime import datetime

import pandas as pd

PRODUCT = "-//Beacon//Schedules//EN"


def calendar_text(sessions: pd.DataFrame, *, name: str, host: str, stamp: datetime) -> bytes:
    """One VEVENT per session of `sessions` (the columns of data.schedules.listing); times
    in UTC; cancelled sessions stay in, marked CANCELLED, so subscribers see them go."""
    from icalendar import Calendar, Event  # only in a worker that writes a calendar

    calendar = Calendar()
    calendar.add("prodid", PRODUCT)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    for s in sessions.to_dict("records"):
        event = Event()
        event.add("uid", f"schedule-{s['id']}@{host}")
        event.add("dtstamp", stamp)
        event.add("dtstart", s["starts_at"].to_pydatetime())
        event.add("dtend", s["ends_at"].to_pydatetime())
        event.add("summary", s["title"])
        event.add("location", s["room"] or "")
        event.add(
            "description",
            f"Host: {s['host_name']}. Focus: {s['focus'] or '-'}. Attendees: {s['attendees']}.",
        )
        event.add(
            "status",
            {"cancelled": "CANCELLED", "scheduled": "CONFIRMED"}.get(s["status"], "CONFIRMED"),
        )
        calendar.add_component(event)
    return calendar.to_ical()

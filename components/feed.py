"""The activity feed as a list: what happened, who, where, how long ago (text only)."""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from datetime import datetime
from typing import Any

import pandas as pd
from dash import html

from components.empty_state import empty_state
from components.formatting import local_datetime, relative_time

AREA_LABELS = {"schedules": "Schedules", "tutor_risk": "Tutor risk", "pe": "PE", "credit": "Credit"}
LINKS = {
    "schedule": "/schedules/book?id={}",
    "tutor": "/tutor-risk/tutor?id={}",
    "job_run": "/admin/jobs",  # the run is at the top of its recent runs
    "data_load": "/admin/import",  # the load is at the top of the loads
    "model": "/credit/monitoring",  # a credit model's drift
}


def linked_summary(row: Mapping[Hashable, Any]) -> html.A | html.Span:
    """An event's or notification's summary, linked to what it is about when that has a page."""
    link = LINKS.get(row["entity_type"])
    if link is None:
        return html.Span(row["summary"])
    return html.A(row["summary"], href=link.format(row["entity_id"]))


def feed_list(
    events: pd.DataFrame,
    *,
    now: datetime,
    new_after: int | None = None,
    empty: tuple[str, str] = (
        "Nothing has happened here yet",
        "Bookings, notes and interventions appear here.",
    ),
) -> html.Div | html.Ul:
    """The events, newest first; those recorded after event `new_after` are marked new.
    `empty` is the title and hint said when there are none (a filtered feed says its filters)."""
    if events.empty:
        return empty_state(*empty)
    items = []
    for e in events.to_dict("records"):
        summary = linked_summary(e)
        fresh = new_after is not None and int(e["id"]) > new_after
        items.append(
            html.Li(
                [
                    html.Span("New", className="badge text-bg-primary me-2") if fresh else None,
                    html.Span(
                        relative_time(e["occurred_at"], now),
                        className="feed-when",
                        title=local_datetime(e["occurred_at"]),
                    ),
                    summary,
                    html.Span(
                        f" · {AREA_LABELS.get(e['area'], e['area'])}" + region_suffix(e["region"]),
                        className="feed-when ms-1",
                    ),
                ],
                className="feed-item feed-item-new" if fresh else "feed-item",
            )
        )
    return html.Ul(items, className="feed-list")


def region_suffix(region: object) -> str:
    """ " · North" for an event's region; nothing for an event of no region, which a frame
    holding other regions' events reads back as NaN (it showed as " · nan")."""
    return f" · {region}" if isinstance(region, str) and region else ""

"""Week and month calendars of sessions: plain, keyboard-reachable links, in local time."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlencode

import pandas as pd
from dash import html

from components.attrs import attrs
from components.empty_state import empty_state
from components.formatting import count_of

STATUS_CLASS = {
    "scheduled": "is-scheduled",
    "completed": "is-completed",
    "cancelled": "is-cancelled",
}
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def session_link(row: Mapping[Any, Any], *, show_day: bool = False) -> html.A:
    """A session as one component: a week can hold 200 of them, and the browser spends
    milliseconds mounting each Dash component (four per chip took 1.5 s for a full week).
    Time and title on the first line, host and room on the second (`white-space: pre-line`
    and `::first-line` in beacon.css)."""
    start, end = row["local_start"], row["local_end"]
    when = f"{start:%a %d %b} " if show_day else ""
    where = f"{row['host_name']} · {row['room'] or 'no room'}"
    return html.A(
        f"{when}{start:%H:%M}–{end:%H:%M} {row['title']}\n{where}",
        href=f"/schedules/book?id={int(row['id'])}",
        className=f"session-chip {STATUS_CLASS.get(row['status'], '')}",
        title=f"{row['title']} ({row['status']})",
    )


def day_list(day: date, filters: dict[str, str]) -> str:
    """The address of one day in the list view, under the same filters."""
    query = urlencode(
        {**filters, "view": "list", "date": day.isoformat(), "until": day.isoformat()}
    )
    return f"/schedules?{query}"


def more_link(day: date, hidden: int, filters: dict[str, str]) -> html.A:
    """ "+N more" for a day: that day in the list view, under the same filters."""
    return html.A(
        f"+{hidden:,} more",
        href=day_list(day, filters),
        className="calendar-more",
        title=f"Every session on {day:%A %d %B} in the list",
    )


def count_link(day: date, count: int, filters: dict[str, str]) -> html.A:
    """A day's number of sessions, linking to them in the list: what a month cell shows on a
    phone, where seven columns leave no room for a session's time and title (beacon.css
    hides it on wider screens, and the chips on a phone)."""
    said = f"{count_of(count, 'session')} on {day:%A %d %B}"
    return html.A(
        f"{count:,}",
        href=day_list(day, filters),
        className="calendar-count",
        title=said,
        **attrs(aria_label=said),
    )


def week_view(
    sessions: pd.DataFrame,
    *,
    monday: date,
    counts: pd.Series,
    filters: dict[str, str],
    days: int = 7,
) -> html.Div:
    """One column per day, sessions in start order; `sessions` has local_start/local_end and
    may hold only the first few of a day: `counts` (per date) says how many there are."""
    by_day = sessions_by_day(sessions)
    columns = []
    for offset in range(days):
        day = monday + timedelta(days=offset)
        todays = by_day.get(day, [])
        hidden = int(counts.get(day, 0)) - len(todays)
        chips = [session_link(row) for row in todays]
        if hidden > 0:
            chips.append(more_link(day, hidden, filters))
        columns.append(
            html.Section(
                [
                    html.H3(
                        f"{WEEKDAYS[day.weekday()]} {day:%d %b}", className="calendar-day-title"
                    ),
                    html.Div(
                        chips or [html.P("Free", className="calendar-free")],
                        className="calendar-day-body",
                    ),
                ],
                className="calendar-day",
                **attrs(aria_label=f"{day:%A %d %B}"),
            )
        )
    return html.Div(columns, className="calendar-week")


def month_view(
    sessions: pd.DataFrame,
    *,
    first: date,
    counts: pd.Series,
    filters: dict[str, str],
    shown_per_day: int = 3,
) -> html.Div:
    """A month grid (weeks from Monday): per day up to `shown_per_day` sessions and a link
    to the rest (`counts` per date: every session of the day, shown or not). The days of
    the neighbouring months in the first and last week are drawn dimmed, with their own
    sessions when `sessions` and `counts` hold them."""
    start = first - timedelta(days=first.weekday())
    cells = []
    by_day = sessions_by_day(sessions)
    for offset in range(42):
        day = start + timedelta(days=offset)
        if offset % 7 == 0 and day.month != first.month and offset > 0:
            break
        todays = by_day.get(day, [])[:shown_per_day]
        count = int(counts.get(day, 0))
        rest = count - len(todays)
        cells.append(
            html.Div(
                [
                    html.A(
                        f"{day.day}",
                        href=f"/schedules?view=week&date={day.isoformat()}",
                        className="calendar-date",
                        title=f"Week of {day:%d %B}",
                    ),
                    *[session_link(row) for row in todays],
                    more_link(day, rest, filters) if rest > 0 else None,
                    count_link(day, count, filters) if count else None,
                ],
                className="calendar-cell" + ("" if day.month == first.month else " is-other-month"),
            )
        )
    header = [html.Div(d, className="calendar-head") for d in WEEKDAYS]
    return html.Div(header + cells, className="calendar-month")


def session_links(sessions: pd.DataFrame) -> list[html.A]:
    """Every session of the frame as a link that names its day, in the frame's order."""
    return [session_link(row, show_day=True) for row in sessions.to_dict("records")]


def sessions_by_day(sessions: pd.DataFrame) -> dict[date, list[dict[Any, Any]]]:
    """The sessions as records, per local start date, in the frame's order (records, not
    `iterrows`: a week of chips was built 37% in pandas row objects, measured for #26)."""
    by_day: dict[date, list[dict[Any, Any]]] = {}
    for row in sessions.to_dict("records"):
        by_day.setdefault(row["local_start"].date(), []).append(row)
    return by_day


def no_sessions() -> html.Div:
    return empty_state("No sessions in this view", "Change the filters or book a session.")

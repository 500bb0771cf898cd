"""Week and month calendars of sessions: plain, keyboard-reachable links, in local time."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
from dash import html

from components.empty_state import empty_state

STATUS_CLASS = {
    "scheduled": "is-scheduled",
    "completed": "is-completed",
    "cancelled": "is-cancelled",
}
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def session_link(row: pd.Series, *, show_day: bool = False) -> html.A:
    start, end = row["local_start"], row["local_end"]
    when = f"{start:%a %d %b} " if show_day else ""
    return html.A(
        [
            html.Span(f"{when}{start:%H:%M}–{end:%H:%M}", className="session-time"),
            html.Span(row["title"], className="session-title"),
            html.Span(f"{row['host_name']} · {row['room'] or 'no room'}", className="session-meta"),
        ],
        href=f"/schedules/book?id={int(row['id'])}",
        className=f"session-chip {STATUS_CLASS.get(row['status'], '')}",
        title=f"{row['title']} ({row['status']})",
    )


def week_view(sessions: pd.DataFrame, *, monday: date, days: int = 7) -> html.Div:
    """One column per day, sessions in start order; `sessions` has local_start/local_end."""
    columns = []
    for offset in range(days):
        day = monday + timedelta(days=offset)
        todays = sessions[sessions["local_start"].dt.date == day] if len(sessions) else sessions
        columns.append(
            html.Section(
                [
                    html.H3(
                        f"{WEEKDAYS[day.weekday()]} {day:%d %b}", className="calendar-day-title"
                    ),
                    html.Div(
                        [session_link(row) for _, row in todays.iterrows()]
                        or [html.P("Free", className="calendar-free")],
                        className="calendar-day-body",
                    ),
                ],
                className="calendar-day",
                **{"aria-label": f"{day:%A %d %B}"},
            )
        )
    return html.Div(columns, className="calendar-week")


def month_view(sessions: pd.DataFrame, *, first: date, shown_per_day: int = 3) -> html.Div:
    """A month grid (weeks from Monday): per day up to `shown_per_day` sessions and a count
    of the rest, linking to that day's week."""
    start = first - timedelta(days=first.weekday())
    cells = []
    by_day = (
        {d: g for d, g in sessions.groupby(sessions["local_start"].dt.date)}
        if len(sessions)
        else {}
    )
    for offset in range(42):
        day = start + timedelta(days=offset)
        if offset % 7 == 0 and day.month != first.month and offset > 0:
            break
        todays = by_day.get(day, sessions.iloc[0:0])
        rest = len(todays) - shown_per_day
        cells.append(
            html.Div(
                [
                    html.A(
                        f"{day.day}",
                        href=f"/schedules?view=week&date={day.isoformat()}",
                        className="calendar-date",
                        title=f"Week of {day:%d %B}",
                    ),
                    *[session_link(row) for _, row in todays.head(shown_per_day).iterrows()],
                    html.Span(f"+{rest} more", className="calendar-more") if rest > 0 else None,
                ],
                className="calendar-cell" + ("" if day.month == first.month else " is-other-month"),
            )
        )
    header = [html.Div(d, className="calendar-head") for d in WEEKDAYS]
    return html.Div(header + cells, className="calendar-month")


def no_sessions() -> html.Div:
    return empty_state("No sessions in this view", "Change the filters or book a session.")

"""Utilisation: hours booked per host and room, cancellation and no-show rates per week."""

from __future__ import annotations

from datetime import date
from typing import Any

import dash
import pandas as pd
from dash import Input, Output, State, callback, dcc, html
from dash.development.base_component import Component

from analytics.narrative import Fact
from auth.access import EVERYONE, allowed, region_scope, requires
from auth.answers import cached_answer
from auth.requests import days_back
from components.attrs import attrs
from components.chart_card import chart_bodies, chart_card
from components.figures import clicked, week_axis
from components.filters import period_filter
from components.formatting import number, percent
from components.shell import ids as shell_ids
from components.theme import Figure, themed, values
from components.view_tools import view_actions, view_location
from data import utilisation
from data.engine import connect
from sharing.embed import EMBED_ROLES
from sharing.views import Explained, Part, View, period_param, register
from sharing.views import State as ViewState
from widgets.explain import ExplainAIO

dash.register_page(
    __name__,
    refreshes=True,  # auto-refresh may redraw it (a dashboard, not a form)
    path="/schedules/utilisation",
    name="Utilisation",
    area="Schedules",
    order=3,
    roles=EVERYONE,
)
PERIODS = {28: "Last 4 weeks", 56: "Last 8 weeks", 84: "Last 12 weeks"}
VIEW = "utilisation"


class ids:
    period = "util-period"
    hosts = "util-hosts"
    rooms = "util-rooms"
    rooms_graph = "util-rooms-graph"  # a click on a room's bar lists its sessions
    go = "util-go"
    rates = "util-rates"
    coverage = "util-coverage"  # says which weeks of the period hold no sessions at all


def layout(**query: str) -> Component:
    state = SPEC.state(query)
    return html.Div(
        [
            view_location(VIEW),
            dcc.Location(id=ids.go, refresh="callback-nav"),
            period_filter(ids.period, PERIODS, state["period"]),
            html.P(
                "Whole days up to yesterday: today's sessions count once the day is over.",
                className="widget-note",
            ),
            html.P(id=ids.coverage, className="widget-note", **attrs(aria_live="polite")),
            view_actions(VIEW, can_embed=allowed(EMBED_ROLES)),
            ExplainAIO(VIEW),
            html.Div(
                [
                    chart_card(body_id=ids.hosts, **SPEC.card("hosts")),
                    chart_card(
                        body_id=ids.rooms,
                        **SPEC.card(
                            "rooms", hint="; click one to list all its sessions, cancelled ones too"
                        ),
                    ),
                    chart_card(body_id=ids.rates, **SPEC.card("rates")),
                ],
                className="chart-grid",
            ),
        ]
    )


def usage(period: object) -> tuple[int, dict]:
    """The chosen period (days; an unknown one is 8 weeks) and its utilisation frames.

    The period is the whole days before today: today's sessions are still to be held, taken
    or cancelled, and counting them made the week in progress read as almost no
    cancellations and no no-shows. Whole days also let one cached read serve the day."""
    days = period if isinstance(period, int) and period in PERIODS else 56
    with connect() as conn:
        return days, utilisation.utilisation(
            conn=conn, region_ids=region_scope(), since=days_back(days), until=days_back(0)
        )


def _span(weeks: pd.DataFrame) -> str:
    earliest, latest = weeks["first_day"].min(), weeks["last_day"].max()
    return "none" if pd.isna(earliest) else f"{earliest:%d %b} to {latest:%d %b}"


def utilisation_facts(state: ViewState) -> list[Fact]:
    """Totals and rates behind the charts (no host or student names)."""
    days, use = usage(state.get("period"))
    weeks = use["weeks"]
    sessions, cancelled = int(weeks["sessions"].sum()), int(weeks["cancelled"].sum())
    expected, absent = int(weeks["expected"].sum()), int(weeks["absent"].sum())
    return [
        Fact("Period", PERIODS[days]),
        Fact("Days with sessions", _span(weeks)),
        Fact("Sessions booked", number(sessions)),
        Fact(
            "Cancelled",
            f"{number(cancelled)} ({percent(cancelled / sessions if sessions else None)})",
        ),
        Fact("No-show rate of attendees", percent(absent / expected if expected else None)),
        Fact(
            "Hours booked with the busiest host",
            number(use["hosts"]["hours"].max() if len(use["hosts"]) else 0, 1),
        ),
        Fact("Rooms in use", number(len(use["rooms"]))),
    ]


def coverage(weeks: pd.DataFrame, *, first: date, last: date) -> str | None:
    """Why a period's charts hold fewer weeks of data than its name says: a week or more at
    its start (`first`, its first day) or its end (`last`) without a single session, as
    before an organisation's first bookings. None when sessions reach within a week of both
    ends (a weekend is no gap), or when there are none at all (the empty state says so)."""
    earliest, latest = weeks["first_day"].min(), weeks["last_day"].max()
    if pd.isna(earliest):
        return None
    before, after = (earliest.date() - first).days, (last - latest.date()).days
    if before >= 7 and after >= 7:
        return f"Sessions only from {earliest:%a %d %b} to {latest:%a %d %b} in this period."
    if before >= 7:
        return (
            f"No sessions in the first {before} days of this period: the earliest is on "
            f"{earliest:%a %d %b}."
        )
    if after >= 7:
        return (
            f"No sessions in the last {after} days of this period: the latest is on "
            f"{latest:%a %d %b}."
        )
    return None


def period_days(days: int) -> tuple[date, date]:
    """The first and last day of a period of `days` whole days up to yesterday."""
    return days_back(days).date(), days_back(1).date()


def hosts_rows(state: ViewState) -> pd.DataFrame:
    """Behind "Hours booked per host": host_name, hours, sessions (the 15 busiest)."""
    return usage(state["period"])[1]["hosts"]


def rooms_rows(state: ViewState) -> pd.DataFrame:
    """Behind "Hours booked per room": room, room_id, hours, sessions (the 15 busiest)."""
    return usage(state["period"])[1]["rooms"]


def rates_rows(state: ViewState) -> pd.DataFrame:
    """Behind the weekly rates: week, sessions, cancelled, expected, absent and both rates;
    every week of the period, or no rows when it holds no sessions at all."""
    weeks = usage(state["period"])[1]["weeks"].drop(columns=["first_day", "last_day"])
    if not weeks["sessions"].sum():
        return weeks.iloc[:0].assign(cancelled_rate=[], no_show_rate=[])
    weeks["cancelled_rate"] = weeks["cancelled"] / weeks["sessions"]
    weeks["no_show_rate"] = weeks["absent"] / weeks["expected"].where(weeks["expected"] > 0)
    return weeks


def _bars(frame: pd.DataFrame, label: str, theme: str | None) -> Figure | None:
    """Hours per host or room; each bar carries its sessions (and a room its id, to drill)."""
    if frame.empty:
        return None
    ordered = frame.iloc[::-1]
    carried = ["sessions", "room_id"] if "room_id" in ordered else ["sessions"]
    bar = {
        "type": "bar",
        "x": values(ordered["hours"]),
        "y": values(ordered[label]),
        "orientation": "h",
        "customdata": values(ordered[carried].to_numpy().tolist()),  # lists reach clickData
        "hovertemplate": "%{y}: %{x:.1f} h in %{customdata[0]} sessions<extra></extra>",
    }
    return themed({"data": [bar], "layout": {"xaxis": {"title": {"text": "hours"}}}}, theme)


def hosts_figure(frame: pd.DataFrame, theme: str | None) -> Figure | None:
    return _bars(frame, "host_name", theme)


def rooms_figure(frame: pd.DataFrame, theme: str | None) -> Figure | None:
    return _bars(frame, "room", theme)


def rates_figure(weeks: pd.DataFrame, theme: str | None) -> Figure | None:
    """Both rates per week, over every week of the period: a week without sessions is a gap
    in the lines, not a week left off the axis."""
    if not weeks["sessions"].sum():
        return None
    traces = [
        {"type": "scatter", "x": values(weeks["week"]), "y": values(weeks[column]), "name": name}
        for column, name in (("cancelled_rate", "Cancelled"), ("no_show_rate", "No-shows"))
    ]
    half_week = pd.Timedelta(days=3.5)
    span = [str(weeks["week"].min() - half_week), str(weeks["week"].max() + half_week)]
    layout = {
        "xaxis": week_axis(weeks["week"]) | {"range": span},
        "yaxis": {"tickformat": ".0%", "rangemode": "tozero"},
    }
    return themed({"data": traces, "layout": layout}, theme)


@callback(
    Output(ids.hosts, "children"),
    Output(ids.rooms, "children"),
    Output(ids.rates, "children"),
    Output(ids.coverage, "children"),
    Input(ids.period, "value"),
    Input(shell_ids.theme, "data"),
)
@requires(*EVERYONE)
@cached_answer("schedules", "tutors")
def show(period: Any, theme: str | None) -> Any:
    state = SPEC.state({"period": period})
    days, use = usage(state["period"])
    first, last = period_days(days)
    note = coverage(use["weeks"], first=first, last=last)
    return *chart_bodies(
        SPEC.part_names(),
        SPEC.figures(state, theme),
        empty=("No sessions in this period", "Book sessions to see how hosts and rooms are used."),
        drill=("rooms", ids.rooms_graph, "Click to list this room's sessions"),
    ), note


@callback(
    Output(ids.go, "href"),
    Input(ids.rooms_graph, "clickData"),
    State(ids.period, "value"),
    prevent_initial_call=True,
)
@requires(*EVERYONE)
def drill_to_room(click: Any, period: Any) -> str:
    """A click on a room's bar lists that room's sessions of the period in the calendar;
    Back returns here."""
    carried = clicked(click)
    room = carried[-1] if isinstance(carried, list) and len(carried) == 2 else None
    if type(room) is not int or not 0 < room < 2**31:  # a forged click: not a room's id
        raise dash.exceptions.PreventUpdate
    days, _ = usage(period)
    first, last = period_days(days)  # both days included
    return f"/schedules?view=list&date={first}&until={last}&room={room}"  # the page's order


SPEC = register(
    View(
        name=VIEW,
        path="/schedules/utilisation",
        title="Schedule utilisation",
        roles=EVERYONE,
        params=(period_param(ids.period, PERIODS, default=56),),
        parts=(
            Part(
                "hosts",
                "Hours booked per host",
                hosts_rows,
                hosts_figure,
                note="The 15 busiest hosts; cancelled sessions left out",
            ),
            Part(
                "rooms",
                "Hours booked per room",
                rooms_rows,
                rooms_figure,
                note="The 15 busiest rooms, cancelled sessions left out",
            ),
            Part(
                "rates",
                "Cancellations and no-shows",
                rates_rows,
                rates_figure,
                note="Per week: cancelled sessions of all booked, absent attendees of completed "
                "sessions",
            ),
        ),
        explained=Explained("Schedule utilisation", utilisation_facts),
    )
)

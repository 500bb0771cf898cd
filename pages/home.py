"""Home: the state of every area at a glance, from the database, over the last 30 days."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import dash
import dash_bootstrap_components as dbc
import pandas as pd
import plotly.graph_objects as go
from dash import ALL, MATCH, Input, Output, callback, ctx, dcc, html
from dash.dependencies import Wildcard
from dash.development.base_component import Component

from analytics import home_kpis
from analytics.home_kpis import Kpi
from auth.access import EVERYONE, allowed, region_scope, requires
from auth.answers import cached_answer
from auth.requests import now
from components.attrs import attrs
from components.chart_card import chart_body, chart_card
from components.empty_state import empty_state
from components.feed import feed_list
from components.figures import clicked, share_line, stacked_bars
from components.formatting import number, percent
from components.insight import KpiReading, facts_from_kpi_cards
from components.kpi_card import kpi_card
from components.shell import ids as shell_ids
from components.view_tools import view_actions, view_location
from data import activity
from data.engine import connect
from data.queries import home
from data.queries.home import CHART_WEEKS
from sharing.embed import EMBED_ROLES
from sharing.views import Explained, Part, View, register
from sharing.views import State as ViewState
from widgets.explain import ExplainAIO

dash.register_page(
    __name__,
    refreshes=True,  # auto-refresh may redraw it (a dashboard, not a form)
    path="/",
    name="Home",
    area="Overview",
    order=0,
    roles=EVERYONE,
)

VIEW = "home"


class ids:
    @staticmethod
    def area(area: str | Wildcard) -> dict[str, Any]:
        return {"type": "home-area", "area": area}

    @staticmethod
    def kpis(area: str | Wildcard) -> dict[str, Any]:
        return {"type": "home-kpis", "area": area}

    @staticmethod
    def chart(area: str | Wildcard) -> dict[str, Any]:
        return {"type": "home-chart", "area": area}

    @staticmethod
    def graph(area: str | Wildcard) -> dict[str, Any]:  # a chart that drills down on a click
        return {"type": "home-graph", "area": area}

    go = "home-go"


DRILLS = {
    "schedules": "/schedules?date={day}"
}  # a week's bar opens that week (the calendar's default view)


SECTIONS = {
    "tutoring": ("Tutoring", "Sessions per week by outcome", "Tutoring sessions, last 26 weeks"),
    "pe": (
        "PE programs",
        "Attendance rate per week",
        "Share of PE places attended; gaps are breaks",
    ),
    "schedules": (
        "Schedules",
        "Booked hours per week by status",
        "Group sessions, past 8 and next 4 weeks; click a week to open it",
    ),
    "credit": ("Credit", "Applications per week by decision", "Tuition-financing applications"),
}


def section(area: str) -> html.Section:
    heading, chart_title, chart_subtitle = SECTIONS[area]
    return html.Section(
        [
            dcc.Store(id=ids.area(area), data=area),
            html.H2(heading, className="section-title"),
            dbc.Row(
                [
                    dbc.Col(
                        dcc.Loading(dbc.Row(id=ids.kpis(area), className="g-3"), delay_show=150),
                        lg=6,
                    ),
                    dbc.Col(
                        chart_card(
                            body_id=ids.chart(area),
                            title=chart_title,
                            subtitle=chart_subtitle,
                            export=(VIEW, area),
                        ),
                        lg=6,
                    ),
                ],
                className="g-3",
            ),
        ],
        className="home-section",
        **attrs(aria_label=heading),
    )


def layout(**_kwargs: str) -> html.Div:
    return html.Div(
        [
            view_location(VIEW),
            dcc.Location(id=ids.go, refresh="callback-nav"),
            view_actions(VIEW, can_embed=allowed(EMBED_ROLES)),
            ExplainAIO(VIEW),
            *[section(area) for area in SECTIONS],
            recent_activity(),
        ]
    )


def recent_activity() -> html.Section:
    """The compact feed: the last few things that happened in the user's regions."""
    moment = now()
    with connect() as conn:
        events, _ = activity.feed(conn=conn, region_ids=region_scope(), limit=8)
    return html.Section(
        [
            html.H2(
                ["Recent activity ", html.A("all", href="/activity", className="small")],
                className="section-title",
            ),
            dbc.Card(dbc.CardBody(feed_list(events, now=moment))),
        ],
        className="home-section",
        **attrs(aria_label="Recent activity"),
    )


NO_DATA_HINT = "An administrator loads it (demo data: `python -m beacon seed`)."


@callback(
    Output(ids.kpis(MATCH), "children"),
    Output(ids.chart(MATCH), "children"),
    Input(ids.area(MATCH), "data"),
    Input(shell_ids.theme, "data"),
)
@requires(*EVERYONE)
@cached_answer("tutors", "pe", "schedules", "credit")
def fill_section(area: str, theme: str | None) -> tuple[list[Component], Component]:
    if area not in home_kpis.AREAS:
        raise dash.exceptions.PreventUpdate
    with connect() as conn:
        end = home.home_end(conn=conn)
        if end is None:
            hint = "Figures appear once data is loaded; the next refresh picks it up."
            return [dbc.Col(empty_state("No data yet", NO_DATA_HINT))], chart_body(
                None, empty_title="Nothing to chart yet", empty_hint=hint
            )
    cards, rows = section_cards(area, end)
    empty_hint = "Nothing was recorded in this period."
    return (
        [dbc.Col(card, sm=6) for card in cards],
        chart_body(
            FIGURES[area](rows, theme),
            empty_title="No activity in the last 26 weeks",
            empty_hint=empty_hint,
            drill_id=ids.graph(area) if area in DRILLS else None,
            drill_hint="Click to open this week in the calendar",
        ),
    )


@callback(
    Output(ids.go, "href"),
    Input(ids.graph(ALL), "clickData"),
    prevent_initial_call=True,
)
@requires(*EVERYONE)
def drill_down(_clicks: list[Any]) -> str:
    """A click on a week's bar opens that week where it is listed (the calendar, for the
    schedules); Back returns home."""
    area = ctx.triggered_id.get("area") if isinstance(ctx.triggered_id, dict) else None
    day = str(clicked(ctx.triggered[0]["value"], "x") or "")[:10] if ctx.triggered else ""
    if area not in DRILLS or not _is_day(day):
        raise dash.exceptions.PreventUpdate
    return DRILLS[area].format(day=day)


def _is_day(text: str) -> bool:
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


def section_cards(area: str, end: pd.Timestamp) -> tuple[list[dbc.Card], pd.DataFrame]:
    """The area's KPI cards and the weekly rows its chart is drawn from, in the user's scope."""
    with connect() as conn:
        frames = home.section_frames(conn=conn, section=area, end=end, region_ids=region_scope())
    kpis, rows = home_kpis.AREAS[area](frames, end, weeks=CHART_WEEKS)
    return kpi_cards(kpis), rows


def area_readings() -> dict[str, list[KpiReading]]:
    """Each area's KPI cards as the user sees them, in their scope, read back."""
    with connect() as conn:
        end = home.home_end(conn=conn)
    if end is None:
        return {}
    return {area: facts_from_kpi_cards(section_cards(area, end)[0]) for area in SECTIONS}


def home_facts(_state: ViewState) -> list[KpiReading]:
    """What "Explain this view" reads: every KPI card (never personal data)."""
    return [reading for readings in area_readings().values() for reading in readings]


def kpi_cards(kpis: list[Kpi]) -> list[dbc.Card]:
    """The Home page's cards for an area's KPIs: the value, and its change against the window
    before (or the KPI's note when it is not compared)."""
    return [
        kpi_card(
            title=kpi.title,
            value=FORMATS[kpi.unit](kpi.value),
            change=kpi.change,
            period=kpi.note or f"vs {kpi.against}",
            trend=kpi.trend,
            higher_is_better=kpi.higher_is_better,
            compare=kpi.compare,
        )
        for kpi in kpis
    ]


FORMATS: dict[str, Callable[[float | None], str]] = {
    "count": number,
    "hours": number,
    "rate": percent,
    "rating": lambda v: number(v, 2),
}


def _bars(y_title: str) -> Callable[[pd.DataFrame, str | None], go.Figure | None]:
    def figure(rows: pd.DataFrame, theme: str | None) -> go.Figure | None:
        weeks = rows.set_index("week") if "week" in rows else rows
        return stacked_bars(weeks, theme=theme, y_title=y_title) if weeks.values.sum() else None

    return figure


def attendance_line(rows: pd.DataFrame, theme: str | None) -> go.Figure | None:
    rate = rows.set_index("week")["attendance_rate"] if "week" in rows else pd.Series()
    return share_line(rate, theme=theme, y_title="attendance") if rate.notna().any() else None


FIGURES: dict[str, Callable[[pd.DataFrame, str | None], go.Figure | None]] = {
    "tutoring": _bars("sessions"),
    "pe": attendance_line,
    "schedules": _bars("hours"),
    "credit": _bars("applications"),
}


def chart_rows(area: str) -> Callable[[ViewState], pd.DataFrame]:
    def rows(_state: ViewState) -> pd.DataFrame:
        with connect() as conn:
            end = home.home_end(conn=conn)
        return section_cards(area, end)[1] if end is not None else pd.DataFrame()

    rows.__doc__ = f"The weekly rows behind the {area} chart, in the user's scope."
    return rows


def kpi_values(_state: ViewState) -> list[tuple[str, str]]:
    """Every area's KPI cards as the user sees them: (title, value and change)."""
    return [
        (f"{SECTIONS[area][0]}: {r.label}", r.value + (f" ({r.change})" if r.change else ""))
        for area, readings in area_readings().items()
        for r in readings
    ]


SPEC = register(
    View(
        name=VIEW,
        path="/",
        title="Home: every area at a glance",
        roles=EVERYONE,
        parts=tuple(
            Part(area, f"{heading}: {chart_title}", chart_rows(area), FIGURES[area])
            for area, (heading, chart_title, _) in SECTIONS.items()
        ),
        kpis=kpi_values,
        explained=Explained("Home", home_facts),
    )
)

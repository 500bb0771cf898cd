"""Home: the state of every area at a glance, from the database, over the last 4 weeks;
for all the user's regions or, chosen in the filter or with a click on a region's bar, one."""

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
from auth.access import EVERYONE, AccessDenied, allowed, region_scope, requires
from auth.answers import cached_answer
from auth.audit import audit
from auth.requests import now
from components.attrs import attrs
from components.chart_card import chart_body, chart_card
from components.empty_state import empty_state
from components.feed import feed_list
from components.figures import clicked, region_bars, share_line, stacked_bars
from components.filters import field, filter_bar
from components.formatting import number, percent
from components.insight import KpiReading, facts_from_kpi_cards
from components.kpi_card import kpi_card
from components.shell import ids as shell_ids
from components.view_tools import view_actions, view_location
from data import accounts, activity
from data.engine import connect
from data.queries import home, overview
from data.queries.home import CHART_WEEKS
from sharing.embed import EMBED_ROLES
from sharing.views import Explained, Part, View, region_name, region_param, register
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
    region = "home-region"
    regions_chart = "home-regions-chart"
    regions_graph = "home-regions-graph"  # a region's bar: home for that region alone
    region_note = "home-region-note"
    feed = "home-feed"


DRILLS = {
    "schedules": "/schedules?date={day}"
}  # a week's bar opens that week (the calendar's default view)


SECTIONS = {
    "tutoring": (
        "Tutoring",
        "Sessions per week by outcome",
        f"Tutoring sessions, last {CHART_WEEKS} weeks",
    ),
    "pe": (
        "PE programs",
        "Attendance rate per week",
        f"Share of PE places attended, last {CHART_WEEKS} weeks; gaps are breaks",
    ),
    "schedules": (
        "Schedules",
        "Booked hours per week by status",
        "Group sessions, past 8 and next 4 weeks; click a week to open it",
    ),
    "credit": (
        "Credit",
        "Applications per week by decision",
        f"Tuition-financing applications, last {CHART_WEEKS} weeks",
    ),
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


REGION_WEEKS = 4


def regions_section(regions: pd.DataFrame, chosen: int | None) -> html.Section:
    """The region filter and the sessions per region, whose bars choose a region. Hidden
    for a user with one region: there is nothing to choose or compare."""
    control = dcc.Dropdown(
        id=ids.region,
        options=[
            {"label": n, "value": int(i)} for i, n in regions[["id", "name"]].itertuples(False)
        ],
        value=chosen,
        placeholder="All your regions",
        clearable=True,
    )
    return html.Section(
        [
            html.H2("Regions", className="section-title"),
            dbc.Row(
                [
                    dbc.Col(
                        [
                            filter_bar([field("Region", control)]),
                            html.P(
                                id=ids.region_note,
                                className="region-note mt-3",
                                role="status",
                                **attrs(aria_live="polite"),
                            ),
                        ],
                        lg=6,
                    ),
                    dbc.Col(
                        chart_card(
                            body_id=ids.regions_chart,
                            title="Tutoring sessions by region",
                            subtitle=f"Last {REGION_WEEKS} weeks by outcome; click a region to "
                            "see this page for it alone",
                            export=(VIEW, "regions"),
                        ),
                        lg=6,
                    ),
                ],
                className="g-3",
            ),
        ],
        className="home-section",
        hidden=len(regions) < 2,
        **attrs(aria_label="Regions"),
    )


def regions_in_scope() -> pd.DataFrame:
    """The regions the user sees (id, name), by name."""
    scope = region_scope()
    with connect() as conn:
        regions = accounts.regions_table(conn=conn)
    if scope is not None:
        regions = regions[regions["id"].isin(scope)]
    return regions.sort_values(["name", "id"])


def chosen_regions(region: Any) -> list[int] | None:
    """The regions home shows: the chosen one, or every region of the user's (None: all).
    Anything but one of the user's regions is refused and audited."""
    if region is None:
        return region_scope()
    if (
        isinstance(region, bool)
        or not isinstance(region, int)
        or region not in set(regions_in_scope()["id"])
    ):
        audit("access.denied", what="home region", region=str(region)[:20])
        raise AccessDenied()
    return [region]


def layout(**query: str) -> html.Div:
    """`?region=<id>` shows every section for that region alone (one of the user's)."""
    regions = regions_in_scope()
    chosen = SPEC.state(query)["region"]
    chosen = chosen if chosen in set(regions["id"]) else None  # else all of the user's
    return html.Div(
        [
            view_location(VIEW, shown=SPEC.query({"region": chosen})),
            dcc.Location(id=ids.go, refresh="callback-nav"),
            view_actions(VIEW, can_embed=allowed(EMBED_ROLES)),
            ExplainAIO(VIEW),
            regions_section(regions, chosen),
            *[section(area) for area in SECTIONS],
            recent_activity(region_scope() if chosen is None else [chosen]),
        ]
    )


def recent_activity(region_ids: list[int] | None) -> html.Section:
    """The compact feed: the last few things that happened in the regions home shows (the
    chosen one, or every region of the user's)."""
    return html.Section(
        [
            html.H2(
                ["Recent activity ", html.A("all", href="/activity", className="small")],
                className="section-title",
            ),
            dbc.Card(dbc.CardBody(recent_events(region_ids), id=ids.feed)),
        ],
        className="home-section",
        **attrs(aria_label="Recent activity"),
    )


def recent_events(region_ids: list[int] | None) -> Component:
    moment = now()
    with connect() as conn:
        events, _ = activity.feed(conn=conn, region_ids=region_ids, limit=8)
    return feed_list(events, now=moment)


@callback(
    Output(ids.feed, "children"),
    Input(ids.region, "value"),
    prevent_initial_call=True,  # the page drew it for the region its address names
)
@requires(*EVERYONE)
def follow_region(region: Any) -> Component:
    """The feed follows the region chosen, as every section does."""
    return recent_events(chosen_regions(region))


NO_DATA_HINT = "An administrator loads it (demo data: `python -m beacon seed`)."


@callback(
    Output(ids.kpis(MATCH), "children"),
    Output(ids.chart(MATCH), "children"),
    Input(ids.area(MATCH), "data"),
    Input(ids.region, "value"),
    Input(shell_ids.theme, "data"),
)
@requires(*EVERYONE)
@cached_answer("tutors", "pe", "schedules", "credit")
def fill_section(area: str, region: Any, theme: str | None) -> tuple[list[Component], Component]:
    if area not in home_kpis.AREAS:
        raise dash.exceptions.PreventUpdate
    scope = chosen_regions(region)
    with connect() as conn:
        end = home.home_end(conn=conn)
        if end is None:
            hint = "Figures appear once data is loaded; the next refresh picks it up."
            return [dbc.Col(empty_state("No data yet", NO_DATA_HINT))], chart_body(
                None, empty_title="Nothing to chart yet", empty_hint=hint
            )
    cards, rows = section_cards(area, end, scope)
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
    Output(ids.regions_chart, "children"),
    Output(ids.region_note, "children"),
    Input(ids.region, "value"),
    Input(shell_ids.theme, "data"),
)
@requires(*EVERYONE)
@cached_answer("tutors", "pe", "schedules", "credit")  # its window ends at home's newest day
def fill_regions(region: Any, theme: str | None) -> tuple[Component, str]:
    """Sessions per region of the user's, the chosen one (if any) standing out, and what the
    page counts now."""
    chosen_regions(region)
    rows = region_rows({})
    chart = chart_body(
        region_bars(rows, theme=theme, chosen=region) if rows["sessions"].sum() else None,
        empty_title=f"No sessions in the last {REGION_WEEKS} weeks",
        empty_hint="Tutoring sessions appear here once they are recorded.",
        drill_id=ids.regions_graph,
        drill_hint="Click to see this page for this region alone",
    )
    return chart, region_note(rows, region)


def region_note(rows: pd.DataFrame, region: int | None) -> str:
    """What the page counts: all the user's regions, or one, with its share of the sessions."""
    total = int(rows["sessions"].sum())
    period = f"tutoring sessions in the last {REGION_WEEKS} weeks"
    if region is None:
        regions = rows["region_id"].nunique()
        return f"Every section counts all your regions: {number(total)} {period}, in " + (
            f"{number(regions)} regions." if regions != 1 else "1 region."
        )
    mine = rows[rows["region_id"] == region]
    name = str(mine["region"].iloc[0]) if len(mine) else region_name(region)
    count = int(mine["sessions"].sum())
    share = f" ({percent(count / total)})" if total else ""
    return f"Every section counts {name} alone: {number(count)} of {number(total)} {period}{share}."


@callback(
    Output(ids.region, "value", allow_duplicate=True),
    Input(ids.regions_graph, "clickData"),
    prevent_initial_call=True,
)
@requires(*EVERYONE)
def drill_to_region(click: Any) -> int:
    """A click on a region's bar shows home for that region; the address follows (a new
    history entry), so Back returns to all regions."""
    region = clicked(click)
    if isinstance(region, bool) or not isinstance(region, int):
        raise dash.exceptions.PreventUpdate
    return region


def region_rows(_state: ViewState) -> pd.DataFrame:
    """Tutoring sessions per region and outcome over the last weeks, in the user's scope."""
    with connect() as conn:
        end = home.home_end(conn=conn)
        if end is None:
            return pd.DataFrame({"region_id": [], "region": [], "status": [], "sessions": []})
        return overview.sessions_by_region(
            conn=conn,
            since=end - pd.Timedelta(weeks=REGION_WEEKS) + pd.Timedelta(days=1),
            until=end + pd.Timedelta(days=1),
            region_ids=region_scope(),
        )


def region_figure(rows: pd.DataFrame, theme: str | None) -> go.Figure | None:
    return region_bars(rows, theme=theme) if len(rows) and rows["sessions"].sum() else None


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


def section_cards(
    area: str, end: pd.Timestamp, region_ids: list[int] | None
) -> tuple[list[dbc.Card], pd.DataFrame]:
    """The area's KPI cards and the weekly rows its chart is drawn from, in `region_ids`
    (the user's scope, or one region of it)."""
    with connect() as conn:
        frames = home.area_frames(
            conn=conn, section=area, end=end, region_ids=region_ids, now=now()
        )
    kpis, rows = home_kpis.AREAS[area](frames, end, weeks=CHART_WEEKS)
    return kpi_cards(kpis), rows


def area_readings(state: ViewState) -> dict[str, list[KpiReading]]:
    """Each area's KPI cards as the user sees them, for the view's region, read back."""
    scope = chosen_regions(state.get("region"))
    with connect() as conn:
        end = home.home_end(conn=conn)
    if end is None:
        return {}
    return {area: facts_from_kpi_cards(section_cards(area, end, scope)[0]) for area in SECTIONS}


def home_facts(state: ViewState) -> list[KpiReading]:
    """What "Explain this view" reads: every KPI card (never personal data)."""
    return [reading for readings in area_readings(state).values() for reading in readings]


SMALL_COUNT = 20  # below it on both sides, a count's change is said in units, not percent


def kpi_cards(kpis: list[Kpi]) -> list[dbc.Card]:
    """The Home page's cards for an area's KPIs: the value, and its change against the window
    before (or the KPI's note when it is not compared). Two small counts are compared by
    their difference and the earlier count: "▼ 3, vs 5 in the previous 4 weeks", not
    "▼ 60.0%" for 2 incidents against 5."""
    return [kpi_card_of(kpi) for kpi in kpis]


def kpi_card_of(kpi: Kpi) -> dbc.Card:
    small = (
        kpi.compare
        and kpi.unit == "count"
        and not pd.isna(kpi.value)
        and not pd.isna(kpi.previous)
        and max(float(kpi.value or 0), float(kpi.previous or 0)) < SMALL_COUNT
    )
    change: float | None
    if small:
        change = float(kpi.value or 0) - float(kpi.previous or 0)
        against = f"{number(kpi.previous)} in the {kpi.against}"
    else:
        change = kpi.point_change if kpi.unit == "rate" else kpi.change
        against = kpi.against
    return kpi_card(
        title=kpi.title,
        value=FORMATS[kpi.unit](kpi.value),
        change=change,
        absolute=small,
        points=kpi.unit == "rate",
        period=kpi.note or f"vs {against}{days_of(kpi)}",
        trend=kpi.trend,
        higher_is_better=kpi.higher_is_better,
        compare=kpi.compare,
    )


def days_of(kpi: Kpi) -> str:
    """The days a compared card counts, " · counted 9 Nov – 6 Dec", both included: its
    window ends on the newest whole day with data, not today, and "last 4 weeks" alone could
    not be reconciled with a count to today (a manager's walk). After the comparison, so that
    the change ("▼ 3") never runs into the first day."""
    if kpi.first_day is None or kpi.last_day is None:
        return ""
    first, last = kpi.first_day, kpi.last_day
    return f" · counted {first.day} {first:%b} – {last.day} {last:%b}"


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
    def rows(state: ViewState) -> pd.DataFrame:
        scope = chosen_regions(state.get("region"))
        with connect() as conn:
            end = home.home_end(conn=conn)
        return section_cards(area, end, scope)[1] if end is not None else pd.DataFrame()

    rows.__doc__ = f"The weekly rows behind the {area} chart, for the view's region."
    return rows


def kpi_values(state: ViewState) -> list[tuple[str, str]]:
    """Every area's KPI cards as the user sees them: (title, value and change)."""
    return [
        (f"{SECTIONS[area][0]}: {r.label}", r.value + (f" ({r.change})" if r.change else ""))
        for area, readings in area_readings(state).items()
        for r in readings
    ]


SPEC = register(
    View(
        name=VIEW,
        path="/",
        title="Home: every area at a glance",
        roles=EVERYONE,
        params=(region_param(ids.region),),
        parts=(
            # A report's heading carries the period its card's subtitle names: a PDF read
            # "Schedules: Booked hours per week by status" without "past 8 and next 4 weeks".
            Part(
                "regions",
                f"Tutoring sessions by region, last {REGION_WEEKS} weeks",
                region_rows,
                region_figure,
            ),
            *(
                Part(
                    area,
                    f"{heading}: {chart_title} ({subtitle.split(';')[0]})",
                    chart_rows(area),
                    FIGURES[area],
                )
                for area, (heading, chart_title, subtitle) in SECTIONS.items()
            ),
        ),
        kpis=kpi_values,
        explained=Explained("Home", home_facts),
    )
)

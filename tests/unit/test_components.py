import plotly.graph_objects as go
import pytest
from dash import dcc, html

from components.chart_card import chart_body, chart_card
from components.formatting import count_of, local_datetime, number, percent, signed_percent
from components.kpi_card import delta_class, kpi_card
from components.shell import navigation
from components.theme import (
    PALETTES,
    RISK_COLORS,
    THEMES,
    contrast_ratio,
    palette_css,
    theme_css,
    themed,
    valid_theme,
)
from tests.conftest import graph_of


def text_of(component) -> list[str]:
    """Every string in a component tree, depth first."""
    if isinstance(component, str):
        return [component]
    children = getattr(component, "children", None)
    if children is None:
        return []
    if not isinstance(children, list | tuple):
        children = [children]
    return [s for child in children for s in text_of(child)]


@pytest.mark.parametrize(
    ("value", "expected"),
    [(1234567, "1,234,567"), (None, "–"), (float("nan"), "–")],
)
def test_numbers_have_thousands_separators(value, expected):
    assert number(value) == expected


def test_percentages_have_one_decimal():
    assert percent(0.1234) == "12.3%"
    assert signed_percent(-0.05) == "▼ 5.0%"
    assert signed_percent(None) == "no earlier data"


def test_datetimes_are_iso_in_utc():
    import pandas as pd

    assert (
        local_datetime(pd.Timestamp("2026-01-02 03:04", tz="Europe/Berlin"))
        == "2026-01-02 02:04 GMT"
    )
    assert local_datetime(None) == "no data yet"


def test_kpi_card_shows_title_value_change_and_period():
    card = kpi_card(
        title="Sessions", value="1,200", change=0.1, period="vs previous 30 days", trend=[1, 2, 3]
    )
    strings = text_of(card)
    assert strings[:2] == ["Sessions", "1,200"]
    assert "▲ 10.0% " in strings and "vs previous 30 days" in strings


def test_a_rate_changes_in_points_and_a_change_written_zero_is_no_change():
    from components.insight import facts_from_kpi_cards

    # 65.7% -> 61.4%: 4.3 points down, not the 6.5% a relative change would say.
    rate = kpi_card(
        title="Approval rate", value="61.4%", change=0.614 - 0.657, period="vs x", points=True
    )
    assert "▼ 4.3 pts " in text_of(rate)
    assert facts_from_kpi_cards(rate)[0].wrong_way
    # A rating 0.02% lower is written 0.0%: the square of no change, and no red.
    flat = kpi_card(title="Average rating", value="4.5", change=-0.0002, period="vs x")
    assert "■ 0.0% " in text_of(flat)
    assert not facts_from_kpi_cards(flat)[0].wrong_way
    assert "■ 0 " in text_of(kpi_card(title="n", value="1", change=0.4, period="", absolute=True))


def test_kpi_card_without_comparison_shows_only_context():
    card = kpi_card(title="Active tutors", value="12", change=None, period="3 left", compare=False)
    assert text_of(card) == ["Active tutors", "12", "3 left"]


def test_delta_colour_depends_on_which_direction_is_good():
    assert delta_class(0.2, higher_is_better=True).endswith("good")
    assert delta_class(0.2, higher_is_better=False).endswith("bad")
    assert delta_class(None, higher_is_better=True).endswith("neutral")


def test_chart_body_shows_the_empty_state_when_there_is_nothing_to_draw():
    empty = chart_body(go.Figure(), empty_title="No data", empty_hint="Try another filter")
    assert isinstance(empty, html.Div) and text_of(empty)[-2:] == ["No data", "Try another filter"]
    drawn = chart_body(go.Figure(go.Bar(y=[1])), empty_title="x", empty_hint="y")
    assert isinstance(graph_of(drawn), dcc.Graph)


def test_chart_card_has_title_subtitle_and_a_body_to_fill():
    card = chart_card(body_id="b", title="Sessions", subtitle="per week")
    assert text_of(card)[:2] == ["Sessions", "per week"]


def test_navigation_groups_by_area_and_hides_nav_false():
    pages = [
        {"name": "Credit home", "relative_path": "/credit", "area": "Credit", "order": 1},
        {"name": "Home", "relative_path": "/", "area": "Overview", "order": 0},
        {"name": "Hidden", "relative_path": "/404", "nav": False},
    ]
    assert text_of(navigation(pages)) == ["Beacon", "Overview", "Home", "Credit", "Credit home"]


def test_figures_follow_the_theme_and_unknown_themes_fall_back():
    dark = themed(go.Figure(), "dark")
    default = themed(go.Figure(), "no-such-theme")
    assert dark.layout.template.layout.font.color == PALETTES["dark"].text
    assert default.layout.template.layout.font.color == PALETTES["default"].text
    colourful = themed(go.Figure(), "colourful").to_dict()["layout"]["template"]["layout"]
    assert colourful["colorway"] == list(PALETTES["colourful"].series)
    assert colourful["xaxis"]["gridcolor"] == PALETTES["colourful"].grid
    # What a figure sets itself wins over the theme.
    tall = themed(go.Figure(layout={"margin": {"t": 8}}), "dark").to_dict()["layout"]
    assert tall["margin"] == {"t": 8} and tall["template"]["layout"]["margin"]["t"] == 64
    assert valid_theme("<script>") == "default"
    assert valid_theme("light") == "default"  # the name the two-theme switch used to save


def test_there_are_five_themes_each_with_its_own_css_block():
    assert THEMES == ("default", "dark", "high-contrast", "professional", "colourful")
    css = theme_css()
    for name, palette in PALETTES.items():
        assert f'[data-beacon-theme="{name}"] {{' in css
        assert f"--bs-body-color: {palette.text};" in palette_css(name, palette)


def test_contrast_ratio_matches_the_wcag_reference_values():
    assert contrast_ratio("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast_ratio("#ffffff", "#ffffff") == pytest.approx(1.0)
    assert contrast_ratio("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)


@pytest.mark.parametrize("name", THEMES)
def test_every_theme_meets_wcag_aa_for_text_links_and_buttons(name):
    p = PALETTES[name]
    pairs = {
        "text on cards": (p.text, p.surface),
        "text on the page": (p.text, p.page),
        "secondary text on cards": (p.muted, p.surface),
        "secondary text on the page": (p.muted, p.page),
        "links on cards": (p.accent, p.surface),
        "links on the page": (p.accent, p.page),
        "button text": (p.button_text, p.button),
    }
    low = {k: round(contrast_ratio(*v), 2) for k, v in pairs.items() if contrast_ratio(*v) < 4.5}
    assert low == {}


def test_high_contrast_goes_beyond_aa():
    p = PALETTES["high-contrast"]
    assert min(contrast_ratio(p.text, p.surface), contrast_ratio(p.accent, p.surface)) >= 7
    assert p.underline_links


def test_risk_bands_have_four_distinct_colours():
    assert list(RISK_COLORS) == ["low", "medium", "high", "critical"]
    assert len(set(RISK_COLORS.values())) == 4


def test_incident_severities_stack_in_colours_told_apart():
    """Minor, moderate and serious share a stacked bar: each pair of colours is far apart in
    lightness or hue (the bands' two oranges were 0.01 apart in lightness and 14 degrees in
    hue)."""
    import colorsys
    from itertools import combinations

    from components.pe_widgets import SEVERITY_COLORS

    def hls(colour: str) -> tuple[float, float, float]:
        red, green, blue = (int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5))
        return colorsys.rgb_to_hls(red, green, blue)

    for a, b in combinations(SEVERITY_COLORS.values(), 2):
        (hue_a, light_a, _), (hue_b, light_b, _) = hls(a), hls(b)
        assert abs(light_a - light_b) >= 0.1 or abs(hue_a - hue_b) * 360 >= 20, (a, b)


def _links(component) -> list:
    found = [component] if isinstance(component, html.A) else []
    children = getattr(component, "children", None) or []
    for child in children if isinstance(children, list | tuple) else [children]:
        found += _links(child)
    return found


def test_a_busy_calendar_day_links_to_the_rest_of_its_sessions():
    from datetime import date

    import pandas as pd

    from components.calendar import month_view, week_view

    monday = date(2026, 6, 8)
    start = pd.Timestamp("2026-06-09 09:00", tz="Europe/Berlin")
    sessions = pd.DataFrame(
        {
            "id": [1, 2],
            "title": ["Algebra", "Essay"],
            "status": ["scheduled", "completed"],
            "local_start": [start, start + pd.Timedelta(hours=1)],
            "local_end": [start + pd.Timedelta(hours=1), start + pd.Timedelta(hours=2)],
            "host_name": ["Ada", "Ben"],
            "room": ["R1", None],
        }
    )
    counts = pd.Series({date(2026, 6, 9): 1_250})
    filters = {"view": "week", "date": "2026-06-08", "status": "scheduled"}
    for view in (
        week_view(sessions, monday=monday, counts=counts, filters=filters),
        month_view(sessions, first=date(2026, 6, 1), counts=counts, filters=filters),
    ):
        more = [a for a in _links(view) if a.className == "calendar-more"]
        assert len(more) == 1
        assert more[0].children == "+1,248 more"
        assert more[0].href == (
            "/schedules?view=list&date=2026-06-09&status=scheduled&until=2026-06-09"
        )


def test_calendar_chips_from_records_are_the_chips_iterrows_made():
    """#26: the calendars read sessions as records; each day's chips are the ones the old
    `iterrows` path made from the same frame (rooms missing or not, two days, a tz)."""
    from datetime import date

    import pandas as pd

    from components.calendar import session_link, sessions_by_day

    start = pd.Timestamp("2026-06-09 09:00", tz="Europe/London")
    starts = [start + pd.Timedelta(hours=h) for h in (0, 1, 25, 26, 27)]
    sessions = pd.DataFrame(
        {
            "id": [4, 9, 2, 7, 5],
            "title": ["Algebra", "Essay", "Chemistry", "French", "Algebra"],
            "status": ["scheduled", "completed", "cancelled", "scheduled", "scheduled"],
            "local_start": starts,
            "local_end": [s + pd.Timedelta(minutes=45) for s in starts],
            "host_name": ["Ada", "Ben", "Ada", "Cy", "Ben"],
            "room": ["R1", None, "Lab", None, "R2"],
        }
    )
    by_day = sessions_by_day(sessions)
    assert list(by_day) == [date(2026, 6, 9), date(2026, 6, 10)]
    for day, rows in by_day.items():
        todays = sessions[sessions["local_start"].dt.date == day]
        old = [session_link(row).to_plotly_json() for _, row in todays.iterrows()]
        assert [session_link(row).to_plotly_json() for row in rows] == old


def test_every_trace_type_the_app_draws_is_in_the_browsers_plotly_bundle():
    """The browser loads plotly.js's cartesian bundle (assets/vendor), not the full one: a
    trace type outside it would draw nothing. Its header names the bundle."""
    import re
    from pathlib import Path

    from plotly.basedatatypes import BaseTraceType

    root = Path(__file__).resolve().parents[2]
    (bundle,) = (root / "assets" / "vendor").glob("plotly-cartesian-*.min.js")
    assert "plotly.js (cartesian - minified)" in bundle.read_text()[:200]
    in_bundle = {"bar", "box", "contour", "heatmap", "histogram", "histogram2d", "image"}
    in_bundle |= {"histogram2dcontour", "pie", "scatter", "scatterternary", "violin"}
    drawn = set()
    for source in [*root.glob("components/*.py"), *root.glob("pages/*.py")]:
        text = source.read_text()
        drawn |= {name.lower() for name in re.findall(r"\bgo\.([A-Z][a-z0-9]+)\(", text)}
        drawn |= set(re.findall(r"\.add_([a-z0-9]+)\(", text))
        drawn |= set(re.findall(r"[\"']type[\"']: [\"']([a-z0-9]+)[\"']", text))
    trace_types = {
        name.lower()
        for name in dir(go)
        if isinstance(getattr(go, name), type) and issubclass(getattr(go, name), BaseTraceType)
    }
    drawn &= trace_types
    assert {"bar", "scatter", "heatmap"} <= drawn
    assert drawn <= in_bundle, drawn - in_bundle


def test_a_measurement_trend_with_one_date_says_there_is_no_trend_yet():
    import pandas as pd

    from components.pe_widgets import measurement_trend

    def readings(*days: str) -> pd.DataFrame:
        return pd.DataFrame(
            [
                {
                    "grade": g,
                    "metric": "sprint_60m",
                    "unit": "s",
                    "measured_on": pd.Timestamp(d),
                    "mean": 9.0 + g / 10,
                    "n": 20,
                    "flagged": 0,
                }
                for d in days
                for g in (7, 8)
            ]
        )

    one = measurement_trend(readings("2026-09-15"), theme=None, options={"metric": "sprint_60m"})
    note, chart = one.children
    chart = graph_of(chart)
    assert note.children == (
        "Mean per grade, 40 results; measured only on 2026-09-15, so there is no trend yet "
        "(it needs a second date)"
    )
    assert [t.type for t in go.Figure(chart.figure).data] == ["bar"]
    assert list(go.Figure(chart.figure).data[0].x) == ["Grade 7", "Grade 8"]

    two = measurement_trend(
        readings("2026-09-15", "2026-11-15"), theme=None, options={"metric": "sprint_60m"}
    )
    assert [t.type for t in go.Figure(graph_of(two.children[1]).figure).data] == [
        "scatter",
        "scatter",
    ]
    assert "no trend" not in two.children[0].children


def test_a_performance_forecast_says_why_it_has_no_forecast_and_draws_one_when_it_can():
    import pandas as pd

    from analytics.pe import performance_forecast
    from components.pe_widgets import performance

    def means(*days: str) -> pd.DataFrame:
        return pd.DataFrame(
            [
                {"skill": s, "assessed_on": pd.Timestamp(d), "mean": 40 + i + k, "n": 25}
                for i, d in enumerate(days)
                for k, s in enumerate(("balance", "teamwork"))
            ]
        )

    two = performance(
        performance_forecast(means("2026-09-27", "2026-11-09")), theme=None, options={}
    )
    note, chart = two.children
    chart = graph_of(chart)
    assert note.children == (
        "No forecast: 2 assessment days in this period (2026-09-27, 2026-11-09), and a trend "
        "needs at least three. Widen the dates to see one."
    )
    assert all(trace.line.dash != "dash" for trace in go.Figure(chart.figure).data)
    three = performance(
        performance_forecast(means("2026-08-16", "2026-09-27", "2026-11-09")),
        theme=None,
        options={},
    )
    note, chart = three.children
    chart = graph_of(chart)
    assert note.children.startswith("Dashed: the trend")
    dashed = [t for t in go.Figure(chart.figure).data if t.line.dash == "dash"]
    bands = [t for t in go.Figure(chart.figure).data if t.fill == "toself"]
    assert len(dashed) == len(bands) == 2  # each skill: its forecast and its 80% band
    assert max(dashed[0].x) > pd.Timestamp("2027-01-01")  # eight weeks past 9 November


def test_skill_gaps_read_as_behind_or_ahead_in_cells_whose_text_can_be_read():
    import pandas as pd

    from components.pe_widgets import GAP_SCALE, GAP_TEXT, skill_gaps
    from components.theme import contrast_ratio

    frame = pd.DataFrame(
        [
            {"grade": g, "skill": s, "gap": gap, "benchmark": 40.0, "share_below": share}
            for g, s, gap, share in [
                (2, "teamwork", 5.9, 0.75),
                (2, "locomotor", -11.4, 0.1),
                (3, "teamwork", 0.04, 0.5),
                (3, "locomotor", -2.0, 0.3),
            ]
        ]
    )
    note, chart = skill_gaps(frame, theme="dark", options={}).children
    assert note.children.startswith("Largest gap: grade 2 teamwork, 5.9 points below")
    heatmap = go.Figure(graph_of(chart).figure).data[0]
    words = {tuple(cell) for row in heatmap.customdata for cell in row}
    assert words == {
        ("5.9 points behind", 0.75),
        ("11.4 points ahead", 0.1),
        ("on the benchmark", 0.5),
        ("2.0 points ahead", 0.3),
    }
    assert heatmap.textfont.color == GAP_TEXT
    assert min(contrast_ratio(GAP_TEXT, colour) for _, colour in GAP_SCALE) >= 4.5
    # The colorbar lies above the cells, in the margin kept for it: at the side it took a
    # third of a phone's width, and the cells' numbers shrank to 5 px.
    figure = go.Figure(graph_of(chart).figure)
    assert heatmap.colorbar.orientation == "h" and heatmap.colorbar.y >= 1
    assert figure.layout.margin.t >= 80


def test_progress_names_every_class_it_draws():
    import pandas as pd

    from components.pe_widgets import progress

    frame = pd.DataFrame(
        [
            {
                "student_name": f"Student {c}-{k}",
                "class_name": f"School {c} · Grade {c % 8 + 1} PE",
                "first_score": 40.0,
                "last_score": 40.0 + c / 10 + k,
            }
            for c in range(14)
            for k in range(3)
        ]
    )
    drawn = progress(frame, theme=None, options={})
    chart = graph_of(drawn.children[1])
    shown = list(go.Figure(chart.figure).layout.yaxis.tickvals)
    assert (
        len(shown) == len(go.Figure(chart.figure).data[0].y) == 12
    )  # the twelve most improved classes
    assert go.Figure(chart.figure).layout.height >= 12 * 22


@pytest.mark.parametrize(
    ("agent", "expected"),
    [
        (
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/131.0.0.0 Safari/537.36",
            "Chrome 131 on Windows",
        ),
        (
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/131.0.0.0 Safari/537.36 Edg/131.0.2903.86",
            "Edge 131 on Windows",
        ),
        (
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_7) AppleWebKit/605.1.15 (KHTML, like "
            "Gecko) Version/18.1 Safari/605.1.15",
            "Safari 18 on macOS",
        ),
        (
            "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 "
            "(KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
            "Safari 18 on iPhone",
        ),
        (
            "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
            "Firefox 133 on Linux",
        ),
        (
            "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
            "HeadlessChrome/131.0.0.0 Safari/537.36",
            "Chrome (headless) 131 on Linux",
        ),
        ("Werkzeug/3.1", "Unknown browser"),
        (None, "Unknown browser"),
    ],
)
def test_a_session_names_its_browser_for_people(agent, expected):
    from components.formatting import browser_name

    assert browser_name(agent) == expected


def test_an_audit_detail_reads_as_words_not_a_python_dict():
    from components.formatting import readable_detail

    assert readable_detail({"what": "pe widget", "widget": "incident_log"}) == (
        "What: pe widget · Widget: incident_log"
    )
    changed = {"after": {"amount": 25500.0, "pd": 0.0312345, "approved": True}, "token": 13042}
    assert readable_detail(changed) == (
        "After: amount 25500, pd 0.0312345, approved yes · Token: 13042"  # exact, as recorded
    )
    assert readable_detail({}) == "" and readable_detail(None) == ""
    assert readable_detail({"note": "x" * 400}).endswith("…")
    assert len(readable_detail({"note": "x" * 400})) == 300


def test_column_labels_read_as_headers_and_leave_other_names_alone():
    from components.formatting import column_label

    assert [column_label(c) for c in ("risk_before", "tutor_id", "pd", "roc_auc")] == [
        "Risk before",
        "Tutor ID",
        "PD",
        "ROC AUC",
    ]
    assert [column_label(c) for c in ("2026-06-01", "-1", "Already Nice")] == [
        "2026-06-01",
        "-1",
        "Already Nice",
    ]


def test_a_themed_figure_sent_as_plain_data_is_the_one_plotly_makes_without_copies():
    """#26: the theme's template is attached as one shared dict and not copied when the
    figure is sent; the figure sent is the same as with the template object and `to_dict`."""
    import numpy as np
    import pandas as pd
    from plotly.io.json import to_json_plotly

    from components.figures import reference_lines
    from components.theme import THEMES, figure_template, plain_figure, template_data

    def figures() -> list[go.Figure]:
        days = pd.date_range("2026-11-01", periods=5)
        bars = go.Figure(go.Bar(x=np.arange(5), y=np.array([0.1, 0.4, 0.2, 0.9, 0.5])))
        lines = go.Figure()
        lines.add_scatter(x=days, y=[3, 1, 4, 1, 5], name="sessions", fill="tozeroy")
        lines.add_scatter(x=days, y=np.array([2.0, np.nan, 2, 2, 2]), line={"dash": "dot"})
        stacked = go.Figure(go.Bar(x=["a", "b"], y=[1, 2], customdata=["low", "high"]))
        stacked.update_layout(barmode="stack", yaxis={"autorange": "reversed"})
        return [bars, reference_lines(lines, along=[(2, "dot", "usual")]), stacked, go.Figure()]

    for theme in THEMES:
        for old, new in zip(figures(), figures(), strict=True):
            layout = old.layout
            layout._validate = False
            layout.template = figure_template(theme)  # how a figure was themed before
            layout._validate = True
            sent = plain_figure(themed(new, theme))
            assert to_json_plotly(sent) == to_json_plotly(old.to_dict())  # as Dash sends it
            assert sent["layout"]["template"] is template_data(theme)  # shared, not copied
    # The data is the figure's own copy: changing what was sent leaves the figure alone.
    figure = themed(go.Figure(go.Bar(x=[1], y=[2])), "dark")
    plain_figure(figure)["data"][0]["y"] = [9]
    assert list(figure.data[0].y) == [2]


def test_reference_lines_are_the_lines_plotlys_helpers_draw():
    """#26: one layout update instead of `add_vline`/`add_hline` (3 ms a line); the figure
    sent is the same, labels and lines already on it included."""
    import plotly.graph_objects as go

    from components.figures import reference_lines
    from components.theme import themed

    def figure() -> go.Figure:
        made = themed(go.Figure(go.Bar(x=[100, 300, 500], y=[0.2, 0.5, 0.9])), "dark")
        return made.add_shape(type="rect", x0=0, x1=50, y0=0, y1=1).add_annotation(text="kept")

    old = (
        figure()
        .add_vline(x=300, line_dash="dot", annotation_text="cut-off 300")
        .add_vline(x=450, line_dash="dash")
        .add_hline(y=0.5, line_dash="dot", annotation_text="even share")
    )
    new = reference_lines(
        figure(),
        across=[(300, "dot", "cut-off 300"), (450, "dash", None)],
        along=[(0.5, "dot", "even share")],
    )
    assert new.to_dict() == old.to_dict()
    assert len(new.layout.shapes) == 4 and len(new.layout.annotations) == 3


def _graph(component):  # type: ignore[no-untyped-def]
    if isinstance(component, dcc.Graph):
        return component
    children = getattr(component, "children", None) or []
    for child in children if isinstance(children, list | tuple) else [children]:
        if (found := _graph(child)) is not None:
            return found
    return None


def test_every_tooltip_says_whether_its_chart_drills_down():
    import plotly.graph_objects as go

    from components.chart_card import chart_body
    from components.figures import NO_DRILL

    figure = go.Figure(
        [
            go.Bar(x=["a"], y=[1], hovertemplate="%{x}: %{y} sessions<extra>done</extra>"),
            go.Bar(x=[2], y=["b"], orientation="h", name="Mean"),
            go.Heatmap(z=[[1]], hoverinfo="skip"),
        ]
    )
    plain = _graph(chart_body(figure, empty_title="-", empty_hint="-")).figure["data"]
    assert (
        plain[0]["hovertemplate"]
        == f"%{{x}}: %{{y}} sessions<br><i>{NO_DRILL}</i><extra>done</extra>"
    )
    assert (
        plain[1]["hovertemplate"]
        == f"%{{y}}: %{{x}}<br><i>{NO_DRILL}</i><extra>%{{fullData.name}}</extra>"
    )
    assert "hovertemplate" not in plain[2]  # a trace without tooltips keeps none
    drills = chart_body(
        figure, empty_title="-", empty_hint="-", drill_id="g", drill_hint="Click me"
    )
    assert (
        _graph(drills)
        .figure["data"][0]["hovertemplate"]
        .endswith("<br><i>Click me</i><extra>done</extra>")
    )


def test_a_plain_tooltip_keeps_the_traces_text():
    from components.figures import NO_DRILL, hover_hint

    figure = go.Figure(go.Bar(x=[5], y=["Visit"], orientation="h", text=["5 · 40% of previous"]))
    (trace,) = hover_hint(figure.to_dict(), NO_DRILL)["data"]
    assert (
        trace["hovertemplate"] == f"%{{y}}: %{{x}}<br>%{{text}}<br><i>{NO_DRILL}</i><extra></extra>"
    )


def test_a_unified_tooltip_says_it_once():
    from components.figures import NO_DRILL, hover_hint

    figure = go.Figure([go.Bar(x=["a"], y=[1]), go.Bar(x=["a"], y=[2])]).update_layout(
        hovermode="x unified"
    )
    hinted = hover_hint(figure.to_dict(), NO_DRILL)["data"]
    assert [NO_DRILL in trace.get("hovertemplate", "") for trace in hinted] == [True, False]


def test_a_count_names_one_in_the_singular():
    assert [count_of(n, "session") for n in (0, 1, 2, 1204)] == [
        "0 sessions",
        "1 session",
        "2 sessions",
        "1,204 sessions",
    ]


def test_the_attendance_forecast_says_which_weeks_it_extends():
    """Other dates give another forecast for the same week (80.3% and 83.7% in a manager's
    walk): the note names the weeks the trend follows."""
    import pandas as pd

    from analytics.pe import attendance_forecast
    from components.pe_widgets import attendance

    days = pd.date_range("2026-09-07", periods=10 * 7, freq="D")
    daily = pd.DataFrame({"day": days, "present": 80 + (days.dayofyear % 5), "expected": 100})
    frame = attendance_forecast(daily, weeks=4)
    note = attendance(frame, theme=None, options={}).children[0].children
    weeks = int((frame["kind"] == "actual").sum())
    assert "; forecast in 4 weeks " in note and weeks == 10
    assert f"the trend of the {weeks} weeks shown (it moves with the dates chosen" in note

"""Every chart's text alternative: a summary sentence and its data as a table, read from the
figure itself."""

from html.parser import HTMLParser

import pandas as pd
import plotly.graph_objects as go

from components.chart_text import MAX_ROWS, chart_summary, chart_table, with_text

TABLE_ATTRIBUTE = "data-table"  # the table's HTML, which assets/chart_table.js draws


class _Texts(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_data(self, data: str) -> None:
        self.found.append(data)


def text_of(component) -> list[str]:
    """Every string of the table as a reader meets it: the texts of its components, and
    those of the HTML the browser draws from its box's `data-table` (assets/chart_table.js)."""
    if isinstance(component, str):
        return [component]
    out = []
    table = getattr(component, TABLE_ATTRIBUTE, None)
    if table is not None:
        parser = _Texts()
        parser.feed(table)
        out += parser.found
    children = getattr(component, "children", None)
    for child in children if isinstance(children, list | tuple) else [children]:
        if child is not None:
            out += text_of(child)
    return out


def test_one_series_names_its_highest_and_lowest_point():
    figure = go.Figure(go.Bar(x=["Low", "Medium", "High"], y=[120, 40, 9], name="Tutors"))
    figure.update_layout(xaxis_title="Band")
    assert chart_summary(figure) == (
        "Tutors by band, 3 points. Highest: Low (120); lowest: High (9)."
    )
    table = chart_table(figure)
    assert text_of(table)[:4] == ["Data as a table", "Band", "Tutors", "Low"]
    assert ["Medium", "40"] == text_of(table)[5:7]


def test_horizontal_bars_dates_percentages_and_several_series():
    weeks = pd.to_datetime(["2026-11-02", "2026-11-09"])
    figure = go.Figure(
        [
            go.Scatter(x=weeks, y=[0.25, 0.5], name="Held"),
            go.Scatter(x=weeks, y=[0.1, None], name="No-show"),
        ]
    )
    figure.update_layout(yaxis_tickformat=".0%", xaxis_title="Week")
    assert chart_summary(figure) == "2 series by week, 2 points each at most: Held, No-show."
    cells = text_of(chart_table(figure))
    assert cells[1:4] == ["Week", "Held", "No-show"]
    assert cells[4:7] == ["2026-11-02", "25.0%", "10.0%"]
    assert cells[7:10] == ["2026-11-09", "50.0%", "–"]
    sideways = go.Figure(go.Bar(y=["Maths", "Music"], x=[3.5, 2], orientation="h", name="Mean"))
    assert "Highest: Maths (3.5); lowest: Music (2)" in chart_summary(sideways)
    one = go.Figure(go.Bar(x=["Grade 1"], y=[15.6], name="BMI"))
    assert chart_summary(one) == "BMI, 1 point: Grade 1 (15.6)."  # not highest and lowest


def test_bands_are_not_series_pies_count_and_long_tables_point_to_the_export():
    band = go.Scatter(x=[1, 2, 2, 1], y=[1, 1, 2, 2], fill="toself", showlegend=False)
    line = go.Scatter(x=[1, 2], y=[1.5, 1.7], name="Forecast")
    assert chart_summary(go.Figure([band, line])).startswith("Forecast, 2 points. Highest: 2")
    pie = go.Figure(go.Pie(labels=["Web", "Branch"], values=[70, 30]))
    assert "Highest: Web (70); lowest: Branch (30)" in chart_summary(pie)
    many = go.Figure(go.Bar(x=list(range(MAX_ROWS + 5)), y=list(range(MAX_ROWS + 5))))
    assert f"The first {MAX_ROWS} of {MAX_ROWS + 5} rows" in text_of(chart_table(many))[-1]
    assert chart_summary(go.Figure()) == "A chart without data points."
    assert chart_table(go.Figure()) is None


def test_the_chart_comes_with_its_caption_and_table():
    from dash import dcc

    figure = go.Figure(go.Bar(x=["a"], y=[1]))
    wrapped = with_text(dcc.Graph(figure=figure), figure)
    graph, caption, table = wrapped.children
    assert isinstance(graph, dcc.Graph) and "visually-hidden" in caption.className
    assert table.children[0].children == "Data as a table"


def test_the_table_is_one_component_whose_texts_are_escaped():
    """Category names can be people's text (a tutor's, a region's): in the table's HTML they
    are text, never markup."""
    figure = go.Figure(go.Bar(x=["<img src=x onerror=alert(1)>", "A & B"], y=[1, 2], name="<b>"))
    table = chart_table(figure)
    box = table.children[1].children
    markup = getattr(box, TABLE_ATTRIBUTE)
    assert box.className == "chart-data-table" and box.children is None  # drawn when opened
    assert "<img" not in markup and "<b>" not in markup
    assert "&lt;img src=x onerror=alert(1)&gt;" in markup
    assert text_of(table)[1:6] == ["Category", "<b>", "<img src=x onerror=alert(1)>", "1", "A & B"]
    assert '<th scope="row">A &amp; B</th><td>2</td>' in markup
    # White space reads as single spaces, as on the chart.
    spaced = chart_table(go.Figure(go.Bar(x=["North\n\n[x](javascript:alert(1))"], y=[1])))
    markup = getattr(spaced.children[1].children, TABLE_ATTRIBUTE)
    assert "\n" not in markup and "North [x](javascript:alert(1))" in markup


def test_rows_of_a_numeric_axis_run_low_to_high_across_series():
    """Bars of one band per series (low: scores 0-2, medium: 2-4) list each score once, in
    the axis's order, not in the order the series first met them."""
    figure = go.Figure(
        [
            go.Bar(x=[0, 2, 1], y=[10, 5, 8], name="low"),
            go.Bar(x=[4, 2, 3], y=[1, 2, 3], name="medium"),
        ]
    )
    cells = text_of(chart_table(figure))
    assert [cells[i] for i in range(4, len(cells), 3)] == ["0", "1", "2", "3", "4"]
    assert cells[10:13] == ["2", "5", "2"]
    words = go.Figure(go.Bar(x=["North", "East"], y=[1, 2], name="n"))
    assert text_of(chart_table(words))[3::2] == ["North", "East"]  # categories keep theirs


def test_a_heatmap_is_a_series_per_row_in_its_summary_and_its_table():
    """The PE skill gaps are a heatmap of grades by skill: each grade's row reads as a series
    (the summary said "A chart without data points" of 40 cells)."""
    gaps = go.Figure(
        go.Heatmap(x=["balance", "teamwork"], y=["Grade 1", "Grade 2"], z=[[-1.5, 2.0], [6.1, 0]])
    ).update_layout(xaxis_title="skill")
    assert chart_summary(gaps) == "2 series by skill, 2 points each at most: Grade 1, Grade 2."
    assert "6.1" in str(chart_table(gaps)) and "Grade 2" in str(chart_table(gaps))


def test_a_band_edge_is_named_in_the_text_as_its_meta_says():
    """Monitoring's middle half: the legend says "Middle half", the table its quartiles."""
    import app  # noqa: F401  (pages register with the app)
    from pages.credit_monitoring import scores_figure

    monthly = pd.DataFrame(
        {
            "month": pd.to_datetime(["2025-01-01", "2025-02-01"]),
            "q25": [529.0, 531.0],
            "median": [550.0, 551.0],
            "q75": [570.0, 572.0],
            "n": [300, 310],
        }
    )
    summary = chart_summary(scores_figure(monthly, "light"))
    assert summary.endswith("Upper quartile, Lower quartile, Median.")
    assert "Value" not in summary


def test_one_point_is_one_point():
    one = go.Figure(go.Scatter(x=["2026-11-02"], y=[511], name="Score"))
    assert chart_summary(one) == "Score, 1 point: 2026-11-02 (511)."

"""How each PE widget draws its (already computed) numbers: pure functions of frames and theme."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import dash_bootstrap_components as dbc
import pandas as pd
import plotly.graph_objects as go
from dash import dcc, html
from dash.dependencies import Wildcard
from dash.development.base_component import Component

from components.chart_text import with_text
from components.figures import NO_DRILL, clicked, hover_hint, reference_lines, week_axis
from components.formatting import number, percent
from components.grid_columns import GridColumn, TableView, small_grid
from components.table import data_table
from components.theme import PALETTES, RISK_COLORS, plain_figure, themed, valid_theme
from vocabulary import SEVERITY_WEIGHTS

# Yellow, orange, red: the risk bands' medium and high oranges side by side in one stacked
# bar read as one colour.
SEVERITY_COLORS = {
    "minor": "#fcc419",
    "moderate": "#f76707",
    "serious": RISK_COLORS["critical"],
}


GRADE_DRILL_HINT = "Click to filter the board to this grade"


def grade_drill_id(widget: str | Wildcard) -> dict[str, Any]:
    """The id of a widget's chart whose grades filter the board on a click."""
    return {"type": "pe-grade-drill", "widget": widget}


def graph(
    figure: go.Figure,
    theme: str | None,
    *,
    height: int = 260,
    drill: str | None = None,
    top: int = 40,
) -> Component:
    """The widget's chart with its text alternative (summary sentence, data table). With
    `drill` (the widget's name) a click on a grade filters the board to it; `top` is the
    margin above the plot (room for a colorbar there)."""
    figure = themed(figure, theme).update_layout(height=height, margin={"t": top, "b": 36})
    clickable: dict[str, Any] = {"id": grade_drill_id(drill)} if drill else {}
    drawn = dcc.Graph(
        figure=hover_hint(plain_figure(figure), GRADE_DRILL_HINT if drill else NO_DRILL),
        config={"displaylogo": False, "responsive": True},
        className="chart-graph chart-drills" if drill else "chart-graph",
        **clickable,
    )
    return with_text(drawn, figure)


def clicked_grade(click_data: object) -> int | None:
    """The grade of the mark a user clicked: a bar's x ("3") or a heatmap row's y
    ("Grade 3"); None for anything else, a forged value included."""
    for key in ("x", "y"):
        text = str(clicked(click_data, key) or "").removeprefix("Grade ").strip()
        if text.isascii() and text.isdigit() and len(text) <= 2:
            return int(text)
    return None


ACRONYMS = {"bmi": "BMI"}


def label(name: object) -> str:
    """A column or skill name as a person reads it: "sit_and_reach" -> "Sit and reach",
    "bmi" -> "BMI" (it read "Bmi")."""
    text = str(name)
    return ACRONYMS.get(text, text.replace("_", " ").capitalize())


def _forecast_traces(figure: go.Figure, frame: pd.DataFrame, name: str, colour: str) -> None:
    actual = frame[frame["kind"] == "actual"]
    ahead = pd.concat([actual.tail(1), frame[frame["kind"] == "forecast"]])
    figure.add_scatter(x=actual["period"], y=actual["value"], name=name, line={"color": colour})
    if len(ahead) > 1:
        band_x = pd.concat([ahead["period"], ahead["period"][::-1]])
        band_y = pd.concat([ahead["high"], ahead["low"][::-1]])
        figure.add_scatter(
            x=band_x,
            y=band_y,
            fill="toself",
            line={"width": 0},
            fillcolor=colour,
            opacity=0.15,
            hoverinfo="skip",
            showlegend=False,
        )
        figure.add_scatter(
            x=ahead["period"],
            y=ahead["value"],
            name=f"{name}, forecast",
            line={"color": colour, "dash": "dash"},
        )


def attendance(frame: pd.DataFrame, *, theme: str | None, options: dict) -> Component:
    figure = go.Figure()
    _forecast_traces(figure, frame, "Attendance", PALETTES[valid_theme(theme)].series[0])
    figure.update_yaxes(tickformat=".0%", title="attendance")
    figure.update_xaxes(**week_axis(frame["period"].unique()))
    actual = frame[frame["kind"] == "actual"]["value"]
    ahead = frame[frame["kind"] == "forecast"]["value"]
    # The forecast extends the weeks drawn: other dates give another forecast for the same
    # week, so the note says which weeks it follows (a manager's walk read 80.3% and 83.7%).
    note = f"Last week {percent(actual.iloc[-1])}" + (
        f"; forecast in {len(ahead)} weeks {percent(ahead.iloc[-1])}, the trend of the "
        f"{len(actual)} weeks shown (it moves with the dates chosen and ignores school breaks)"
        if len(ahead)
        else ""
    )
    return html.Div([html.P(note, className="widget-note"), graph(figure, theme)])


def active_students(frame: pd.DataFrame, *, theme: str | None, options: dict) -> Component:
    now, before, enrolled = (frame[c].sum() for c in ("active_recent", "active_before", "enrolled"))
    change = now - before
    figure = go.Figure(
        go.Bar(
            x=frame["grade"].astype(str),
            y=frame["active_recent"] / frame["enrolled"],
            name="Active share",
        )
    )
    figure.update_yaxes(tickformat=".0%", range=[0, 1]).update_xaxes(title="grade")
    return html.Div(
        [
            html.Div(
                [
                    html.Span(number(now), className="kpi-value"),
                    html.Span(
                        f" of {number(enrolled)} students came to three in four lessons or "
                        "more in the last 30 days "
                        f"({'+' if change >= 0 else '−'}{number(abs(change))} on the 30 days "
                        "before)",
                        className="widget-note",
                    ),
                ]
            ),
            graph(figure, theme, height=200, drill="active_students"),
        ]
    )


def coverage_note(coverage: pd.DataFrame) -> str:
    """The skills taught under half or over double their even share, or that none is: "Every
    skill gets its share" read wrong beside 17% and 33% against an even 20%."""
    even = f"{float(coverage['target'].iloc[0]):.0%}"
    named = {
        status: coverage[coverage["status"] == status]["skill"].map(label).tolist()
        for status in ("under", "over")
    }
    parts = [
        f"{words} the even share of lessons ({even}): {', '.join(named[status])}"
        for status, words in (("under", "Under half"), ("over", "Over double"))
        if named[status]
    ]
    if not parts:
        return f"Every skill has from half to double the even share of lessons ({even})."
    return ". ".join(parts) + "."


def curriculum(
    data: dict, *, theme: str | None, options: dict, table: TableView | None = None
) -> Component:
    coverage = data["coverage"]
    colours = {
        "under": RISK_COLORS["high"],
        "over": RISK_COLORS["medium"],
        "ok": RISK_COLORS["low"],
    }
    figure = go.Figure(
        go.Bar(
            x=[label(s) for s in coverage["skill"]],
            y=coverage["share"],
            marker_color=coverage["status"].map(colours),
            name="Share of lessons",
            customdata=coverage["status"],
            hovertemplate="%{x}: %{y:.0%} (%{customdata})<extra></extra>",
        )
    )
    reference_lines(figure, along=[(float(coverage["target"].iloc[0]), "dot", "even share")])
    figure.update_yaxes(tickformat=".0%")
    note = coverage_note(coverage)
    return html.Div(
        [
            html.P(note, className="widget-note"),
            graph(figure, theme, height=220),
            table_of("curriculum", data, table=table),
        ]
    )


def measurement_trend(frame: pd.DataFrame, *, theme: str | None, options: dict) -> Component:
    metric = options["metric"]
    rows = frame[frame["metric"] == metric]
    if rows.empty:
        return html.P(
            f"No {label(metric).lower()} results under these filters.", className="widget-note"
        )
    figure = go.Figure()
    dates = rows["measured_on"].drop_duplicates()
    flagged = rows["flagged"].sum()
    note = (
        f"{number(flagged)} of {number(rows['n'].sum())} readings flagged for follow-up"
        if flagged
        else f"Mean per grade, {number(rows['n'].sum())} results"
    )
    if len(dates) < 2:  # one date is no trend: the readings of that day, per grade
        day = pd.Timestamp(dates.iloc[0]).date().isoformat()
        figure.add_bar(x=[f"Grade {g}" for g in rows["grade"]], y=rows["mean"])
        note += f"; measured only on {day}, so there is no trend yet (it needs a second date)"
    else:
        for grade, g in rows.groupby("grade"):
            figure.add_scatter(
                x=g["measured_on"], y=g["mean"], name=f"Grade {grade}", mode="lines+markers"
            )
        figure.update_xaxes(tickformat="%d %b %Y")
    unit = str(rows["unit"].iloc[0]).replace("m2", "m²")
    figure.update_yaxes(title=f"{label(metric)} ({unit})")
    return html.Div([html.P(note, className="widget-note"), graph(figure, theme)])


def progress(frame: pd.DataFrame, *, theme: str | None, options: dict) -> Component:
    frame = frame.assign(change=frame["last_score"] - frame["first_score"]).dropna(
        subset=["change"]
    )
    per_class = frame.groupby("class_name")["change"].mean().sort_values().tail(12)
    figure = go.Figure(
        go.Bar(x=per_class.to_numpy(), y=per_class.index, orientation="h", name="Mean change")
    )
    figure.update_xaxes(title="points since the first assessment")
    # Every class named, however many: Plotly would skip every other label to save room.
    figure.update_yaxes(tickmode="array", tickvals=list(per_class.index), automargin=True)
    columns = {"student_name": "Student", "class_name": "Class", "change": "Change"}
    shown = frame.assign(change=frame["change"].map(lambda v: f"{v:+.1f}"))
    ordered = frame.sort_values("change")
    return html.Div(
        [
            html.P(
                f"{number(len(frame))} students, mean change {frame['change'].mean():+.1f} points",
                className="widget-note",
            ),
            graph(figure, theme, height=max(240, 22 * len(per_class) + 80)),
            data_table(
                shown.loc[ordered.index[::-1]].head(5),
                columns,
                empty_title="",
                empty_hint="",
                caption="Most improved",
            ),
            data_table(
                shown.loc[ordered.index].head(5),
                columns,
                empty_title="",
                empty_hint="",
                caption="Needs support",
            ),
        ]
    )


def skill_results(frame: pd.DataFrame, *, theme: str | None, options: dict) -> Component:
    figure = go.Figure()
    per_bin = frame.groupby(["skill", "bin"])["n"].sum().reset_index()
    for skill, rows in per_bin.groupby("skill"):
        figure.add_bar(x=rows["bin"] * 5 + 2.5, y=rows["n"], name=label(skill))
    figure.update_layout(barmode="group").update_xaxes(title="score (5-point bins)", range=[0, 100])
    figure.update_yaxes(title="students")
    means = frame.groupby("skill")[["total", "n"]].sum()
    note = "Means: " + ", ".join(f"{label(s)} {t / n:.1f}" for s, (t, n) in means.iterrows())
    day = frame["assessed_on"].iloc[0].date().isoformat()
    return html.Div(
        [html.P(f"Assessment of {day}. {note}", className="widget-note"), graph(figure, theme)]
    )


# A diverging scale from blue (ahead of the benchmark) through white to red (behind), with
# ends light enough that the cells' dark text keeps a contrast of 6:1 or more.
GAP_SCALE = [
    [0.0, "#6baed6"],
    [0.25, "#b9d9ea"],
    [0.5, "#f7f7f7"],
    [0.75, "#f6c0a5"],
    [1.0, "#ef8a62"],
]
GAP_TEXT = "#212529"


def _gap_words(gap: float) -> str:
    """A skill gap as words: "5.9 points behind", "2.0 points ahead", "on the benchmark"."""
    if gap != gap:
        return "no assessments"
    if round(gap, 1) == 0:
        return "on the benchmark"
    return f"{abs(gap):.1f} points {'behind' if gap > 0 else 'ahead'}"


def skill_gaps(frame: pd.DataFrame, *, theme: str | None, options: dict) -> Component:
    wide = frame.pivot(index="grade", columns="skill", values="gap").sort_index()
    share = frame.pivot(index="grade", columns="skill", values="share_below").reindex_like(wide)
    gaps = wide.to_numpy()
    said = [[_gap_words(gap) for gap in row] for row in gaps]
    figure = go.Figure(
        go.Heatmap(
            z=gaps,
            x=[label(s) for s in wide.columns],
            y=[f"Grade {g}" for g in wide.index],
            customdata=[
                [[words, below] for words, below in zip(words_row, share_row, strict=True)]
                for words_row, share_row in zip(said, share.to_numpy(), strict=True)
            ],
            zmid=0,
            colorscale=GAP_SCALE,
            text=wide.round(1).to_numpy(),
            texttemplate="%{text}",
            # Every cell is light enough for dark text, in either theme (the darkest blue of
            # a full red-blue scale left "-11.3" unreadable).
            textfont={"color": GAP_TEXT},
            hovertemplate="%{y}, %{x}: %{customdata[0]}; %{customdata[1]:.0%} below<extra></extra>",
            # Above the cells, not beside them: on a phone a colorbar at the side took a
            # third of the width, and five skills' numbers shrank to 5 px.
            colorbar={
                "title": {"text": "points behind (− ahead)", "side": "top"},
                "orientation": "h",
                "x": 0.5,
                "xanchor": "center",
                "y": 1.02,
                "yanchor": "bottom",
                "len": 0.9,
                "thickness": 10,
            },
        )
    )
    worst = frame.iloc[0]
    note = (
        f"Largest gap: grade {worst['grade']} {label(worst['skill']).lower()}, "
        f"{worst['gap']:.1f} points below the benchmark of {worst['benchmark']:.0f} "
        f"({percent(worst['share_below'])} of students below)"
    )
    return html.Div(
        [
            html.P(note, className="widget-note"),
            graph(figure, theme, height=320, drill="skill_gaps", top=80),
        ]
    )


def performance(frame: pd.DataFrame, *, theme: str | None, options: dict) -> Component:
    figure = go.Figure()
    series = PALETTES[valid_theme(theme)].series
    for i, (skill, rows) in enumerate(frame.groupby("skill")):
        _forecast_traces(figure, rows, label(skill), series[i % len(series)])
    figure.update_yaxes(title="mean score")
    days = sorted(frame.loc[frame["kind"] == "actual", "period"].dt.date.unique())
    note = (
        "Dashed: the trend of each skill extended, with its 80% band."
        if (frame["kind"] == "forecast").any()
        else f"No forecast: {len(days)} assessment day{'s' if len(days) != 1 else ''} in this "
        f"period ({', '.join(str(d) for d in days)}), and a trend needs at least three. "
        "Widen the dates to see one."
    )
    return html.Div([html.P(note, className="widget-note"), graph(figure, theme, height=300)])


def safety(
    data: dict, *, theme: str | None, options: dict, table: TableView | None = None
) -> Component:
    by_activity = data["by_activity"]
    figure = go.Figure()
    for severity, colour in SEVERITY_COLORS.items():
        rows = by_activity[by_activity["severity"] == severity]
        figure.add_bar(x=rows["activity"], y=rows["n"], name=severity, marker_color=colour)
    figure.update_layout(barmode="stack").update_yaxes(title="incidents")
    grid = table_of("safety_risk", data, table=table)
    chart = (
        graph(figure, theme, height=220)
        if len(by_activity)
        else html.P("No incidents in this period.", className="widget-note")
    )
    return html.Div([grid, chart])


def incident_log(
    frame: pd.DataFrame, *, theme: str | None, options: dict, table: TableView | None = None
) -> Component:
    total = int(frame["total"].iloc[0])
    held = f"The newest {number(len(frame))} of " if len(frame) < total else ""
    return html.Div(
        [
            html.P(f"{held}{number(total)} incidents, newest first", className="widget-note"),
            table_of("incident_log", frame, table=table),
        ]
    )


def teams(data: dict, *, theme: str | None, options: dict) -> Component:
    split = data["split"]
    cards = [
        dbc.Col(
            dbc.Card(
                dbc.CardBody(
                    [
                        html.H4(f"Team {t.team}", className="chart-title"),
                        html.P(f"{t.size} players · mean {t.mean:.1f}", className="widget-note"),
                        html.Ul(
                            [
                                html.Li(n)
                                for n in split.players[split.players["team"] == t.team].sort_values(
                                    "score", ascending=False
                                )["student_name"]
                            ],
                            className="team-list",
                        ),
                    ]
                )
            ),
            sm=6,
            lg=4,
            className="mb-2",
        )
        for t in split.teams.itertuples()
    ]
    by = (
        "overall (mean of all skills)"
        if options["balance_by"] == "overall"
        else label(options["balance_by"]).lower()
    )
    return html.Div(
        [
            html.P(
                f"{data['class_name']}: balanced by {by}. Team means differ by at most "
                f"{split.spread:.2f} points.",
                className="widget-note",
                role="status",
            ),
            dbc.Row(cards),
        ]
    )


def equipment(
    frame: pd.DataFrame, *, theme: str | None, options: dict, table: TableView | None = None
) -> Component:
    return table_of("equipment", frame, table=table)


def equipment_actions(
    frame: pd.DataFrame, *, theme: str | None, options: dict, table: TableView | None = None
) -> Component:
    acting = frame[frame["action"] != "ok"]
    counts = acting["action"].value_counts()
    note = ", ".join(f"{counts.get(a, 0)} to {a}" for a in ("replace", "reorder")) + (
        f", {counts.get('surplus', 0)} with surplus"
    )
    return html.Div(
        [html.P(note, className="widget-note"), table_of("equipment_actions", frame, table=table)]
    )


def activity_ideas(
    frame: pd.DataFrame, *, theme: str | None, options: dict, table: TableView | None = None
) -> Component:
    return table_of("activity_ideas", frame, table=table)


@dataclass(frozen=True)
class Table:
    """A widget's table: its columns, rows to a page, the rows it shows of the widget's data
    (every one: the grid sorts, filters and pages them), and what it says above them."""

    columns: tuple[GridColumn, ...]
    page_size: int
    rows: Callable[[Any], pd.DataFrame]
    caption: Callable[[pd.DataFrame], str | None] = lambda _rows: None
    empty: tuple[str, str] | None = None
    exported: bool = True  # the widget's export is this table (else its chart's rows)


def _equipment_rows(frame: pd.DataFrame) -> pd.DataFrame:
    used = frame.assign(use=frame["peak_used"] / frame["quantity"].clip(lower=1))
    return used.sort_values("sessions_used", ascending=False, kind="stable")


# The widgets with a table, by widget id. The page keeps each one's sort, filters and
# columns in the address, and its export is the table as the grid shows it.
TABLES: dict[str, Table] = {
    "curriculum": Table(
        (
            GridColumn("planned_on", "Planned", "date"),
            GridColumn("class_name", "Class"),
            GridColumn("school_name", "School"),
            GridColumn("title", "Lesson"),
        ),
        5,
        lambda data: data["upcoming"],
        caption=lambda _rows: "Next lessons",
        empty=("No lessons planned ahead", "Plan the next weeks."),
        exported=False,  # the export is the coverage chart's rows, as before
    ),
    "safety_risk": Table(
        (
            GridColumn("class_name", "Class"),
            GridColumn("band", "Risk", render="band", filterable=False),
            GridColumn("incidents", "Incidents", "number", "number"),
            GridColumn("rate_per_100", "Weighted per 100 lessons", "number", "number"),
            GridColumn("index", "Risk index", "number", "number"),
            GridColumn("flag_share", "Health flags", "number", "percent"),
            GridColumn("top_activity", "Riskiest activity"),
        ),
        6,
        lambda data: data["risk"],
        caption=lambda _rows: (
            "Classes by risk: incidents weighted "
            + ", ".join(f"{k} {v:g}" for k, v in SEVERITY_WEIGHTS.items())
            + "; an index of 1.0 is the average rate, before health flags"
        ),
    ),
    "incident_log": Table(
        (
            GridColumn("occurred_on", "Date", "date"),
            GridColumn("school_name", "School"),
            GridColumn("class_name", "Class"),
            GridColumn("activity", "Activity"),
            GridColumn("severity", "Severity"),
            GridColumn("description", "What happened", render="lines"),
        ),
        10,
        lambda frame: frame,
    ),
    "equipment": Table(
        (
            GridColumn("name", "Item"),
            GridColumn("school_name", "School"),
            GridColumn("quantity", "Quantity", "number", "number"),
            GridColumn("condition", "Condition"),
            GridColumn("sessions_used", "Lessons used", "number", "number"),
            GridColumn("use", "Peak use", "number", "percent"),
        ),
        12,
        _equipment_rows,
        caption=lambda rows: f"{number(len(rows))} items, most used first",
    ),
    "equipment_actions": Table(
        (
            GridColumn("action", "Action"),
            GridColumn("amount", "Items", "number", "number"),
            GridColumn("name", "Item"),
            GridColumn("school_name", "School"),
            GridColumn("reason", "Why", render="lines"),
        ),
        12,
        lambda frame: frame[frame["action"] != "ok"],
        empty=("Nothing to order or move", "Use matches stock everywhere."),
    ),
    "activity_ideas": Table(
        (
            GridColumn("class_name", "Class"),
            GridColumn("activity", "Activity"),
            GridColumn("reason", "Why", render="lines"),
        ),
        8,
        lambda frame: frame.assign(activity=frame["activity"].map(label)),
        caption=lambda _rows: "Two activities per class, for its largest skill gaps",
    ),
}


def table_of(widget: str, data: Any, *, table: TableView | None = None) -> Component:
    """A widget's table of its data, kept by the page when `table` is given."""
    made = TABLES[widget]
    rows = made.rows(data)
    return small_grid(
        rows,
        made.columns,
        caption=made.caption(rows),
        empty=made.empty,
        page_size=made.page_size,
        view=table,
    )


# How each widget of `actions.pe_widgets` is drawn: (data, theme=, options=) -> component.
DRAW: dict[str, Callable[..., Component]] = {
    "attendance": attendance,
    "active_students": active_students,
    "curriculum": curriculum,
    "fitness": measurement_trend,
    "progress": progress,
    "skill_results": skill_results,
    "skill_gaps": skill_gaps,
    "performance_forecast": performance,
    "safety_risk": safety,
    "incident_log": incident_log,
    "health": measurement_trend,
    "team_suggestions": teams,
    "equipment": equipment,
    "equipment_actions": equipment_actions,
    "activity_ideas": activity_ideas,
}


def draw(
    name: str, data: Any, *, theme: str | None, options: dict, table: TableView | None = None
) -> Component:
    """A widget drawn; a widget with a table keeps it as `table` says."""
    kept = {"table": table} if name in TABLES else {}
    return DRAW[name](data, theme=theme, options=options, **kept)

"""Figures built as plain dicts send exactly what their `go.Figure`s sent (#26).

Each old factory is kept here as it was, built with plotly's objects; the new one must give
the same JSON in every theme, and the same text alternative (summary and data table)."""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
import pytest

import app as beacon  # noqa: F401  (pages register with the app)
from components.chart_text import chart_summary, chart_table
from components.figures import banded_bars, region_bars, share_line, stacked_bars, week_axis
from components.theme import (
    RISK_COLORS,
    SERIES_COLORS,
    STATUS_COLORS,
    THEMES,
    TITLED_TOP,
    plain_figure,
    themed,
)
from pages.credit_journey import channel_figure, funnel_figure, month_figure
from pages.credit_monitoring import bad_rates_figure, drift_figure, scores_figure
from pages.credit_pricing import cutoff_figure
from pages.schedules_utilisation import hosts_figure, rates_figure, rooms_figure
from pages.tutor_profile import activity_figure
from pages.tutor_risk import at_risk_figure, call_figure
from vocabulary import BANDS, CHANNEL_LABELS


def sent(figure: Any) -> dict[str, Any]:
    """What the browser gets: the figure as the graph sends it, through plotly's JSON."""
    return json.loads(pio.to_json(plain_figure(figure), validate=False))


# -- the factories as they were (plotly objects) -------------------------------------------


def old_stacked_bars(wide: pd.DataFrame, *, theme: str | None, y_title: str) -> go.Figure:
    figure = go.Figure()
    for i, column in enumerate(wide.columns):
        figure.add_bar(
            x=wide.index,
            y=wide[column],
            name=str(column).replace("_", " "),
            marker_color=STATUS_COLORS.get(str(column), SERIES_COLORS[i % len(SERIES_COLORS)]),
            hovertemplate="%{x|%Y-%m-%d}: %{y:,.0f}<extra>%{fullData.name}</extra>",
        )
    figure.update_layout(
        barmode="stack", xaxis=week_axis(wide.index), yaxis_title=y_title, hovermode="x unified"
    )
    tallest = float(wide.sum(axis=1).max()) if len(wide) else 0.0
    if tallest < 12:
        figure.update_layout(yaxis_dtick=1)
    return themed(figure, theme)


def old_region_bars(rows: pd.DataFrame, *, theme: str | None, chosen: int | None) -> go.Figure:
    wide = rows.pivot_table(
        index=["region_id", "region"],
        columns="status",
        values="sessions",
        aggfunc="sum",
        fill_value=0,
    ).sort_index(level="region")
    keys = [int(region_id) for region_id, _ in wide.index]
    opacity = [1.0 if chosen in (None, key) else 0.35 for key in keys]
    figure = go.Figure()
    for i, column in enumerate(wide.columns):
        figure.add_bar(
            x=[str(name) for _, name in wide.index],
            y=wide[column],
            customdata=keys,
            name=str(column).replace("_", " "),
            marker={
                "color": STATUS_COLORS.get(str(column), SERIES_COLORS[i % len(SERIES_COLORS)]),
                "opacity": opacity,
            },
            hovertemplate="%{x}: %{y:,.0f}<extra>%{fullData.name}</extra>",
        )
    figure.update_layout(barmode="stack", yaxis_title="sessions", hovermode="x unified")
    return themed(figure, theme)


def old_share_line(series: pd.Series, *, theme: str | None, y_title: str) -> go.Figure:
    figure = go.Figure(
        go.Scatter(
            x=series.index,
            y=series,
            mode="lines+markers",
            name=y_title,
            connectgaps=False,
            line={"color": SERIES_COLORS[0], "width": 2},
            hovertemplate="%{x|%Y-%m-%d}: %{y:.1%}<extra></extra>",
        )
    )
    figure.update_layout(
        xaxis=week_axis(series.index),
        yaxis_title=y_title,
        yaxis_tickformat=".0%",
        showlegend=False,
    )
    return themed(figure, theme)


def old_banded_bars(
    frame: pd.DataFrame, *, x: str, y: str, theme: str | None, x_title: str, y_title: str
) -> go.Figure:
    figure = go.Figure()
    for band, color in RISK_COLORS.items():
        part = frame[frame["band"] == band]
        if len(part):
            figure.add_bar(
                x=part[x],
                y=part[y],
                name=band,
                marker_color=color,
                customdata=[band] * len(part),
                hovertemplate=f"%{{x}}: %{{y:,.0f}}<extra>{band}</extra>",
            )
    figure.update_layout(
        barmode="stack",
        xaxis_title=x_title,
        yaxis_title=y_title,
        bargap=0.05,
        legend_traceorder="normal",
    )
    return themed(figure, theme)


def old_activity_figure(rows: pd.DataFrame, theme: str | None) -> go.Figure:
    weeks = rows.set_index("week")
    average = weeks.pop("average_rating")
    activity = old_stacked_bars(weeks, theme=theme, y_title="sessions")
    activity.add_scatter(
        x=average.index,
        y=average,
        name="average rating",
        yaxis="y2",
        mode="lines+markers",
        line={"color": "#495057", "dash": "dot"},
        connectgaps=False,
        hovertemplate="%{y:.2f}<extra>rating</extra>",
    )
    return activity.update_layout(
        yaxis2={
            "title": "rating",
            "overlaying": "y",
            "side": "right",
            "range": [1, 5.2],
            "tickvals": [1, 2, 3, 4, 5],
            "showgrid": False,
        }
    )


def old_call_figure(rows: pd.DataFrame, theme: str | None) -> go.Figure:
    curve = rows[~rows["capacity"]]
    figure = go.Figure()
    for column, name in (("reached", "leavers reached"), ("leave", "of the called, leave")):
        figure.add_scatter(
            x=curve["calls_per_100"],
            y=curve[column] * 100,
            name=name,
            mode="lines",
            customdata=curve["lift"],
            hovertemplate="%{x:.0f} calls per 100 tutors: %{y:.0f}% "
            + name
            + " (%{customdata:.1f}× random)<extra></extra>",
        )
    team = rows[rows["capacity"]]
    if len(team):
        point = team.iloc[0]
        figure.add_scatter(
            x=[point["calls_per_100"]],
            y=[point["reached"] * 100],
            name="the team's calls",
            mode="markers",
            marker={"size": 11, "symbol": "diamond"},
            hovertemplate=f"the team's weekly calls: {point['calls_per_100']:.1f} per 100 tutors "
            f"reach {point['reached']:.0%} of leavers<extra></extra>",
        )
    figure.update_layout(
        xaxis_title="calls per 100 tutors",
        yaxis_title="share",
        yaxis_ticksuffix="%",
        yaxis_range=[0, 100],
    )
    return themed(figure, theme)


def old_at_risk_figure(weekly: pd.DataFrame, theme: str | None) -> go.Figure:
    figure = go.Figure()
    for band in list(BANDS[::-1]):
        figure.add_scatter(
            x=weekly["as_of"],
            y=weekly[band],
            name=band,
            mode="lines",
            stackgroup="expected",
            line={"color": RISK_COLORS[band]},
            hovertemplate=f"%{{x|%Y-%m-%d}}: %{{y:.1f}} expected to leave<extra>{band}</extra>",
        )
    figure.update_layout(
        xaxis=week_axis(weekly["as_of"], on=weekly["as_of"].min()),
        xaxis_title="week scored",
        yaxis_title="expected leavers",
        yaxis_rangemode="tozero",
    )
    return themed(figure, theme)


def old_funnel_figure(stages: pd.DataFrame, theme: str | None) -> go.Figure:
    shown = stages[stages["stage"].isin(["visit", "application", "approval", "disbursement"])]
    events = shown["events"].astype(int).to_numpy()
    previous = [None, *events[:-1]]
    figure = go.Figure(
        go.Bar(
            y=[s.capitalize() for s in shown["stage"]],
            x=events,
            orientation="h",
            text=[
                f"{n:,} · {n / before:.0%}" if before else f"{n:,}"
                for n, before in zip(events, previous, strict=True)
            ],
            textposition="auto",
            customdata=[
                f"{n / before:.0%} of the {label.lower()}s before it" if before else "every visit"
                for n, before, label in zip(
                    events, previous, ["", *shown["stage"][:-1]], strict=True
                )
            ],
            hovertemplate="%{y}: %{x:,}, %{customdata}<extra></extra>",
        )
    )
    figure.update_yaxes(autorange="reversed")
    figure.update_xaxes(range=[0, max(int(events.max()), 1) * 1.35])
    ended = stages.set_index("stage")["events"].astype(int).to_dict()
    figure.update_layout(
        title=f"Ended: {ended['repaid']:,} repaid, {ended['defaulted']:,} defaulted",
        margin_t=TITLED_TOP,
    )
    return themed(figure, theme)


def old_rates(
    frame: pd.DataFrame, x: str, theme: str | None, bars: bool, keys: pd.Series | None = None
) -> go.Figure:
    figure = go.Figure()
    for column, name in (
        ("approval_rate", "Approved per application"),
        ("take_up", "Paid out per approval"),
    ):
        if bars:
            figure.add_bar(x=frame[x], y=frame[column], name=name, customdata=keys)
        else:
            figure.add_scatter(x=frame[x], y=frame[column], name=name)
    return themed(figure, theme).update_yaxes(tickformat=".0%")


def old_channel_figure(frame: pd.DataFrame, theme: str | None) -> go.Figure:
    named = frame.assign(channel=frame["channel"].map(lambda c: CHANNEL_LABELS.get(c, c)))
    return old_rates(named, "channel", theme, bars=True, keys=frame["channel"])


def old_hours_bars(frame: pd.DataFrame, label: str, theme: str | None) -> go.Figure:
    ordered = frame.iloc[::-1]
    carried = ["sessions", "room_id"] if "room_id" in ordered else ["sessions"]
    figure = go.Figure(
        go.Bar(
            x=ordered["hours"],
            y=ordered[label],
            orientation="h",
            customdata=ordered[carried].to_numpy().tolist(),
            hovertemplate="%{y}: %{x:.1f} h in %{customdata[0]} sessions<extra></extra>",
        )
    )
    return themed(figure, theme).update_xaxes(title="hours")


def old_rates_figure(weeks: pd.DataFrame, theme: str | None) -> go.Figure:
    rates = go.Figure()
    rates.add_scatter(x=weeks["week"], y=weeks["cancelled_rate"], name="Cancelled")
    rates.add_scatter(x=weeks["week"], y=weeks["no_show_rate"], name="No-shows")
    span = [str(weeks["week"].min() - pd.Timedelta(days=3.5))]
    span.append(str(weeks["week"].max() + pd.Timedelta(days=3.5)))
    rates.update_layout(xaxis=week_axis(weeks["week"]) | {"range": span})
    return themed(rates, theme).update_yaxes(tickformat=".0%", rangemode="tozero")


def old_reference_lines(figure: go.Figure, *, across=(), along=()) -> go.Figure:
    shapes, notes = [], []
    for x, dash, label in across:
        shapes.append(
            {"line": {"dash": dash}, "type": "line", "x0": x, "x1": x, "xref": "x"}
            | {"y0": 0, "y1": 1, "yref": "y domain"}
        )
        if label:
            notes.append(
                {"showarrow": False, "text": label, "x": x, "xanchor": "left", "xref": "x"}
                | {"y": 1, "yanchor": "top", "yref": "y domain"}
            )
    for y, dash, label in along:
        shapes.append(
            {"line": {"dash": dash}, "type": "line", "x0": 0, "x1": 1, "xref": "x domain"}
            | {"y0": y, "y1": y, "yref": "y"}
        )
        if label:
            notes.append(
                {"showarrow": False, "text": label, "x": 1, "xanchor": "right"}
                | {"xref": "x domain", "y": y, "yanchor": "bottom", "yref": "y"}
            )
    return figure.update_layout(
        shapes=[*figure.layout.shapes, *shapes], annotations=[*figure.layout.annotations, *notes]
    )


def old_drift_figure(drift: pd.DataFrame, theme: str | None) -> go.Figure:
    from analytics.credit_features import FEATURE_LABELS
    from analytics.monitoring import with_status
    from pages.credit_monitoring import STATUS_BAND, _thresholds

    watch, act = _thresholds()
    drift = with_status(drift, watch=watch, act=act)
    bars = go.Figure(
        go.Bar(
            x=drift["psi"],
            y=[FEATURE_LABELS.get(f, str(f).capitalize()) for f in drift["feature"]],
            orientation="h",
            text=[f"{v:.3f}" for v in drift["psi"]],
            textposition="outside",
            cliponaxis=False,
            marker_color=[RISK_COLORS[STATUS_BAND[s]] for s in drift["status"]],
            hovertemplate="%{y}: PSI %{x:.3f}<extra></extra>",
        )
    )
    old_reference_lines(
        bars, across=[(watch, "dot", f"watch {watch:g}"), (act, "dash", f"act {act:g}")]
    )
    return themed(bars, theme).update_layout(
        height=max(280, 24 * len(drift)), yaxis={"autorange": "reversed"}
    )


def old_scores_figure(monthly: pd.DataFrame, theme: str | None) -> go.Figure:
    spread = go.Figure()
    spread.add_scatter(
        x=monthly["month"],
        y=monthly["q75"],
        line={"width": 0},
        showlegend=False,
        name="Upper quartile",
        hovertemplate="%{x|%b %Y}: upper quartile %{y:.0f}<extra></extra>",
    )
    spread.add_scatter(
        x=monthly["month"],
        y=monthly["q25"],
        fill="tonexty",
        line={"width": 0},
        name="Middle half",
        meta={"series": "Lower quartile"},
        hovertemplate="%{x|%b %Y}: lower quartile %{y:.0f}<extra></extra>",
    )
    spread.add_scatter(
        x=monthly["month"],
        y=monthly["median"],
        name="Median",
        hovertemplate="%{x|%b %Y}: median %{y:.0f}<extra></extra>",
    )
    return themed(spread, theme).update_yaxes(title="points")


def old_bad_rates_figure(rates: pd.DataFrame, theme: str | None) -> go.Figure:
    bad = go.Figure()
    for band in [b for b in BANDS if b in set(rates["band"])]:
        rows = rates[rates["band"] == band]
        bad.add_scatter(
            x=rows["quarter"],
            y=rows["bad_rate"].where(rows["loans"] >= 20),
            name=str(band),
            line={"color": RISK_COLORS.get(str(band))},
            customdata=rows["loans"],
            hovertemplate="%{x|Q%q %Y}: %{y:.1%} of %{customdata:,} loans defaulted"
            "<extra>%{fullData.name}</extra>",
        )
    bad.update_xaxes(tick0="2000-01-01", dtick="M3", tickformat="Q%q<br>%Y")
    return themed(bad, theme).update_yaxes(tickformat=".0%")


def old_cutoff_figure(curve: pd.DataFrame, theme: str | None) -> go.Figure:
    figure = go.Figure()
    figure.add_scatter(
        x=curve["cutoff"],
        y=curve["approval_rate"],
        name="Approval rate (left)",
        hovertemplate="%{y:.1%} approved at %{x}",
    )
    figure.add_scatter(
        x=curve["cutoff"],
        y=curve["loss_rate"],
        yaxis="y2",
        name="Loss rate (right)",
        hovertemplate="%{y:.2%} expected loss at %{x}",
    )
    chosen = curve.loc[curve["chosen"], "cutoff"]
    old_reference_lines(figure, across=[(c, "dot", f"cut-off {c}") for c in chosen])
    figure = themed(figure, theme).update_xaxes(title="score cut-off")
    figure.update_layout(
        yaxis={"tickformat": ".0%", "title": "approval rate", "rangemode": "tozero"},
        yaxis2={"tickformat": ".1%", "title": "loss rate", "rangemode": "tozero"}
        | {"overlaying": "y", "side": "right", "showgrid": False},
    )
    return figure.update_layout(title="Approval and loss by cut-off", margin_t=TITLED_TOP)


# -- the inputs the pages give them --------------------------------------------------------

WEEKS = pd.date_range("2026-09-07", periods=12, freq="W-MON", tz="UTC")


def weekly_statuses(scale: int) -> pd.DataFrame:
    rng = np.random.default_rng(scale)
    return pd.DataFrame(
        {s: rng.integers(0, scale, len(WEEKS)) for s in ("completed", "no_show", "cancelled")},
        index=pd.Index(WEEKS, name="week"),
    )


def region_rows() -> pd.DataFrame:
    rng = np.random.default_rng(5)
    return pd.DataFrame(
        [
            {"region_id": rid, "region": name, "status": status, "sessions": int(n)}
            for rid, name in ((3, "North"), (1, "East"), (2, "South & West"))
            for status, n in zip(("completed", "no_show"), rng.integers(0, 400, 2), strict=True)
        ]
    )


def attendance() -> pd.Series:
    rate = pd.Series(np.linspace(0.71, 0.93, len(WEEKS)), index=WEEKS)
    rate.iloc[[3, 4]] = np.nan  # weeks without sessions stay gaps
    return rate


def score_counts() -> pd.DataFrame:
    scores = np.arange(0, 40)
    band = np.where(scores < 5, "low", np.where(scores < 12, "medium", "high"))
    band[-3:] = "critical"
    return pd.DataFrame({"score": scores, "band": band, "tutors": (400 / (1 + scores)).round()})


def activity_rows() -> pd.DataFrame:
    wide = weekly_statuses(9).rename_axis("week").reset_index()
    wide["average_rating"] = np.where(np.arange(len(wide)) % 5 == 2, np.nan, 4.2)
    return wide


def call_rows(with_team: bool) -> pd.DataFrame:
    calls = np.arange(1, 31, dtype=float)
    frame = pd.DataFrame(
        {
            "calls_per_100": calls,
            "reached": 1 - np.exp(-calls / 12),
            "leave": 0.3 * np.exp(-calls / 20),
            "lift": 8 * np.exp(-calls / 25),
            "capacity": False,
        }
    )
    if with_team:
        team = {"calls_per_100": 5.0, "reached": 0.42, "leave": 0.2, "lift": 7.7, "capacity": True}
        frame = pd.concat([frame, pd.DataFrame([team])], ignore_index=True)
    return frame


def weekly_expected() -> pd.DataFrame:
    frame = pd.DataFrame({"as_of": WEEKS})
    for k, band in enumerate(BANDS):
        frame[band] = np.linspace(0.5, 3.0, len(WEEKS)) * (k + 1)
    return frame


def journey_stages() -> pd.DataFrame:
    stages = ["visit", "application", "approval", "disbursement", "repaid", "defaulted"]
    return pd.DataFrame({"stage": stages, "events": [9000, 2400, 1500, 1300, 700, 90]})


def conversion(by: str) -> pd.DataFrame:
    keys = ["web", "partner_school", "agent"] if by == "channel" else ["2026-09", "2026-10"]
    return pd.DataFrame(
        {
            by: keys,
            "approval_rate": np.linspace(0.4, 0.7, len(keys)),
            "take_up": [np.nan, *np.linspace(0.8, 0.9, len(keys) - 1)],
        }
    )


def hours(label: str) -> pd.DataFrame:
    frame = pd.DataFrame(
        {label: ["Ada", "Ben", "Cy"], "hours": [41.5, 30.0, 12.25], "sessions": [30, 22, 9]}
    )
    return frame.assign(room_id=[4, 9, 2]) if label == "room" else frame


def weekly_rates() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "week": WEEKS,
            "sessions": 40,
            "cancelled_rate": np.linspace(0.02, 0.1, 12),
            "no_show_rate": 0.05,
        }
    )


def drift() -> pd.DataFrame:
    return pd.DataFrame(
        {"feature": ["income", "age", "amount", "term"], "psi": [0.31, 0.02, 0.14, 0.0]}
    )


def monthly_scores() -> pd.DataFrame:
    months = pd.date_range("2026-01-01", periods=10, freq="MS", tz="UTC")
    return pd.DataFrame(
        {"month": months, "q25": np.arange(10) + 590.0, "median": 610.0, "q75": 630.5}
    )


def bad_rates() -> pd.DataFrame:
    return pd.DataFrame(
        [  # the critical band with too few loans in one quarter: a gap, not a point
            (q, b, r, 3 if (q, b) == ("2026Q1", "critical") else 40 + i)
            for i, q in enumerate(("2025Q4", "2026Q1", "2026Q2"))
            for b, r in (("critical", 0.4), ("low", 0.01), ("high", 0.2))
        ],
        columns=["quarter", "band", "bad_rate", "loans"],
    )


def cutoff_curve(chosen: list[int]) -> pd.DataFrame:
    cutoffs = np.arange(500, 700, 20)
    return pd.DataFrame(
        {
            "cutoff": cutoffs,
            "approval_rate": np.linspace(0.95, 0.3, len(cutoffs)),
            "loss_rate": np.linspace(0.08, 0.01, len(cutoffs)),
            "chosen": np.isin(cutoffs, chosen),
        }
    )


CASES = {
    "stacked bars, many": (
        lambda t: stacked_bars(weekly_statuses(50), theme=t, y_title="sessions"),
        lambda t: old_stacked_bars(weekly_statuses(50), theme=t, y_title="sessions"),
    ),
    "stacked bars, few (whole ticks)": (
        lambda t: stacked_bars(weekly_statuses(3), theme=t, y_title="lessons"),
        lambda t: old_stacked_bars(weekly_statuses(3), theme=t, y_title="lessons"),
    ),
    "region bars": (
        lambda t: region_bars(region_rows(), theme=t),
        lambda t: old_region_bars(region_rows(), theme=t, chosen=None),
    ),
    "region bars, one chosen": (
        lambda t: region_bars(region_rows(), theme=t, chosen=2),
        lambda t: old_region_bars(region_rows(), theme=t, chosen=2),
    ),
    "share line with gaps": (
        lambda t: share_line(attendance(), theme=t, y_title="attendance"),
        lambda t: old_share_line(attendance(), theme=t, y_title="attendance"),
    ),
    "banded bars": (
        lambda t: banded_bars(
            score_counts(), x="score", y="tutors", theme=t, x_title="chance (%)", y_title="tutors"
        ),
        lambda t: old_banded_bars(
            score_counts(), x="score", y="tutors", theme=t, x_title="chance (%)", y_title="tutors"
        ),
    ),
    "a tutor's activity and ratings": (
        lambda t: activity_figure(activity_rows(), t),
        lambda t: old_activity_figure(activity_rows(), t),
    ),
    "the call list": (
        lambda t: call_figure(call_rows(True), t),
        lambda t: old_call_figure(call_rows(True), t),
    ),
    "the call list without the team's point": (
        lambda t: call_figure(call_rows(False), t),
        lambda t: old_call_figure(call_rows(False), t),
    ),
    "the journey's funnel": (
        lambda t: funnel_figure(journey_stages(), t),
        lambda t: old_funnel_figure(journey_stages(), t),
    ),
    "the journey by channel": (
        lambda t: channel_figure(conversion("channel"), t),
        lambda t: old_channel_figure(conversion("channel"), t),
    ),
    "the journey by month": (
        lambda t: month_figure(conversion("month"), t),
        lambda t: old_rates(conversion("month"), "month", t, bars=False),
    ),
    "hours per host": (
        lambda t: hosts_figure(hours("host_name"), t),
        lambda t: old_hours_bars(hours("host_name"), "host_name", t),
    ),
    "hours per room": (
        lambda t: rooms_figure(hours("room"), t),
        lambda t: old_hours_bars(hours("room"), "room", t),
    ),
    "cancelled and no-show rates": (
        lambda t: rates_figure(weekly_rates(), t),
        lambda t: old_rates_figure(weekly_rates(), t),
    ),
    "drift with its thresholds": (
        lambda t: drift_figure(drift(), t),
        lambda t: old_drift_figure(drift(), t),
    ),
    "scores over time": (
        lambda t: scores_figure(monthly_scores(), t),
        lambda t: old_scores_figure(monthly_scores(), t),
    ),
    "bad rates by band": (
        lambda t: bad_rates_figure(bad_rates(), t),
        lambda t: old_bad_rates_figure(bad_rates(), t),
    ),
    "the cut-off chosen": (
        lambda t: cutoff_figure(cutoff_curve([600]), t),
        lambda t: old_cutoff_figure(cutoff_curve([600]), t),
    ),
    "no cut-off chosen": (
        lambda t: cutoff_figure(cutoff_curve([]), t),
        lambda t: old_cutoff_figure(cutoff_curve([]), t),
    ),
    "expected leavers": (
        lambda t: at_risk_figure(weekly_expected(), t),
        lambda t: old_at_risk_figure(weekly_expected(), t),
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_a_plain_figure_sends_what_its_plotly_figure_sent(case):
    new, old = CASES[case]
    for theme in THEMES:
        made = new(theme)
        assert isinstance(made, dict)
        assert sent(made) == sent(old(theme)), (case, theme)
        go.Figure(made)  # every property is one plotly knows (it raises on any other)
    made, was = new(None), old(None)
    assert chart_summary(made) == chart_summary(was)
    assert str(chart_table(made)) == str(chart_table(was))


@pytest.mark.parametrize(("weeks", "every"), [(1, 1), (8, 1), (12, 2), (26, 4)])
def test_weekly_charts_tick_on_mondays_at_most_eight_times(weeks, every):
    """Plotly's own weekly ticks fall on Sundays, a day before each Monday-start week's bar;
    the weekly charts tick on Mondays, every week up to 8 weeks and every few weeks after."""
    index = pd.date_range("2026-06-01", periods=weeks, freq="7D")  # Mondays
    statuses = pd.DataFrame({"completed": range(weeks)}, index=index)
    for figure in (
        stacked_bars(statuses, theme="light", y_title="sessions"),
        share_line(pd.Series(0.8, index=index), theme="light", y_title="attendance"),
        rates_figure(
            pd.DataFrame(
                {"week": index, "sessions": 9, "cancelled_rate": 0.1, "no_show_rate": 0.05}
            ),
            "light",
        ),
    ):
        axis = figure["layout"]["xaxis"]
        assert pd.Timestamp(axis["tick0"]).day_name() == "Monday"
        assert axis["dtick"] == every * 7 * 24 * 3600 * 1000
        span = (index[-1] - index[0]) / pd.Timedelta(weeks=1)
        assert span // every + 1 <= 8


def test_expected_leavers_tick_on_the_scoring_days():
    """Scores are made weekly on the scoring day (a Saturday here): ticks fall on it, and a
    point's tooltip names its day."""
    days = pd.date_range("2026-09-12", periods=13, freq="7D")
    weekly = pd.DataFrame({"as_of": days, **{band: 1.0 for band in BANDS}})
    figure = at_risk_figure(weekly, "light")
    axis = figure["layout"]["xaxis"]
    assert pd.Timestamp(axis["tick0"]).day_name() == "Saturday"
    assert axis["dtick"] == 2 * 7 * 24 * 3600 * 1000
    assert all(t["hovertemplate"].startswith("%{x|%Y-%m-%d}: ") for t in figure["data"])

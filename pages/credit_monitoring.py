"""Model monitoring: drift (PSI) of each characteristic and of the score since training,
the score distribution over time, the bad rate by band over time, and model versions."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import dash
import dash_bootstrap_components as dbc
import pandas as pd
from dash import Input, Output, callback, html
from dash.development.base_component import Component

from analytics.credit_features import FEATURE_LABELS
from analytics.credit_monitoring import (
    RECENT_DAYS,
    drifting,
)
from analytics.monitoring import with_status
from auth.access import STAFF, allowed, requires
from auth.answers import cached_answer
from components.chart_card import chart_body, chart_card
from components.empty_state import empty_state
from components.figures import reference_lines
from components.formatting import local_datetime
from components.shell import ids as shell_ids
from components.table import data_table
from components.theme import RISK_COLORS, Figure, themed, values
from components.view_tools import export_menu, view_actions, view_location
from data import credit
from data.engine import connect
from jobs import summaries
from settings import get_settings
from sharing.embed import EMBED_ROLES
from sharing.views import Part, View, register
from sharing.views import State as ViewState
from vocabulary import BANDS

dash.register_page(
    __name__,
    refreshes=True,  # auto-refresh may redraw it (a dashboard, not a form)
    path="/credit/monitoring",
    name="Model monitoring",
    area="Credit",
    order=6,
    roles=STAFF,
)
STATUS_BAND = {"stable": "low", "watch": "medium", "act": "critical"}
VIEW = "credit-monitoring"


class ids:
    alert = "monitor-alert"
    drift = "monitor-drift"
    scores = "monitor-scores"
    bad_rates = "monitor-bad-rates"
    versions = "monitor-versions"


def layout(**_kwargs: str) -> Component:
    return html.Div(
        [
            view_location(VIEW),
            view_actions(VIEW, can_embed=allowed(EMBED_ROLES)),
            html.P(
                "These charts cover all regions: one scorecard scores every region.",
                className="small text-body-secondary mb-2",
            ),
            html.Div(id=ids.alert),
            html.Div(
                [
                    chart_card(
                        body_id=ids.drift,
                        **SPEC.card(
                            "drift",
                            hint=f": stable below {_thresholds()[0]:g}, watch to "
                            f"{_thresholds()[1]:g}, act above",
                        ),
                    ),
                    chart_card(body_id=ids.scores, **SPEC.card("scores")),
                    chart_card(body_id=ids.bad_rates, **SPEC.card("bad-rates")),
                ],
                className="chart-grid",
            ),
            html.Div(
                [
                    html.H2("Model versions", className="section-title me-auto mb-0"),
                    export_menu(VIEW, "versions", title="Model versions", chart=False),
                ],
                className="d-flex align-items-center gap-2 mt-3 mb-2",
            ),
            html.Div(id=ids.versions),
        ]
    )


def _report() -> tuple[dict[str, pd.DataFrame], datetime] | None:
    """The active model's kept report and when it was computed (None: no model yet)."""
    with connect() as conn:
        model = credit.active_model(conn=conn)
    if model is None:
        return None
    return summaries.credit_monitoring_report(
        model_id=model["id"], test_from=model["metrics"]["split"]["test_from"]
    )


def _part_of(key: str) -> Callable[[ViewState], pd.DataFrame]:
    def rows(_state: ViewState) -> pd.DataFrame:
        report = _report()
        return report[0][key] if report is not None else pd.DataFrame()

    rows.__doc__ = f"The cached monitoring summary's {key!r} table."
    return rows


def version_rows(_state: ViewState) -> pd.DataFrame:
    """Every model version: version, trained_at, is_active and its ROC AUC, Gini and KS."""
    with connect() as conn:
        versions = credit.model_versions(conn=conn)
    return versions.assign(
        roc_auc=[m.get("scorecard", {}).get("roc_auc") for m in versions["metrics"]],
        gini=[m.get("scorecard", {}).get("gini") for m in versions["metrics"]],
        ks=[m.get("scorecard", {}).get("ks") for m in versions["metrics"]],
    ).drop(columns=["metrics"])


def _thresholds() -> tuple[float, float]:
    """PSI from which to watch and above which to act (BEACON_PSI_WATCH, BEACON_PSI_ACT)."""
    settings = get_settings()
    return settings.psi_watch, settings.psi_act


def drift_figure(drift: pd.DataFrame, theme: str | None) -> Figure | None:
    """Each characteristic's PSI, its value written on its bar, coloured by its status."""
    if drift.empty:
        return None
    watch, act = _thresholds()
    drift = with_status(drift, watch=watch, act=act)
    bar = {
        "type": "bar",
        "x": values(drift["psi"]),
        "y": [FEATURE_LABELS.get(f, str(f).capitalize()) for f in drift["feature"]],
        "orientation": "h",
        "text": [f"{v:.3f}" for v in drift["psi"]],
        "textposition": "outside",
        "cliponaxis": False,
        "marker": {"color": [RISK_COLORS[STATUS_BAND[s]] for s in drift["status"]]},
        "hovertemplate": "%{y}: PSI %{x:.3f}<extra></extra>",
    }
    bars = reference_lines(
        {"data": [bar], "layout": {}},
        across=[(watch, "dot", f"watch {watch:g}"), (act, "dash", f"act {act:g}")],
    )
    bars["layout"] |= {"height": max(280, 24 * len(drift)), "yaxis": {"autorange": "reversed"}}
    return themed(bars, theme)


def scores_figure(monthly: pd.DataFrame, theme: str | None) -> Figure | None:
    if monthly.empty:
        return None
    months = values(monthly["month"])
    # The shaded middle half is drawn between the quartiles; each says which it is in its
    # tooltip and in the chart's text ("meta"), the legend names the band.
    traces = [
        {
            "type": "scatter",
            "x": months,
            "y": values(monthly["q75"]),
            "line": {"width": 0},
            "showlegend": False,
            "name": "Upper quartile",
            "hovertemplate": "%{x|%b %Y}: upper quartile %{y:.0f}<extra></extra>",
        },
        {
            "type": "scatter",
            "x": months,
            "y": values(monthly["q25"]),
            "fill": "tonexty",
            "line": {"width": 0},
            "name": "Middle half",
            "meta": {"series": "Lower quartile"},
            "hovertemplate": "%{x|%b %Y}: lower quartile %{y:.0f}<extra></extra>",
        },
        {
            "type": "scatter",
            "x": months,
            "y": values(monthly["median"]),
            "name": "Median",
            "hovertemplate": "%{x|%b %Y}: median %{y:.0f}<extra></extra>",
        },
    ]
    return themed({"data": traces, "layout": {"yaxis": {"title": {"text": "points"}}}}, theme)


# Fewer loans than this in a quarter's band and its bad rate is not drawn: 1 default in 2
# loans is 50%, and the critical band (declined at the usual cut-off) swung 29-67% on 2-13.
MIN_LOANS = 20


def bad_rates_figure(rates: pd.DataFrame, theme: str | None) -> Figure | None:
    if rates.empty:
        return None
    traces = []
    for band in [b for b in BANDS if b in set(rates["band"])]:  # low first, as the legend reads
        rows = rates[rates["band"] == band]
        enough = rows["bad_rate"].where(rows["loans"] >= MIN_LOANS)
        traces.append(
            {
                "type": "scatter",
                "x": values(rows["quarter"]),
                "y": values(enough),
                "name": str(band),
                "line": {"color": RISK_COLORS.get(str(band))},
                "customdata": values(rows["loans"]),
                "hovertemplate": "%{x|Q%q %Y}: %{y:.1%} of %{customdata:,} loans defaulted"
                "<extra>%{fullData.name}</extra>",
            }
        )
    # A tick on each quarter, named as one (plotly's own ticks fell every two months).
    xaxis = {"tick0": "2000-01-01", "dtick": "M3", "tickformat": "Q%q<br>%Y"}
    layout = {"xaxis": xaxis, "yaxis": {"tickformat": ".0%"}}
    return themed({"data": traces, "layout": layout}, theme)


def _three_decimals(value: object, _row: object) -> str:
    return f"{value:.3f}" if isinstance(value, float) else ""


def as_of_note(computed_at: datetime) -> html.Small:
    return html.Small(
        f" Report computed {local_datetime(computed_at)}; the scheduled refresh recomputes it.",
        className="d-block text-body-secondary",
    )


VERSION_COLUMNS = {
    "version": "Version",
    "trained_at": "Trained",
    "is_active": "Active",
    "roc_auc": "ROC AUC",
    "gini": "Gini",
    "ks": "KS",
}


def drift_alert(drift: pd.DataFrame, computed_at: Any) -> dbc.Alert:
    """Red with the characteristics that moved beyond the act threshold, green otherwise."""
    act = _thresholds()[1]
    moved = [FEATURE_LABELS.get(f, str(f).capitalize()) for f in drifting(drift, act=act)]
    if not moved:
        return dbc.Alert(
            [f"No characteristic has drifted beyond PSI {act:g}.", as_of_note(computed_at)],
            color="success",
        )
    return dbc.Alert(
        [
            f"Drift alert: {', '.join(moved)} moved beyond PSI {act:g} since training; "
            "retrain or review the scorecard.",
            as_of_note(computed_at),
        ],
        color="danger",
    )


@callback(
    Output(ids.alert, "children"),
    Output(ids.drift, "children"),
    Output(ids.scores, "children"),
    Output(ids.bad_rates, "children"),
    Output(ids.versions, "children"),
    Input(shell_ids.theme, "data"),
)
@requires(*STAFF)
@cached_answer("credit")
def show(theme: str | None) -> Any:
    report = _report()
    if report is None:
        nothing = empty_state("No credit model yet", "Run the scoring job.")
        return None, nothing, None, None, None
    summary, computed_at = report
    drift = summary["drift"]
    table = data_table(
        version_rows({}),
        VERSION_COLUMNS,
        cells={k: _three_decimals for k in ("roc_auc", "gini", "ks")},
        empty_title="No versions",
        empty_hint="",
    )
    return (
        drift_alert(drift, computed_at),
        chart_body(drift_figure(drift, theme), empty_title="", empty_hint=""),
        chart_body(
            scores_figure(summary["monthly"], theme),
            empty_title="No whole month of scores yet",
            empty_hint="A month is drawn once it has ended.",
        ),
        chart_body(
            bad_rates_figure(summary["bad_rates"], theme),
            empty_title="No quarter's loans are a year old yet",
            empty_hint="A quarter is shown once every loan of it has had a year to default.",
        ),
        table,
    )


SPEC = register(
    View(
        name=VIEW,
        path="/credit/monitoring",
        title="Credit model monitoring",
        roles=STAFF,
        parts=(
            Part(
                "drift",
                "Drift since training (PSI)",
                _part_of("drift"),
                drift_figure,
                note=f"Validation window against the last {RECENT_DAYS} days",
            ),
            Part(
                "scores",
                "Score distribution over time",
                _part_of("monthly"),
                scores_figure,
                note="Median and middle half of the scores, by month of application; "
                "whole months only",
            ),
            Part(
                "bad-rates",
                "Bad rate by band over time",
                _part_of("bad_rates"),
                bad_rates_figure,
                note="Share of loans that defaulted, by quarter of application: quarters whose "
                "loans are all a year old (newer ones have not had the time to default), bands "
                f"of {MIN_LOANS} loans or more",
            ),
            Part("versions", "Model versions", version_rows),
        ),
    )
)

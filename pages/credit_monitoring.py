"""Model monitoring: drift (PSI) of each characteristic and of the score since training,
the score distribution over time, the bad rate by band over time, and model versions."""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
import plotly.graph_objects as go
from dash import Input, Output, callback, html
from dash.development.base_component import Component

from analytics.credit_monitoring import (
    RECENT_DAYS,
    drifting,
)
from analytics.monitoring import PSI_ACT, PSI_WATCH
from auth.access import STAFF, requires
from components.chart_card import chart_body, chart_card
from components.empty_state import empty_state
from components.shell import ids as shell_ids
from components.table import data_table
from components.theme import RISK_COLORS, themed
from data import credit
from data.engine import connect
from jobs import summaries

dash.register_page(
    __name__,
    path="/credit/monitoring",
    name="Model monitoring",
    area="Credit",
    order=6,
    roles=STAFF,
)
STATUS_BAND = {"stable": "low", "watch": "medium", "act": "critical"}


class ids:
    alert = "monitor-alert"
    drift = "monitor-drift"
    scores = "monitor-scores"
    bad_rates = "monitor-bad-rates"
    versions = "monitor-versions"


def layout(**_kwargs: str) -> Component:
    return html.Div(
        [
            html.Div(id=ids.alert),
            html.Div(
                [
                    chart_card(
                        body_id=ids.drift,
                        title="Drift since training (PSI)",
                        subtitle=f"Validation window against the last {RECENT_DAYS} days: "
                        f"stable below {PSI_WATCH}, watch to {PSI_ACT}, act above",
                    ),
                    chart_card(
                        body_id=ids.scores,
                        title="Score distribution over time",
                        subtitle="Median and middle half of the scores, by month of application",
                    ),
                    chart_card(
                        body_id=ids.bad_rates,
                        title="Bad rate by band over time",
                        subtitle="Share of loans that defaulted, by quarter of application",
                    ),
                ],
                className="chart-grid",
            ),
            html.H2("Model versions", className="section-title mt-3"),
            html.Div(id=ids.versions),
        ]
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
def show(theme):  # type: ignore[no-untyped-def]
    with connect() as conn:
        model = credit.active_model(conn=conn)
        if model is None:
            nothing = empty_state("No credit model yet", "Run the scoring job.")
            return None, nothing, None, None, None
        versions = credit.model_versions(conn=conn)
    summary = summaries.credit_monitoring(
        model_id=model["id"], test_from=model["metrics"]["split"]["test_from"]
    )
    drift = summary["drift"]
    moved = drifting(drift)
    alert = (
        dbc.Alert(
            f"Drift alert: {', '.join(moved)} moved beyond PSI {PSI_ACT} since training; "
            "retrain or review the scorecard.",
            color="danger",
        )
        if moved
        else dbc.Alert("No characteristic has drifted beyond PSI 0.25.", color="success")
    )
    bars = go.Figure(
        go.Bar(
            x=drift["psi"],
            y=drift["feature"],
            orientation="h",
            marker_color=[RISK_COLORS[STATUS_BAND[s]] for s in drift["status"]],
        )
    )
    bars.add_vline(x=PSI_WATCH, line_dash="dot").add_vline(x=PSI_ACT, line_dash="dash")
    bars = themed(bars, theme).update_layout(
        height=max(280, 24 * len(drift)), yaxis={"autorange": "reversed"}
    )
    monthly = summary["monthly"]
    spread = go.Figure()
    spread.add_scatter(
        x=monthly["month"], y=monthly["q75"], line={"width": 0}, showlegend=False, hoverinfo="skip"
    )
    spread.add_scatter(
        x=monthly["month"], y=monthly["q25"], fill="tonexty", line={"width": 0}, name="Middle half"
    )
    spread.add_scatter(x=monthly["month"], y=monthly["median"], name="Median")
    rates = summary["bad_rates"]
    bad = go.Figure()
    for band, rows in rates.groupby("band"):
        bad.add_scatter(
            x=rows["quarter"], y=rows["bad_rate"], name=band, line={"color": RISK_COLORS.get(band)}
        )
    bad = themed(bad, theme).update_yaxes(tickformat=".0%")
    table = data_table(
        versions.assign(
            roc_auc=[m.get("scorecard", {}).get("roc_auc") for m in versions["metrics"]],
            gini=[m.get("scorecard", {}).get("gini") for m in versions["metrics"]],
            ks=[m.get("scorecard", {}).get("ks") for m in versions["metrics"]],
        ),
        {
            "version": "Version",
            "trained_at": "Trained",
            "is_active": "Active",
            "roc_auc": "ROC AUC",
            "gini": "Gini",
            "ks": "KS",
        },
        cells={
            k: (lambda v, _r: f"{v:.3f}" if isinstance(v, float) else "")
            for k in ("roc_auc", "gini", "ks")
        },
        empty_title="No versions",
        empty_hint="",
    )
    return (
        alert,
        chart_body(bars, empty_title="", empty_hint=""),
        chart_body(
            themed(spread, theme).update_yaxes(title="points"),
            empty_title="No scores",
            empty_hint="",
        ),
        chart_body(bad, empty_title="No loans yet", empty_hint=""),
        table,
    )

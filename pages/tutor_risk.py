"""Tutor risk: who is likely to leave within 30 days, how that moves week by week, and why."""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

import dash
import dash_bootstrap_components as dbc
import pandas as pd
import plotly.graph_objects as go
from dash import Input, Output, State, callback, ctx, dcc, html
from dash.development.base_component import Component
from flask_login import current_user

from ai import insights
from analytics.interventions import effectiveness
from analytics.tutor_risk import BANDS
from auth.access import EVERYONE, check_region, region_scope, requires
from auth.audit import audit
from auth.requests import now
from components.badges import band_badge
from components.chart_card import chart_body, chart_card
from components.downloads import table_file
from components.empty_state import empty_state
from components.figures import banded_bars
from components.formatting import factor_value, number, percent
from components.insight import explain_ids, explain_panel, facts_from_kpi_cards, insight_card
from components.kpi_card import kpi_card
from components.shell import ids as shell_ids
from components.table import data_table, page_after, pager
from components.theme import RISK_COLORS, themed
from data import accounts, tutor_care, tutor_risk
from data.engine import connect

dash.register_page(
    __name__, path="/tutor-risk", name="Risk overview", area="Tutor risk", order=1, roles=EVERYONE
)

PAGE_SIZE = 25
TENURES = {
    "new": ("Under 6 months", 0, 182),
    "mid": ("6 to 24 months", 182, 730),
    "long": ("Over 2 years", 730, None),
}
SORTS = {"score": "Highest risk first", "name": "Name", "tenure": "Newest first"}


class ids:
    url = "risk-url"
    region = "risk-region"
    subject = "risk-subject"
    band = "risk-band"
    tenure = "risk-tenure"
    sort = "risk-sort"
    kpis = "risk-kpis"
    distribution = "risk-distribution"
    history = "risk-history"
    table = "risk-table"
    export_csv = "risk-export-csv"
    export_xlsx = "risk-export-xlsx"
    download = "risk-download"
    page = "risk-page"
    pager = "risk-pager"
    card = "risk-model-card"
    effect = "risk-effectiveness"


def layout(
    region: str | None = None,
    subject: str | None = None,
    band: str | None = None,
    tenure: str | None = None,
    sort: str | None = None,
    **_kwargs: str,
) -> html.Div:
    with connect() as conn:
        model = tutor_risk.active_model(conn=conn)
        regions = accounts.regions_table(conn=conn)
        subjects = tutor_risk.subjects(conn=conn)
    if model is None:
        return empty_state(
            "No risk scores yet",
            "They appear after the scoring job runs: python -m jobs.tutor_risk",
        )
    scope = region_scope()
    if scope is not None:
        regions = regions[regions["id"].isin(scope)]
    select = {"clearable": True, "className": "mb-2"}
    filters = dbc.Row(
        [
            dbc.Col(
                [
                    dbc.Label("Region", html_for=ids.region),
                    dcc.Dropdown(
                        id=ids.region,
                        placeholder="All my regions",
                        value=_int(region),
                        **select,
                        options=[
                            {"label": f"{c} – {n}", "value": int(i)}
                            for i, c, n in regions[["id", "code", "name"]].itertuples(index=False)
                        ],
                    ),
                ],
                md=3,
            ),
            dbc.Col(
                [
                    dbc.Label("Subject", html_for=ids.subject),
                    dcc.Dropdown(
                        id=ids.subject,
                        options=subjects,
                        placeholder="All subjects",
                        value=subject if subject in subjects else None,
                        **select,
                    ),
                ],
                md=2,
            ),
            dbc.Col(
                [
                    dbc.Label("Band", html_for=ids.band),
                    dcc.Dropdown(
                        id=ids.band,
                        options=[{"label": b.capitalize(), "value": b} for b in BANDS],
                        placeholder="All bands",
                        value=band if band in BANDS else None,
                        **select,
                    ),
                ],
                md=2,
            ),
            dbc.Col(
                [
                    dbc.Label("Tenure", html_for=ids.tenure),
                    dcc.Dropdown(
                        id=ids.tenure,
                        options=[{"label": v[0], "value": k} for k, v in TENURES.items()],
                        placeholder="Any tenure",
                        value=tenure if tenure in TENURES else None,
                        **select,
                    ),
                ],
                md=3,
            ),
            dbc.Col(
                [
                    dbc.Label("Sort", html_for=ids.sort),
                    dcc.Dropdown(
                        id=ids.sort,
                        options=[{"label": v, "value": k} for k, v in SORTS.items()],
                        value=sort if sort in SORTS else "score",
                        clearable=False,
                    ),
                ],
                md=2,
            ),
        ],
        className="g-2 filter-bar",
    )
    return html.Div(
        [
            dcc.Location(id=ids.url, refresh=False),
            filters,
            explain_panel("tutor-risk"),
            dcc.Loading(dbc.Row(id=ids.kpis, className="g-3 mb-3"), delay_show=150),
            dbc.Row(
                [
                    dbc.Col(
                        chart_card(
                            body_id=ids.distribution,
                            title="Risk scores",
                            subtitle="Tutors per score (chance of leaving within 30 days, %)",
                        ),
                        lg=6,
                    ),
                    dbc.Col(
                        chart_card(
                            body_id=ids.history,
                            title="Tutors at high or critical risk",
                            subtitle="Per week, from the stored weekly scores",
                        ),
                        lg=6,
                    ),
                ],
                className="g-3 mb-3",
            ),
            dbc.Card(
                dbc.CardBody(
                    [
                        html.Div(
                            [
                                html.H2("Tutors by risk", className="h6 me-auto mb-0"),
                                dbc.Button(
                                    "Export CSV",
                                    id=ids.export_csv,
                                    size="sm",
                                    color="secondary",
                                    outline=True,
                                ),
                                dbc.Button(
                                    "Export Excel",
                                    id=ids.export_xlsx,
                                    size="sm",
                                    color="secondary",
                                    outline=True,
                                ),
                                dcc.Download(id=ids.download),
                            ],
                            className="d-flex align-items-center gap-2 mb-2",
                        ),
                        dcc.Store(id=ids.page, data=1),
                        dcc.Loading(html.Div(id=ids.table), delay_show=150),
                        pager(ids.pager),
                    ]
                ),
                className="mb-3",
            ),
            dbc.Card(
                dbc.CardBody(
                    [
                        html.H2("What interventions achieved", className="h6"),
                        html.P(
                            "For finished interventions: risk score at the start and after, and "
                            "held sessions in the 30 days before and after.",
                            className="chart-subtitle",
                        ),
                        dcc.Loading(html.Div(id=ids.effect), delay_show=150),
                    ]
                ),
                className="mb-3",
            ),
            model_card(model),
        ]
    )


def _int(value: Any) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


class View:
    """The validated filters of one request, with the user's region scope applied."""

    def __init__(self, region: Any, subject: Any, band: Any, tenure: Any, sort: Any) -> None:
        self.region = _int(region)
        check_region(self.region)  # another region's id, forged into the request, stops here
        self.region_ids = [self.region] if self.region is not None else region_scope()
        self.subject = str(subject)[:40] if subject else None
        self.band = band if band in BANDS else None
        self.tenure = tenure if tenure in TENURES else None
        self.sort = sort if sort in SORTS else "score"

    def hired_between(self, as_of: datetime) -> tuple[datetime | None, datetime | None]:
        if self.tenure is None:
            return None, None
        _, shortest, longest = TENURES[self.tenure]
        after = as_of - timedelta(days=longest) if longest else None
        return after, as_of - timedelta(days=shortest)

    def query_string(self) -> str:
        values = {
            "region": self.region,
            "subject": self.subject,
            "band": self.band,
            "tenure": self.tenure,
            "sort": None if self.sort == "score" else self.sort,
        }
        kept = {k: v for k, v in values.items() if v is not None}
        return f"?{urlencode(kept)}" if kept else ""


FILTERS = [
    Input(ids.region, "value"),
    Input(ids.subject, "value"),
    Input(ids.band, "value"),
    Input(ids.tenure, "value"),
    Input(ids.sort, "value"),
]


@callback(
    Output(ids.kpis, "children"),
    Output(ids.distribution, "children"),
    Output(ids.history, "children"),
    Output(ids.url, "search"),
    *FILTERS,
    Input(shell_ids.theme, "data"),
)
@requires(*EVERYONE)
def show_overview(region, subject, band, tenure, sort, theme):  # type: ignore[no-untyped-def]
    view = View(region, subject, band, tenure, sort)
    with connect() as conn:
        model = tutor_risk.active_model(conn=conn)
        if model is None:
            raise dash.exceptions.PreventUpdate
        history = tutor_risk.band_history(
            conn=conn, model_id=model["id"], region_ids=view.region_ids
        )
        if history.empty:
            nothing = empty_state("No tutors in this view", "Widen the filters.")
            return [], nothing, nothing, view.query_string()
        latest = history["as_of"].max()
        counts = tutor_risk.score_counts(
            conn=conn,
            model_id=model["id"],
            as_of=latest.to_pydatetime(),
            region_ids=view.region_ids,
        )
    return (
        band_cards(history),
        distribution(counts, theme),
        at_risk_line(history, theme),
        view.query_string(),
    )


@callback(
    Output(explain_ids("tutor-risk").output, "children"),
    Input(explain_ids("tutor-risk").button, "n_clicks"),
    *[State(f.component_id, f.component_property) for f in FILTERS],
    prevent_initial_call=True,
)
@requires(*EVERYONE)
def explain_overview(clicked, region, subject, band, tenure, sort):  # type: ignore[no-untyped-def]
    """A narrative of the band cards as shown for these filters (counts, never names)."""
    if not clicked:
        raise dash.exceptions.PreventUpdate
    cards = show_overview(region, subject, band, tenure, sort, None)[0]
    result = insights.explain(
        page="Tutor risk overview", facts=facts_from_kpi_cards(cards), user_id=current_user.user_id
    )
    return insight_card(result.text, source=result.source, note=result.note, retry=result.retry)


def band_cards(history: pd.DataFrame) -> list[Component]:
    wide = history.pivot_table(index="as_of", columns="band", values="tutors", fill_value=0)
    latest = wide.iloc[-1]
    week_before = wide.iloc[-2] if len(wide) > 1 else None
    cards = []
    for band in BANDS:
        current = float(latest.get(band, 0))
        change = current - float(week_before.get(band, 0)) if week_before is not None else None
        cards.append(
            dbc.Col(
                kpi_card(
                    title=f"{band.capitalize()} risk",
                    value=number(current),
                    change=change,
                    absolute=True,
                    period="since last week",
                    higher_is_better=band == "low",
                    trend=wide.get(band, pd.Series(dtype=float)).tolist(),
                ),
                md=3,
            )
        )
    return cards


def distribution(counts: pd.DataFrame, theme: str | None) -> Component:
    figure = (
        banded_bars(
            counts, x="score", y="tutors", theme=theme, x_title="risk score", y_title="tutors"
        )
        if len(counts)
        else None
    )
    return chart_body(figure, empty_title="No scores", empty_hint="Widen the filters.")


def at_risk_line(history: pd.DataFrame, theme: str | None) -> Component:
    risky = history[history["band"].isin(["high", "critical"])]
    weekly = risky.pivot_table(
        index="as_of", columns="band", values="tutors", aggfunc="sum", fill_value=0
    ).reindex(sorted(history["as_of"].unique()), fill_value=0)
    figure = go.Figure()
    for band in ("high", "critical"):
        if band in weekly:
            figure.add_scatter(
                x=weekly.index,
                y=weekly[band],
                name=band,
                mode="lines+markers",
                stackgroup="risk",
                line={"color": RISK_COLORS[band]},
            )
    most = float(weekly.sum(axis=1).max()) if len(weekly) else 0
    figure.update_layout(
        yaxis_title="tutors", yaxis_rangemode="tozero", yaxis_dtick=max(1, math.ceil(most / 6))
    )  # whole tutors on the axis
    return chart_body(
        themed(figure, theme) if figure.data else None,
        empty_title="Nobody at high or critical risk",
        empty_hint="Good news: no tutor in this view is at high or critical risk.",
    )


@callback(
    Output(ids.table, "children"),
    Output(ids.page, "data"),
    Output(f"{ids.pager}-prev", "disabled"),
    Output(f"{ids.pager}-next", "disabled"),
    Output(f"{ids.pager}-status", "children"),
    *FILTERS,
    Input(f"{ids.pager}-prev", "n_clicks"),
    Input(f"{ids.pager}-next", "n_clicks"),
    State(ids.page, "data"),
)
@requires(*EVERYONE)
def show_table(region, subject, band, tenure, sort, _prev, _next, page):  # type: ignore[no-untyped-def]
    view = View(region, subject, band, tenure, sort)
    with connect() as conn:
        latest, query = table_query(view, conn)
        _, total = tutor_risk.risk_table(**query, limit=0)
        pages = max(math.ceil(total / PAGE_SIZE), 1)
        page = page_after(prefix=ids.pager, page=page, pages=pages)
        rows, _ = tutor_risk.risk_table(**query, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
    table = data_table(
        rows,
        {
            "name": "Tutor",
            "region": "Region",
            "subject": "Subject",
            "hired_on": "Hired",
            "score": "Score",
            "band": "Band",
            "top_factors": "Why",
        },
        cells={
            "band": lambda value, _row: band_badge(value),
            "top_factors": factor_list,
            "name": profile_link,
        },
        empty_title="No tutors match",
        empty_hint="Clear a filter or pick another region.",
        caption=f"Scores as of {latest:%Y-%m-%d}",
    )
    return (
        table,
        page,
        page <= 1,
        page >= pages,
        f"Page {page} of {pages} · {number(total)} tutors",
    )


def table_query(view: View, conn: Any) -> tuple[datetime, dict[str, Any]]:
    """The newest scoring date and the risk-table arguments for a view (in the user's scope)."""
    model = tutor_risk.active_model(conn=conn)
    latest = model and tutor_risk.latest_scored_at(conn=conn, model_id=model["id"])
    if model is None or latest is None:
        raise dash.exceptions.PreventUpdate
    after, before = view.hired_between(latest)
    return latest, dict(
        conn=conn,
        model_id=model["id"],
        as_of=latest,
        region_ids=view.region_ids,
        subject=view.subject,
        band=view.band,
        hired_after=after,
        hired_before=before,
        sort=view.sort,
    )


@callback(
    Output(ids.download, "data"),
    Input(ids.export_csv, "n_clicks"),
    Input(ids.export_xlsx, "n_clicks"),
    *[State(f.component_id, f.component_property) for f in FILTERS],
    prevent_initial_call=True,
)
@requires(*EVERYONE)
def export_table(_csv, _xlsx, region, subject, band, tenure, sort):  # type: ignore[no-untyped-def]
    """Every tutor the filters match (not only the page on screen), as a safe file."""
    if not ctx.triggered or not ctx.triggered[0]["value"]:
        raise dash.exceptions.PreventUpdate
    fmt = "xlsx" if ctx.triggered_id == ids.export_xlsx else "csv"
    view = View(region, subject, band, tenure, sort)
    with connect() as conn:
        latest, query = table_query(view, conn)
        _, total = tutor_risk.risk_table(**query, limit=0)
        rows, _ = tutor_risk.risk_table(**query, limit=max(total, 1))
    rows["why"] = [
        "; ".join(f"{f['label']}: {factor_value(f['feature'], f['value'])}" for f in factors or [])
        for factors in rows["top_factors"]
    ]
    rows = rows.drop(columns=["top_factors"]).assign(scores_as_of=latest.date())
    audit("export", view="tutor-risk", format=fmt, rows=len(rows), filters=view.query_string())
    return table_file(rows, view="tutor-risk", fmt=fmt, moment=now())


def profile_link(name: Any, row: Any) -> Component:
    return dcc.Link(str(name), href=f"/tutor-risk/tutor?id={int(row['tutor_id'])}")


def factor_list(factors: Any, _row: Any) -> Component:
    if not factors:
        return html.Span("No single factor stands out", className="text-body-secondary")
    return html.Ul(
        [html.Li(f"{f['label']}: {factor_value(f['feature'], f['value'])}") for f in factors],
        className="factor-list",
    )


def model_card(model: dict[str, Any]) -> Component:
    card = model["metrics"] or {}
    rows = [
        ("Model", f"{model['version']} (logistic regression on 17 session features)"),
        ("Trained on", card.get("trained_on", "")),
        (
            "Tested on",
            f"{card.get('tested_on', '')}, {card.get('test_tutors', 0)} tutors the "
            "model never saw, later than anything it learned from",
        ),
        ("ROC AUC", _metric(card.get("roc_auc"))),
        ("PR AUC", f"{_metric(card.get('pr_auc'))} (base rate {percent(card.get('base_rate'))})"),
        ("Brier score", _metric(card.get("brier"))),
    ]
    calibration = pd.DataFrame(card.get("calibration", []))
    if len(calibration):
        calibration["predicted"] = calibration["predicted"].map(percent)
        calibration["observed"] = calibration["observed"].map(percent)
    return dbc.Accordion(
        [
            dbc.AccordionItem(
                [
                    html.Dl(
                        [
                            part
                            for label, value in rows
                            for part in (html.Dt(label), html.Dd(value))
                        ],
                        className="model-card",
                    ),
                    data_table(
                        calibration,
                        {
                            "predicted": "Predicted leaving",
                            "observed": "Observed leaving",
                            "tutors": "Tutor-snapshots",
                        },
                        empty_title="No calibration table",
                        empty_hint="Too few leavers to bin.",
                        caption="Calibration on the held-out tutors, in fifths of the prediction",
                    ),
                ],
                title=f"Model card · held-out ROC AUC {_metric(card.get('roc_auc'))}",
            )
        ],
        start_collapsed=True,
        id=ids.card,
    )


def _metric(value: float | None) -> str:
    return "not enough leavers to measure" if value is None else f"{value:.3f}"


@callback(Output(ids.effect, "children"), Input(ids.region, "value"))
@requires(*EVERYONE)
def show_effectiveness(region):  # type: ignore[no-untyped-def]
    view = View(region, None, None, None, None)
    with connect() as conn:
        model = tutor_risk.active_model(conn=conn)
        done = tutor_care.interventions(conn=conn, status="done", region_ids=view.region_ids)
        if model is None or done.empty:
            return empty_state(
                "No finished interventions yet",
                "When interventions are marked done, their effect shows here.",
            )
        tutors = done["tutor_id"].astype(int).unique().tolist()
        since = (done["created_at"].min() - timedelta(days=30)).to_pydatetime()
        sessions = tutor_risk.session_history(conn=conn, since=since, tutor_ids=tutors)
        scores = tutor_care.score_history(conn=conn, model_id=model["id"], tutor_ids=tutors)
    summary = effectiveness(done, scores, sessions)
    summary["kind"] = summary["kind"].str.replace("_", " ")
    for column in (
        "risk_before",
        "risk_after",
        "risk_change",
        "sessions_before",
        "sessions_after",
        "activity_change",
    ):
        summary[column] = summary[column].map(lambda v: number(v, 1))
    return data_table(
        summary,
        {
            "kind": "Intervention",
            "interventions": "Finished",
            "risk_before": "Risk before",
            "risk_after": "Risk after",
            "risk_change": "Change",
            "sessions_before": "Sessions before",
            "sessions_after": "Sessions after",
            "activity_change": "Change",
        },
        empty_title="No finished interventions yet",
        empty_hint="",
    )

"""Live scoring: the newest scores as they arrive, with counts by decision and band over the
last hour and day. New applications appear without a reload."""

from __future__ import annotations

from datetime import timedelta

import dash
import dash_bootstrap_components as dbc
import pandas as pd
from dash import Input, Output, callback, dcc, html
from dash.development.base_component import Component

from actions.credit_model import active_model_status
from analytics.frames import wide_table
from auth.access import EVERYONE, region_scope, requires
from auth.requests import now
from components.attrs import attrs
from components.badges import band_badge, model_badge
from components.empty_state import empty_state
from components.formatting import count_of, money, number, percent, relative_time
from components.table import data_table
from data import credit
from data.engine import connect
from vocabulary import BANDS, STATUS_LABELS, ApplicationStatus

dash.register_page(
    __name__, path="/credit/live", name="Live scoring", area="Credit", order=3, roles=EVERYONE
)
DECISIONS: tuple[ApplicationStatus, ...] = ("approved", "declined", "submitted", "withdrawn")


class ids:
    tick = "live-tick"
    counts = "live-counts"
    latest = "live-latest"


def layout(**_kwargs: str) -> Component:
    return html.Div(
        [
            dcc.Interval(id=ids.tick, interval=3_000),
            html.P("Updates every few seconds; nothing to reload.", className="widget-note"),
            html.Div(model_badge(active_model_status()), className="mb-2"),
            html.Div(id=ids.counts),
            html.H2("Newest scores", className="section-title mt-3"),
            html.Div(id=ids.latest, role="log", **attrs(aria_live="polite")),
        ]
    )


def counts_table(counts: pd.DataFrame, title: str) -> Component:
    if counts.empty:
        return dbc.Card(
            dbc.CardBody(
                [
                    html.H3(title, className="chart-title"),
                    html.P("No applications scored", className="widget-note"),
                ]
            )
        )
    wide = wide_table(counts, index="status", columns="band", values="n")
    wide = wide.reindex(columns=[b for b in BANDS if b in wide.columns])
    total = int(counts["n"].sum())
    rows = [
        html.Tr(
            [
                html.Th(STATUS_LABELS[s]),
                *[html.Td(number(float(v))) for v in wide.loc[s].to_numpy()],
            ]
        )
        for s in DECISIONS
        if s in wide.index
    ]
    band_group = html.Th("Band", colSpan=len(wide.columns), scope="colgroup")
    heads = [html.Th("Decision", scope="col")]
    heads += [html.Th(band_badge(b), scope="col") for b in wide.columns]
    return dbc.Card(
        dbc.CardBody(
            [
                html.H3(f"{title}: {count_of(total, 'score')}", className="chart-title"),
                html.Table(
                    [
                        # Two header rows: the bands are columns, under "Band" (one column of
                        # Low alone had read as "Decision: Low").
                        html.Thead([html.Tr([html.Td(), band_group]), html.Tr(heads)]),
                        html.Tbody(rows),
                    ],
                    className="table table-sm data-table mb-0",
                ),
            ]
        )
    )


@callback(
    Output(ids.counts, "children"), Output(ids.latest, "children"), Input(ids.tick, "n_intervals")
)
@requires(*EVERYONE)
def refresh(_ticks: int | None) -> tuple[Component, Component | None]:
    moment = now()
    with connect() as conn:
        model = credit.active_model(conn=conn)
        if model is None:
            empty = empty_state("No credit model yet", "Run the scoring job.")
            return empty, None
        scope = region_scope()
        hour = credit.score_counts(
            conn=conn, model_id=model["id"], region_ids=scope, since=moment - timedelta(hours=1)
        )
        day = credit.score_counts(
            conn=conn, model_id=model["id"], region_ids=scope, since=moment - timedelta(days=1)
        )
        latest = credit.latest_scores(conn=conn, model_id=model["id"], region_ids=scope, limit=15)
    counts = dbc.Row(
        [
            dbc.Col(counts_table(hour, "Last hour"), md=6),
            dbc.Col(counts_table(day, "Last 24 hours"), md=6),
        ]
    )
    table = data_table(
        latest,
        # Who, how risky and what was decided first: a phone shows four columns before it
        # scrolls, and had cut the band and left the decision off the screen.
        {
            "scored_at": "Scored",
            "customer": "Customer",
            "band": "Band",
            "status": "Decision",
            "score": "Score",
            "pd": "PD",
            "amount": "Amount",
        },
        cells={
            "scored_at": lambda v, _r: relative_time(v, moment),
            "customer": lambda v, r: html.A(v, href=f"/credit/customer?id={int(r['customer_id'])}"),
            "amount": lambda v, _r: money(v),
            "band": lambda v, _r: band_badge(v),
            "pd": lambda v, _r: percent(v),
            "status": lambda v, _r: STATUS_LABELS.get(v, v),  # as the counts above write it
        },
        empty_title="Nothing scored yet",
        empty_hint="Score an application to see it here.",
    )
    return counts, table

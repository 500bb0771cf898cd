"""Score an application: a checked form, then PD, score, band, reasons, decision and price,
stored with the model version that produced them."""

from __future__ import annotations

from typing import Any

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, dcc, html
from dash.development.base_component import Component
from pydantic import ValidationError

from actions.base import Refused
from actions.credit import (
    ApplicationRequest,
    Scored,
    application_problems,
    score_application,
)
from actions.credit_model import active_model_status
from auth.access import STAFF, current_actor, deny_if_forged, region_scope, requires
from auth.requests import now
from components.badges import band_badge, model_badge
from components.empty_state import empty_state
from components.filters import field
from components.formatting import money, money_header, percent
from components.pickers import escape_like
from data import accounts, credit
from data.engine import connect
from vocabulary import CHANNEL_LABELS, CHANNELS

dash.register_page(
    __name__,
    path="/credit/score",
    name="Score an application",
    area="Credit",
    order=2,
    roles=STAFF,
)


class ids:
    customer = "score-customer"
    product = "score-product"
    amount = "score-amount"
    term = "score-term"
    channel = "score-channel"
    dti = "score-dti"
    history = "score-history"
    delinquencies = "score-delinquencies"
    open_loans = "score-open-loans"
    submit = "score-submit"
    result = "score-result"


def layout(**_kwargs: str) -> Component:
    with connect() as conn:
        model = credit.active_model(conn=conn)
        products = credit.products(conn=conn)
    if model is None:
        return empty_state(
            "No credit model yet", "An administrator trains one: python -m beacon train"
        )

    number_input = {"type": "number", "required": True}
    return dbc.Card(
        dbc.CardBody(
            [
                dbc.Row(
                    [
                        field(
                            "Customer",
                            dcc.Dropdown(id=ids.customer, placeholder="Type two letters of a name"),
                            md=6,
                            class_name="mb-2",
                        ),
                        field(
                            "Product",
                            dcc.Dropdown(
                                id=ids.product,
                                options=[
                                    {
                                        "label": f"{n} ({money(lo)}–{money(hi)}, {t0}–{t1} months)",
                                        "value": int(i),
                                    }
                                    for i, n, lo, hi, t0, t1 in products[
                                        [
                                            "id",
                                            "name",
                                            "min_amount",
                                            "max_amount",
                                            "min_term_months",
                                            "max_term_months",
                                        ]
                                    ].itertuples(index=False)
                                ],
                            ),
                            md=6,
                            class_name="mb-2",
                        ),
                    ]
                ),
                dbc.Row(
                    [
                        field(
                            money_header("Amount"),
                            dbc.Input(id=ids.amount, min=1, step="any", **number_input),
                            md=4,
                            class_name="mb-2",
                        ),
                        field(
                            "Term (months)",
                            dbc.Input(id=ids.term, min=1, max=120, step=1, **number_input),
                            md=4,
                            class_name="mb-2",
                        ),
                        field(
                            "Channel",
                            dcc.Dropdown(
                                id=ids.channel,
                                value="web",
                                clearable=False,
                                options=[
                                    {"label": CHANNEL_LABELS[c], "value": c} for c in CHANNELS
                                ],
                            ),
                            md=4,
                            class_name="mb-2",
                        ),
                    ]
                ),
                dbc.Row(
                    [
                        field(
                            "Debt to income (0–3)",
                            dbc.Input(id=ids.dti, min=0, max=3, step="any", **number_input),
                            md=3,
                            class_name="mb-2",
                        ),
                        field(
                            "Credit history (months)",
                            dbc.Input(id=ids.history, min=0, max=720, step=1, **number_input),
                            md=3,
                            class_name="mb-2",
                        ),
                        field(
                            "Delinquencies, 2 years",
                            dbc.Input(
                                id=ids.delinquencies, min=0, max=50, step=1, value=0, **number_input
                            ),
                            md=3,
                            class_name="mb-2",
                        ),
                        field(
                            "Open loans",
                            dbc.Input(
                                id=ids.open_loans, min=0, max=30, step=1, value=0, **number_input
                            ),
                            md=3,
                            class_name="mb-2",
                        ),
                    ]
                ),
                dbc.Button("Score", id=ids.submit, color="primary"),
                dcc.Loading(html.Div(id=ids.result, role="status", className="mt-3")),
            ]
        ),
        className="form-card",
    )


@callback(
    Output(ids.customer, "options"),
    Input(ids.customer, "search_value"),
    State(ids.customer, "value"),
    State(ids.customer, "options"),
    prevent_initial_call=True,
)
@requires(*STAFF)
def find_customer(text: str | None, chosen: Any, current: list[dict] | None) -> list[dict]:
    keep = [o for o in current or [] if o.get("value") == chosen]
    text = (text or "").strip()[:60]
    if len(text) < 2:
        return keep
    with connect() as conn:
        found = credit.find_customers(conn=conn, region_ids=region_scope(), text=escape_like(text))
        regions = accounts.regions_table(conn=conn).set_index("id")["name"]
    # Their region tells apart two customers of one name ("Zoe Petrov (#36)" and "(#6503)").
    return keep + [
        {"label": f"{n} (#{i}, {regions.get(r, 'no region')})", "value": int(i)}
        for i, n, r in found[["id", "name", "region_id"]].itertuples(index=False)
        if int(i) != chosen
    ]


@callback(
    Output(ids.result, "children"),
    Input(ids.submit, "n_clicks"),
    State(ids.customer, "value"),
    State(ids.product, "value"),
    State(ids.amount, "value"),
    State(ids.term, "value"),
    State(ids.channel, "value"),
    State(ids.dti, "value"),
    State(ids.history, "value"),
    State(ids.delinquencies, "value"),
    State(ids.open_loans, "value"),
    prevent_initial_call=True,
)
@requires(*STAFF)
def score(
    _clicks: int | None,
    customer_id: Any,
    product_id: Any,
    amount: Any,
    term: Any,
    channel: Any,
    dti: Any,
    history: Any,
    delinquencies: Any,
    open_loans: Any,
) -> Any:
    """Turn the form into a request for the scoring action, and its answer into a card."""
    try:
        request = ApplicationRequest(
            customer_id=customer_id,
            product_id=product_id,
            amount=amount,
            term_months=term,
            channel=channel,
            debt_to_income=dti,
            credit_history_months=history,
            delinquencies_2y=delinquencies,
            open_loans=open_loans,
        )
    except ValidationError as error:  # every problem at once, each in words
        problems = application_problems(error)
        return dbc.Alert([html.Div(p) for p in problems] or "Check the form.", color="warning")
    result = score_application(actor=current_actor(), request=request, now=now())
    deny_if_forged(result)
    if isinstance(result, Refused):
        return dbc.Alert(result.message, color="warning")
    return _result(result)


def _result(scored: Scored) -> Component:
    approved = scored.decision == "approved"
    product, customer = scored.product, scored.customer
    return dbc.Card(
        dbc.CardBody(
            [
                html.H2(f"{scored.score} points", className="kpi-value"),
                html.P(["Band ", band_badge(scored.band), f" · PD {percent(scored.pd)}"]),
                # The scorecard decides, and the application is stored so: "Recommended"
                # read as a human's decision still to come, and it counted as approved.
                dbc.Alert(
                    f"Approved at {percent(scored.rate)} a year"
                    if approved
                    else f"Declined: {product['name']} accepts up to the "
                    f"{product['worst_band']} band",
                    color="success" if approved else "danger",
                ),
                html.H3("Main reasons", className="chart-title"),
                html.Ul(
                    [html.Li(r) for r in scored.readable_reasons]
                    or [html.Li("No points lost on any characteristic")],
                    className="factor-list",
                ),
                html.Div(model_badge(active_model_status()), className="mt-2"),
                html.P(
                    [
                        f"Stored as application #{scored.application_id}, "
                        f"{'approved' if approved else 'declined'} by the scorecard (model "
                        f"{scored.model_version}). ",
                        html.A(
                            f"Open {customer['name']}", href=f"/credit/customer?id={customer['id']}"
                        ),
                    ],
                    className="widget-note mt-2",
                ),
            ]
        ),
        className="score-result",
    )

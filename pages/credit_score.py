"""Score an application: a checked form, then PD, score, band, reasons, decision and price,
stored with the model version that produced them."""

from __future__ import annotations

from typing import Any

import dash
import dash_bootstrap_components as dbc
import pandas as pd
from dash import Input, Output, State, callback, dcc, html
from dash.development.base_component import Component
from flask_login import current_user
from pydantic import BaseModel, Field, ValidationError

from analytics.credit_features import credit_features
from analytics.pricing import risk_rate
from analytics.scorecard import PD_BANDS, assess_with
from auth.access import STAFF, AccessDenied, region_scope, requires
from auth.audit import audit
from auth.requests import now
from components.badges import band_badge
from components.empty_state import empty_state
from components.formatting import number, percent
from components.pickers import escape_like
from data import activity, credit
from data.engine import connect, transaction
from settings import get_settings

dash.register_page(
    __name__,
    path="/credit/score",
    name="Score an application",
    area="Credit",
    order=2,
    roles=STAFF,
)
CHANNELS = ("web", "mobile", "partner_school", "branch")


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


class ApplicationForm(BaseModel):
    customer_id: int = Field(ge=1)
    product_id: int = Field(ge=1)
    amount: float = Field(gt=0, le=1_000_000)
    term_months: int = Field(ge=1, le=120)
    channel: str = Field(pattern="^(web|mobile|partner_school|branch)$")
    debt_to_income: float = Field(ge=0, le=3)
    credit_history_months: int = Field(ge=0, le=720)
    delinquencies_2y: int = Field(ge=0, le=50)
    open_loans: int = Field(ge=0, le=30)


LABELS = {
    "customer_id": "Customer",
    "product_id": "Product",
    "amount": "Amount",
    "term_months": "Term",
    "channel": "Channel",
    "debt_to_income": "Debt to income",
    "credit_history_months": "Credit history",
    "delinquencies_2y": "Delinquencies",
    "open_loans": "Open loans",
}


def layout(**_kwargs: str) -> Component:
    with connect() as conn:
        model = credit.active_model(conn=conn)
        products = credit.products(conn=conn)
    if model is None:
        return empty_state(
            "No credit model yet", "An administrator trains one: python -m beacon train"
        )

    def field(label: str, control: Component, width: int = 4) -> dbc.Col:
        return dbc.Col([dbc.Label(label, html_for=control.id), control], md=width, className="mb-2")

    number_input = {"type": "number", "required": True}
    return dbc.Card(
        dbc.CardBody(
            [
                dbc.Row(
                    [
                        field(
                            "Customer",
                            dcc.Dropdown(id=ids.customer, placeholder="Type two letters of a name"),
                            6,
                        ),
                        field(
                            "Product",
                            dcc.Dropdown(
                                id=ids.product,
                                options=[
                                    {
                                        "label": f"{n} ({number(lo)}–{number(hi)}, "
                                        f"{t0}–{t1} months)",
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
                            6,
                        ),
                    ]
                ),
                dbc.Row(
                    [
                        field(
                            "Amount", dbc.Input(id=ids.amount, min=1, step="any", **number_input)
                        ),
                        field(
                            "Term (months)",
                            dbc.Input(id=ids.term, min=1, max=120, step=1, **number_input),
                        ),
                        field(
                            "Channel",
                            dcc.Dropdown(
                                id=ids.channel,
                                value="web",
                                clearable=False,
                                options=[
                                    {"label": c.replace("_", " "), "value": c} for c in CHANNELS
                                ],
                            ),
                        ),
                    ]
                ),
                dbc.Row(
                    [
                        field(
                            "Debt to income (0–3)",
                            dbc.Input(id=ids.dti, min=0, max=3, step="any", **number_input),
                            3,
                        ),
                        field(
                            "Credit history (months)",
                            dbc.Input(id=ids.history, min=0, max=720, step=1, **number_input),
                            3,
                        ),
                        field(
                            "Delinquencies, 2 years",
                            dbc.Input(
                                id=ids.delinquencies, min=0, max=50, step=1, value=0, **number_input
                            ),
                            3,
                        ),
                        field(
                            "Open loans",
                            dbc.Input(
                                id=ids.open_loans, min=0, max=30, step=1, value=0, **number_input
                            ),
                            3,
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
    return keep + [
        {"label": f"{n} (#{i})", "value": int(i)}
        for i, n in found[["id", "name"]].itertuples(index=False)
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
    _clicks, customer_id, product_id, amount, term, channel, dti, history, delinquencies, open_loans
):  # type: ignore[no-untyped-def]
    """Check the form, score with the active card, decide, price, store and report."""
    try:
        form = ApplicationForm(
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
    except ValidationError as error:
        first = error.errors()[0]
        name = LABELS.get(str(first["loc"][0]), "Form") if first["loc"] else "Form"
        return dbc.Alert(f"{name}: {first['msg']}.", color="warning")
    with connect() as conn:
        model = credit.active_model(conn=conn)
        customer = credit.customer(conn=conn, customer_id=form.customer_id)
        products = credit.products(conn=conn).set_index("id")
    scope = region_scope()
    if customer is None or (scope is not None and customer["region_id"] not in scope):
        audit("access.denied", what="credit customer", customer_id=form.customer_id)
        raise AccessDenied()
    if model is None or form.product_id not in products.index:
        return dbc.Alert("Product: choose one of the products offered.", color="warning")
    product = products.loc[form.product_id]
    if not product["min_amount"] <= form.amount <= product["max_amount"]:
        return dbc.Alert(
            f"Amount: {product['name']} lends {number(product['min_amount'])} to "
            f"{number(product['max_amount'])}.",
            color="warning",
        )
    if not product["min_term_months"] <= form.term_months <= product["max_term_months"]:
        return dbc.Alert(
            f"Term: {product['name']} runs {product['min_term_months']} to "
            f"{product['max_term_months']} months.",
            color="warning",
        )
    moment = now()
    application = form.model_dump() | {"purpose": product["purpose"]}
    row = pd.DataFrame(
        [
            application
            | {
                "applied_at": pd.Timestamp(moment),
                "annual_income": customer["annual_income"],
                "employment": customer["employment"],
                "employment_years": customer["employment_years"],
                "housing": customer["housing"],
                "birth_year": customer["birth_year"],
            }
        ]
    )
    assessed = assess_with(model["metrics"]["card"], credit_features(row)).iloc[0]
    allowed = PD_BANDS.index(assessed["band"]) <= PD_BANDS.index(product["worst_band"])
    decision = "approved" if allowed else "declined"
    settings = get_settings()
    rate = float(
        risk_rate(
            assessed["pd"],
            funding_cost=settings.credit_funding_cost,
            lgd=settings.credit_lgd,
            margin=float(product["margin"]),
        )
    )
    with transaction() as conn:
        application_id = credit.record_application(
            conn=conn,
            application=application,
            decision=decision,
            model_id=model["id"],
            assessed=assessed.to_dict(),
            now=moment,
        )
        activity.record_event(
            conn=conn,
            actor_id=current_user.user_id,
            area="credit",
            verb="scored",
            entity_type="customer",
            entity_id=customer["id"],
            region_id=customer["region_id"],
            summary=f"{current_user.display_name} scored an application of {customer['name']}: "
            f"{int(assessed['score'])} points, {assessed['band']}, {decision}",
            now=moment,
        )
        audit(
            "credit.scored",
            conn=conn,
            entity_type="application",
            entity_id=application_id,
            after={
                **application,
                "score": int(assessed["score"]),
                "band": assessed["band"],
                "decision": decision,
                "model": model["version"],
            },
        )
    return _result(assessed, decision, rate, product, model["version"], customer, application_id)


def _result(assessed, decision, rate, product, version, customer, application_id):  # type: ignore[no-untyped-def]
    approved = decision == "approved"
    return dbc.Card(
        dbc.CardBody(
            [
                html.H2(f"{int(assessed['score'])} points", className="kpi-value"),
                html.P(["Band ", band_badge(assessed["band"]), f" · PD {percent(assessed['pd'])}"]),
                dbc.Alert(
                    f"Recommended: approve at {percent(rate)} a year"
                    if approved
                    else f"Recommended: decline — {product['name']} accepts up to the "
                    f"{product['worst_band']} band",
                    color="success" if approved else "danger",
                ),
                html.H3("Main reasons", className="chart-title"),
                html.Ul(
                    [html.Li(r.replace("_", " ")) for r in assessed["reasons"]]
                    or [html.Li("No points lost on any characteristic")],
                    className="factor-list",
                ),
                html.P(
                    [
                        f"Stored as application #{application_id} with model {version}. ",
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

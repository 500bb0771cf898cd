"""One credit customer: applications with scores and reasons, scores over time, loans and
repayments, and the journey."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import dash
import dash_bootstrap_components as dbc
import pandas as pd
import plotly.graph_objects as go
from dash import Input, Output, callback, dcc, html
from dash.development.base_component import Component

from actions.credit_model import active_model_status
from analytics.card import readable_reason
from analytics.credit_features import FEATURE_LABELS
from analytics.loans import balance
from analytics.pricing import recommend_products
from auth.access import EVERYONE, region_scope, requires
from components.badges import band_badge, model_badge
from components.chart_card import chart_body
from components.empty_state import empty_state
from components.formatting import money, number, percent
from components.shell import ids as shell_ids
from components.table import data_table
from components.theme import RISK_COLORS, themed
from components.view_tools import export_menu, table_heading, view_actions, view_location
from data import credit
from data.engine import connect
from settings import business_today, get_settings
from sharing.views import Param, Part, View, record_id, register
from sharing.views import State as ViewState
from vocabulary import CHANNEL_LABELS

dash.register_page(
    __name__,
    path="/credit/customer",
    name="Customer",
    area="Credit",
    order=9,
    roles=EVERYONE,
    nav=False,
)

VIEW = "credit-customer"


class ids:
    customer = "customer-id"
    chart = "customer-chart"


def _allowed(customer_id: object) -> dict | None:
    if not str(customer_id or "").isdigit() or len(str(customer_id)) > 9:
        return None
    with connect() as conn:
        found = credit.customer(conn=conn, customer_id=int(str(customer_id)))
    scope = region_scope()
    if found is None or (scope is not None and found["region_id"] not in scope):
        return None
    return found


def layout(id: str | None = None, **_kwargs: str) -> Component:  # noqa: A002 - the URL's name
    found = _allowed(id)
    if found is None:
        return empty_state(
            "No such customer", "They may be outside your regions; search the portfolio."
        )
    with connect() as conn:
        model = credit.active_model(conn=conn)
        applications = credit.customer_applications(
            conn=conn, customer_id=found["id"], model_id=model["id"] if model else None
        )
        loans = owed(credit.customer_loans(conn=conn, customer_id=found["id"], today=today()))
        repayments = credit.customer_repayments(conn=conn, customer_id=found["id"], today=today())
        products = credit.products(conn=conn)
        journey = credit.customer_journey(conn=conn, customer_id=found["id"])
    facts = [
        ("Region", found["region"]),
        ("Born", str(found["birth_year"])),
        ("Annual income", money(found["annual_income"])),
        (
            "Employment",
            f"{found['employment'].replace('_', ' ')}, {found['employment_years']:.0f} years",
        ),
        ("Housing", found["housing"]),
        ("Came through", CHANNEL_LABELS.get(found["channel"], found["channel"])),
    ]
    return html.Div(
        [
            dcc.Store(id=ids.customer, data=found["id"]),
            view_location(VIEW),
            html.H2(found["name"], className="section-title"),
            view_actions(VIEW, can_embed=False),
            html.Div(model_badge(active_model_status()), className="mb-2"),
            html.Div(
                [html.Div([html.Span(k, className="fact-label"), html.Span(v)]) for k, v in facts],
                className="customer-facts",
            ),
            dbc.Card(
                dbc.CardBody(
                    [
                        html.Div(
                            [
                                html.H3("Score over time", className="chart-title me-auto"),
                                export_menu(VIEW, "scores", title="Score over time", chart=True),
                            ],
                            className="d-flex gap-2",
                        ),
                        *scored_by(model),
                        dcc.Loading(html.Div(id=ids.chart, className="chart-body")),
                    ]
                ),
                className="chart-card mb-3",
            ),
            table_heading("Applications", VIEW, "applications"),
            data_table(
                applications,
                {
                    # The decision and the band first: a phone shows three or four columns.
                    "applied_at": "Applied",
                    "product": "Product",
                    "status": "Decision",
                    "band": "Band",
                    "score": "Score",
                    "pd": "PD",
                    "amount": "Amount",
                    "term_months": "Months",
                    "reason_codes": "Main reasons",
                },
                cells={
                    "applied_at": lambda v, _r: v.strftime("%Y-%m-%d"),
                    "amount": lambda v, _r: money(v),
                    "band": lambda v, _r: band_badge(v) if isinstance(v, str) else "",
                    "pd": lambda v, _r: percent(v) if v == v else "",
                    "score": lambda v, _r: number(v) if v == v else "",
                    "reason_codes": lambda v, _r: html.Ul(
                        [html.Li(readable_reason(r["code"], FEATURE_LABELS)) for r in v or []],
                        className="factor-list",
                    ),
                },
                empty_title="No applications",
                empty_hint="",
            ),
            html.H3("Products that fit", className="section-title mt-3"),
            product_ideas(applications, products),
            table_heading("Loans", VIEW, "loans", class_name="mt-3"),
            data_table(
                loans,
                {
                    "disbursed_on": "Disbursed",
                    "principal": "Principal",
                    "annual_rate": "Rate",
                    "term_months": "Months",
                    "status": "Status",
                    "paid": "Paid",
                    "due": "Due",
                    "worst_days_past_due": "Worst days late",
                    # Arrears are instalments (interest in them) fallen due unpaid; the
                    # balance is principal alone: "In arrears £215, Balance £213" read wrong.
                    "in_arrears": "In arrears (with interest)",
                    "balance": "Principal still owed",
                },
                cells={
                    "disbursed_on": lambda v, _r: v.strftime("%Y-%m-%d"),
                    "principal": lambda v, _r: money(v),
                    "annual_rate": lambda v, _r: percent(v),
                    "in_arrears": lambda v, _r: money(v),
                    "balance": lambda v, _r: money(v),
                },
                empty_title="No loans",
                empty_hint="Approved applications become loans when paid out.",
            ),
            table_heading("Repayments", VIEW, "repayments", class_name="mt-3"),
            data_table(
                repayments,
                {
                    "loan_id": "Loan",
                    "due_on": "Due",
                    "amount_due": "Amount",
                    "paid_on": "Paid on",
                    "amount_paid": "Paid",
                    "days_past_due": "Days late",
                },
                cells={
                    "due_on": lambda v, _r: v.strftime("%Y-%m-%d"),
                    "paid_on": lambda v, _r: v.strftime("%Y-%m-%d") if v == v else "not paid",
                    "amount_due": lambda v, _r: money(v),
                    "amount_paid": lambda v, _r: money(v),
                },
                empty_title="No repayments due yet" if len(loans) else "No loans, no repayments",
                empty_hint="",
                caption="The latest repayments",
            ),
            html.H3("Journey", className="section-title mt-3"),
            html.Ol(
                [
                    html.Li(
                        f"{e['occurred_at']:%Y-%m-%d} · {e['stage']} · "
                        + str(e["channel"]).replace("_", " ")
                    )
                    for e in journey.to_dict("records")
                ],
                className="timeline",
            )
            if len(journey)
            else empty_state("No journey recorded", ""),
        ]
    )


DECIDED = ("approved", "declined")  # a decision made under the scorecard of its day


def product_ideas(applications: pd.DataFrame, products: pd.DataFrame) -> Component:
    """Eligible products for the customer's latest scored application, best fit first."""
    scored = applications.dropna(subset=["band"])
    if scored.empty:
        return empty_state("No scored application yet", "Score one to see which products fit.")
    latest = scored.iloc[0]
    settings = get_settings()
    ideas = recommend_products(
        products,
        band=latest["band"],
        pd_=float(latest["pd"]),
        amount=float(latest["amount"]),
        term_months=int(latest["term_months"]),
        purpose=latest["purpose"],
        funding_cost=settings.credit_funding_cost,
        lgd=settings.credit_lgd,
        money=money,
    )
    return data_table(
        ideas,
        {"name": "Product", "rate": "Rate", "reason": "Why"},
        cells={"rate": lambda v, _r: percent(v)},
        empty_title="No product fits this application",
        empty_hint=f"No product lends {money(latest['amount'])} over "
        f"{int(latest['term_months'])} months to the {latest['band']} band, the current "
        "scorecard's grade"
        + (
            f"; the application was {latest['status']} under the scorecard of its day."
            if latest.get("status") in DECIDED
            else "."
        ),
        caption=f"For {money(latest['amount'])} over {int(latest['term_months'])} months, "
        f"band {latest['band']}",
    )


def score_rows(state: ViewState) -> pd.DataFrame:
    """Behind "Score over time": the customer's scored applications, oldest first."""
    found = _allowed(state["id"])
    if found is None:  # no such customer, or outside the user's regions: nothing to send
        raise dash.exceptions.PreventUpdate
    with connect() as conn:
        model = credit.active_model(conn=conn)
        applications = credit.customer_applications(
            conn=conn, customer_id=found["id"], model_id=model["id"] if model else None
        )
    scored = applications.dropna(subset=["score"]).sort_values("applied_at")
    scored["reasons"] = [
        "; ".join(readable_reason(r["code"], FEATURE_LABELS) for r in codes[:2])
        for codes in scored["reason_codes"]
    ]
    return scored.drop(columns=["reason_codes"])


def owed(loans: pd.DataFrame) -> pd.DataFrame:
    """The customer's loans (`credit.customer_loans`) with their balance: the principal still
    owed after the instalments paid (the exposure; "in arrears" is what fell due unpaid)."""
    return loans.assign(balance=balance(loans))


def scored_by(model: dict[str, Any] | None) -> list[Component]:
    """Whose scores these are: the scorecard in use scores every application, old ones too,
    so a 2025 score read as the one its decision was made on."""
    if model is None:
        return []
    return [
        html.P(
            f"Every score here is the current scorecard's (version {model['version']}, trained "
            f"{pd.Timestamp(model['trained_at']):%Y-%m-%d}), from each application's details "
            "as they were; a decision made before then used the scorecard of its day.",
            className="small text-body-secondary mb-1",
        )
    ]


def today() -> date:
    return business_today()


def customer_rows(kind: str) -> Callable[[ViewState], pd.DataFrame]:
    """Every row of one of the customer's tables (applications, loans or repayments)."""

    def rows(state: ViewState) -> pd.DataFrame:
        found = _allowed(state["id"])
        if found is None:  # no such customer, or outside the user's regions: nothing to send
            raise dash.exceptions.PreventUpdate
        with connect() as conn:
            if kind == "loans":
                return owed(
                    credit.customer_loans(conn=conn, customer_id=found["id"], today=today())
                )
            if kind == "repayments":
                return credit.customer_repayments(conn=conn, customer_id=found["id"], today=today())
            model = credit.active_model(conn=conn)
            frame = credit.customer_applications(
                conn=conn, customer_id=found["id"], model_id=model["id"] if model else None
            )
        frame["reason_codes"] = [
            "; ".join(readable_reason(r["code"], FEATURE_LABELS) for r in c or [])
            for c in frame["reason_codes"]
        ]
        return frame

    return rows


SCORE_SPAN = 40  # the least a score axis spans, in points


def score_figure(scored: pd.DataFrame, theme: str | None) -> go.Figure | None:
    if scored.empty:
        return None
    figure = go.Figure(
        go.Scatter(
            x=scored["applied_at"],
            y=scored["score"],
            mode="lines+markers",
            marker={
                "color": [RISK_COLORS.get(b, "#868e96") for b in scored["band"]],
                "size": 11,
            },
            text=scored["reasons"],
            hovertemplate="%{x|%Y-%m-%d}: %{y} points<br>%{text}<extra></extra>",
            name="Score",
        )
    )
    first, last = scored["applied_at"].min(), scored["applied_at"].max()
    pad = max(last - first, pd.Timedelta(days=60)) * 0.1
    figure = themed(figure, theme).update_yaxes(title="points").update_layout(height=260)
    low, high = float(scored["score"].min()), float(scored["score"].max())
    if high - low < SCORE_SPAN:  # one score, or a few close ones: an axis of 40 points at
        middle = (low + high) / 2  # least, not one of 2 ticked in halves
        figure.update_yaxes(range=[middle - SCORE_SPAN / 2 - 5, middle + SCORE_SPAN / 2 + 5])
    return figure.update_xaxes(range=[first - pad, last + pad], type="date")


@callback(
    Output(ids.chart, "children"), Input(ids.customer, "data"), Input(shell_ids.theme, "data")
)
@requires(*EVERYONE)
def show_scores(customer_id: Any, theme: str | None) -> Component:
    if _allowed(customer_id) is None:
        return empty_state("No such customer", "")
    return chart_body(
        score_figure(score_rows({"id": customer_id}), theme),
        empty_title="Not scored yet",
        empty_hint="Run the credit scoring job.",
    )


SPEC = register(
    View(
        name=VIEW,
        path="/credit/customer",
        title="Credit customer",
        roles=EVERYONE,
        params=(Param("id", ids.customer, "Customer", parse=record_id, prop="data"),),
        parts=(
            Part("scores", "Score over time", score_rows, score_figure),
            Part("applications", "Applications", customer_rows("applications")),
            Part("loans", "Loans", customer_rows("loans")),
            Part("repayments", "Repayments", customer_rows("repayments")),
        ),
        embeddable=False,  # one person's finances stay inside Beacon
    )
)

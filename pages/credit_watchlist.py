"""Early-warning watchlist: active loans that are getting worse, by the alert rules; the
alerts raised; and, for admins, the rules themselves."""

from __future__ import annotations

from typing import Any

import dash
import dash_bootstrap_components as dbc
import pandas as pd
from dash import ALL, Input, Output, State, callback, ctx, dcc, html
from dash.dependencies import Wildcard
from dash.development.base_component import Component
from flask_login import current_user
from pydantic import ValidationError

from actions.base import Refused
from actions.credit import AlertRuleRequest, add_alert_rule, rule_problems, switch_alert_rule
from actions.credit_model import active_model_status
from actions.credit_watch import graded, watched_loans, watched_rows
from analytics.early_warning import SEVERITIES
from auth.access import (
    ADMINS,
    EVERYONE,
    allowed,
    current_actor,
    deny_if_forged,
    requires,
)
from auth.answers import cached_answer
from auth.audit import audit
from auth.requests import now
from components.badges import band_badge, model_badge
from components.filters import field, filter_bar
from components.formatting import money_header, number
from components.table import data_table
from components.view_tools import export_menu, view_actions, view_location
from data import credit
from data.engine import connect
from data.models.credit import ALERT_METRICS
from jobs import credit_alerts
from sharing.embed import EMBED_ROLES
from sharing.views import Param, Part, View, grid_param, one_of, record_id, register
from sharing.views import State as ViewState
from widgets.grid import (
    DataGridAIO,
    GridColumn,
    as_shown,
    grid_columns,
    requested_view,
    rows_io,
    rows_response,
)

dash.register_page(
    __name__,
    path="/credit/watchlist",
    name="Watchlist",
    area="Credit",
    order=3,
    roles=EVERYONE,
)
VIEW = "credit-watchlist"
GRID = grid_columns(
    "watch-loans",
    [
        GridColumn(
            "customer",
            "Customer",
            render="link",
            href="/credit/customer?id={customer_id}",
            width=190,
        ),
        GridColumn(
            "severity", "Severity", render="band", sortable=False, filterable=False, width=110
        ),
        GridColumn("days_past_due", "Days late", "number", "number", width=110),
        GridColumn("rules", "Caught by", render="lines"),
        GridColumn("missed_payments", "Missed", "number", "number", width=100),
        GridColumn("score_drop", "Score drop", "number", "number", width=120),
        GridColumn("principal", money_header("Principal"), "number", "number", width=120),
    ],
)
METRIC_LABELS = {
    "days_past_due": "Days past due",
    "missed_payments": "Missed payments",
    "score_drop": "Score drop (points)",
}


class ids:
    severity = "watch-severity"
    rule = "watch-rule"
    table = "watch-loans"
    raise_now = "watch-raise"
    raised = "watch-raised"
    rules = "watch-rules"
    name = "watch-rule-name"
    metric = "watch-rule-metric"
    threshold = "watch-rule-threshold"
    rule_severity = "watch-rule-severity"
    add = "watch-rule-add"
    rule_result = "watch-rule-result"

    @staticmethod
    def toggle(rule_id: int | Wildcard) -> dict[str, Any]:
        return {"type": "watch-toggle", "rule": rule_id}


def layout(
    severity: str | None = None, rule: str | None = None, grid: str | None = None, **_kwargs: str
) -> Component:
    state = SPEC.state({"severity": severity, "rule": rule, "grid": grid})
    with connect() as conn:
        rules = credit.alert_rules(conn=conn)
    admin = allowed(ADMINS)
    parts: list[Component] = [
        view_location(VIEW),
        html.Div(model_badge(active_model_status()), className="mb-2"),
        filter_bar(
            [
                field(
                    "Severity at least",
                    dcc.Dropdown(
                        id=ids.severity,
                        value=severity if severity in SEVERITIES else None,
                        placeholder="Any severity",
                        options=[{"label": s.capitalize(), "value": s} for s in SEVERITIES],
                    ),
                    md=3,
                ),
                field(
                    "Rule",
                    dcc.Dropdown(
                        id=ids.rule,
                        value=int(rule) if rule and rule.isdigit() else None,
                        placeholder="Any rule",
                        options=[
                            {"label": n, "value": int(i)}
                            for i, n in rules[["id", "name"]].itertuples(index=False)
                        ],
                    ),
                    md=4,
                ),
            ]
        ),
        html.Div(
            [
                view_actions(VIEW, can_embed=allowed(EMBED_ROLES)),
                export_menu(VIEW, "loans", title="Watchlist", chart=False),
            ],
            className="d-flex justify-content-between align-items-start gap-2",
        ),
        DataGridAIO(
            ids.table,
            state=state["grid"],
            query={"severity": state["severity"], "rule": state["rule"]},
            label="Loans on the watchlist: click a header to sort, Ctrl+click to add a sort",
        ),
        html.P(
            "Worst first until you sort by a column; filter a column from its menu.",
            className="widget-note",
        ),
    ]
    if admin:
        parts.append(rules_card(rules))
    return html.Div(parts)


def rules_table(rules: pd.DataFrame) -> Component:
    return data_table(
        rules,
        {
            "name": "Rule",
            "metric": "When",
            "threshold": "Reaches",
            "severity": "Severity",
            "is_active": "On",
        },
        cells={
            "metric": lambda v, _r: METRIC_LABELS.get(v, v),
            "threshold": lambda v, _r: f"{v:,g}",  # as stored: an older rule may be 29.5
            "severity": lambda v, _r: band_badge(v),
            "is_active": lambda v, r: dbc.Button(
                "Turn off" if v else "Turn on",
                id=ids.toggle(int(r["id"])),
                size="sm",
                outline=True,
                color="secondary",
                n_clicks=0,
            ),
        },
        empty_title="No rules yet",
        empty_hint="Add the first one below.",
    )


def rules_card(rules: pd.DataFrame) -> dbc.Card:
    return dbc.Card(
        dbc.CardBody(
            [
                html.H2("Alert rules", className="section-title"),
                html.Div(rules_table(rules), id=ids.rules),
                dbc.Row(
                    [
                        field("Name", dbc.Input(id=ids.name, maxLength=80), md=3),
                        field(
                            "When",
                            dbc.Select(
                                id=ids.metric,
                                value="days_past_due",
                                options=[
                                    {"label": METRIC_LABELS[m], "value": m} for m in ALERT_METRICS
                                ],
                            ),
                            md=3,
                        ),
                        field(
                            "Reaches",
                            dbc.Input(id=ids.threshold, type="number", min=1, step=1),
                            md=2,
                        ),
                        field(
                            "Severity",
                            dbc.Select(
                                id=ids.rule_severity,
                                value="medium",
                                options=[{"label": s.capitalize(), "value": s} for s in SEVERITIES],
                            ),
                            md=2,
                        ),
                        dbc.Col(
                            dbc.Button("Add rule", id=ids.add, color="primary", className="mt-4"),
                            md=2,
                        ),
                    ],
                    className="g-2",
                ),
                html.Div(id=ids.rule_result, role="status", className="mt-2"),
                html.Hr(),
                dbc.Button("Raise alerts now", id=ids.raise_now, color="secondary", outline=True),
                html.Span(id=ids.raised, className="ms-2", role="status"),
            ]
        ),
        className="form-card mt-3",
    )


@callback(
    Output(DataGridAIO.ids.query(ids.table), "data"),
    Input(ids.severity, "value"),
    Input(ids.rule, "value"),
    prevent_initial_call=True,
)
@requires(*EVERYONE)
def narrow(severity: str | None, rule: Any) -> dict[str, Any]:
    state = SPEC.state({"severity": severity, "rule": rule})
    return {"severity": state["severity"], "rule": state["rule"]}


@callback(*rows_io(ids.table))
@requires(*EVERYONE)
@cached_answer("credit")
def rows(request: Any, query: Any) -> tuple[Any, str]:
    start, size, state = requested_view(request, query, SPEC, GRID)
    grid = state["grid"]
    page, total = watched_rows(
        actor=current_actor(),
        severity=state["severity"],
        rule_id=state["rule"],
        now=now(),
        offset=start,
        limit=size,
        sort=grid.sort,
        filters=grid.filters,
    )
    return rows_response(page, total, GRID), f"{total:,} loans on the watchlist"


def graded_rows(state: ViewState) -> pd.DataFrame:
    """The watchlist narrowed and ordered by the grid (riskiest first without a sort)."""
    return graded(loan_rows(state), state["grid"].sort, state["grid"].filters)


def loan_rows(state: ViewState) -> pd.DataFrame:
    """Every active loan the rules (or the one chosen) catch, at or above the severity."""
    return watched_loans(
        actor=current_actor(), severity=state["severity"], rule_id=state["rule"], now=now()
    )


@callback(
    Output(ids.rules, "children"),
    Output(ids.rule_result, "children"),
    Input(ids.add, "n_clicks"),
    Input(ids.toggle(ALL), "n_clicks"),
    State(ids.name, "value"),
    State(ids.metric, "value"),
    State(ids.threshold, "value"),
    State(ids.rule_severity, "value"),
    prevent_initial_call=True,
)
@requires(*ADMINS)
def change_rules(
    _add: int | None,
    toggles: list[int | None],
    name: str | None,
    metric: str | None,
    threshold: Any,
    severity: str | None,
) -> Any:
    """Add a rule or turn one on or off (actions.credit); every change is audited there."""
    trigger = ctx.triggered_id
    if trigger == ids.add:
        try:
            request = AlertRuleRequest.model_validate(
                {"name": name, "metric": metric, "threshold": threshold, "severity": severity}
            )
        except ValidationError as error:  # every problem at once, in words
            problems = [html.Div(p) for p in rule_problems(error)]
            return dash.no_update, dbc.Alert(problems or "Check the rule.", color="warning")
        result = add_alert_rule(actor=current_actor(), request=request, now=now())
    elif isinstance(trigger, dict) and any(toggles or []):
        result = switch_alert_rule(actor=current_actor(), rule_id=trigger.get("rule"), now=now())
    else:
        raise dash.exceptions.PreventUpdate
    deny_if_forged(result)
    color = "warning" if isinstance(result, Refused) else "success"
    with connect() as conn:
        rules = credit.alert_rules(conn=conn)
    return rules_table(rules), dbc.Alert(result.message, color=color)


@callback(
    Output(ids.raised, "children"), Input(ids.raise_now, "n_clicks"), prevent_initial_call=True
)
@requires(*ADMINS)
def raise_now(_clicks: int | None) -> str:
    raised = credit_alerts.run(actor_id=current_user.user_id)
    audit("credit.alerts_raised", raised=raised)
    return (
        f"{number(raised)} new alerts; managers of their regions were notified."
        if raised
        else "No new alerts."
    )


def loans_shown(state: ViewState) -> pd.DataFrame:
    """Every loan the filters and the grid keep, in its order, with the columns it shows."""
    return as_shown(graded_rows(state), state["grid"], GRID)


def _rule_name(rule_id: int) -> str:
    with connect() as conn:
        rules = credit.alert_rules(conn=conn)
    found = rules[rules["id"] == rule_id]
    return str(found["name"].iloc[0]) if len(found) else f"rule {rule_id}"


SPEC = register(
    View(
        name=VIEW,
        path="/credit/watchlist",
        title="Credit watchlist",
        roles=EVERYONE,
        params=(
            Param("severity", ids.severity, "Severity at least", parse=one_of(SEVERITIES)),
            Param("rule", ids.rule, "Rule", parse=record_id, show=_rule_name),
            grid_param(ids.table, GRID),
        ),
        parts=(Part("loans", "Loans on the watchlist", loans_shown),),
    )
)

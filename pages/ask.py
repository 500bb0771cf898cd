"""Ask Beacon: a question in words, answered from our own per-region roll-ups (the model
picks tools; it never writes SQL), inside the asker's region scope."""

from __future__ import annotations

from functools import partial
from typing import Any

import dash
import dash_bootstrap_components as dbc
import pandas as pd
from dash import Input, Output, State, callback, dcc, html
from dash.development.base_component import Component
from flask_login import current_user

from ai import ask as asking
from auth.access import EVERYONE, region_scope, requires
from auth.audit import audit
from components.attrs import attrs
from components.insight import insight_card
from components.table import cell_text, data_table

dash.register_page(
    __name__, path="/ask", name="Ask Beacon", area="Overview", order=2, roles=EVERYONE
)

EXAMPLES = (
    "Which region has the most tutors at high risk?",
    "What was the session completion rate last month?",
    "How many applications were approved in North this year?",
    "What was attendance in Grade 3 PE at Oakfield School 1 last month?",
)


class ids:
    question = "ask-question"
    submit = "ask-submit"
    answer = "ask-answer"


def layout(**_kwargs: str) -> html.Div:
    return html.Div(
        [
            html.P(
                "Ask about tutors at risk, tutoring sessions, credit applications or PE "
                "attendance by region. Answers come from the same data as the dashboards, "
                "limited to your regions.",
                className="text-secondary",
            ),
            dbc.Label("Your question", html_for=ids.question, className="visually-hidden"),
            dbc.InputGroup(
                [
                    dbc.Input(id=ids.question, placeholder=EXAMPLES[0], maxLength=300),
                    dbc.Button("Ask", id=ids.submit, color="primary"),
                ],
                className="mb-2",
            ),
            html.Div(
                ["Try: ", *[html.Code(example, className="me-3") for example in EXAMPLES]],
                className="small text-secondary mb-3",
            ),
            dcc.Loading(html.Div(id=ids.answer, **attrs(aria_live="polite"))),
        ]
    )


def tool_list(runs: list[asking.ToolRun]) -> list[Component]:
    parts: list[Component] = [html.H3("Tools used", className="h6 mt-3")] if runs else []
    for run in runs:
        arguments = ", ".join(f"{k}={v}" for k, v in run.arguments.items()) or "no arguments"
        parts.append(html.Div([html.Code(run.name), f" ({arguments})"], className="small"))
        if run.refused:
            parts.append(dbc.Alert(f"Refused: {run.refused}.", color="warning", className="py-1"))
        elif not run.rows.empty:
            every = asking.overall(run.rows)
            rows = run.rows if every is None else pd.concat([run.rows, pd.DataFrame([every])])
            parts.append(
                data_table(
                    rows,
                    {c: c.replace("_", " ").capitalize() for c in run.rows.columns},
                    # The answer's own words for a cell: "88.9%", "1,167", "none".
                    cells={c: partial(_cell, c) for c in run.rows.columns},
                    caption=run.title,
                    empty_title="",
                    empty_hint="",
                )
            )
    return parts


def _cell(column: str, value: Any, _row: Any) -> Any:
    """A cell as the answer says it ("88.9%", "1,167"); a record's number as it is ("20001")."""
    if column.endswith(("_id", "_number")):
        return cell_text(value)
    return asking.shown(column, value)


@callback(
    Output(ids.answer, "children"),
    Input(ids.submit, "n_clicks"),
    Input(ids.question, "n_submit"),
    State(ids.question, "value"),
    prevent_initial_call=True,
)
@requires(*EVERYONE)
def answer(_clicks: int | None, _submitted: int | None, question: str | None) -> Component:
    text = " ".join(str(question or "").split())
    if len(text) < 3:
        return dbc.Alert("Type a question first, for example: " + EXAMPLES[0], color="info")
    if len(text) > 300:
        return dbc.Alert("Keep the question under 300 characters.", color="warning")
    reply = asking.ask(text, asking.Scope(current_user.user_id, region_scope()))
    for run in reply.runs:
        if run.refused and "outside your regions" in run.refused:
            audit("access.denied", what="ai tool", tool=run.name, arguments=run.arguments)
    return insight_card(
        reply.text,
        source=reply.source,
        note=reply.note,
        retry=reply.retry,
        extra=tool_list(reply.runs),
    )

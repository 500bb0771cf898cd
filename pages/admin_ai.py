"""AI usage for admins: calls, failures and tokens per feature, and the latest calls."""

from __future__ import annotations

from datetime import timedelta

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, callback, dcc, html
from dash.development.base_component import Component

from ai import client
from auth.access import ADMINS, requires
from auth.requests import now
from components.formatting import local_datetime
from components.table import data_table
from data import ai as ai_log
from data.engine import connect
from settings import get_settings

dash.register_page(__name__, path="/admin/ai", name="AI usage", area="Admin", order=4, roles=ADMINS)


class ids:
    tick = "ai-usage-tick"
    body = "ai-usage-body"


def layout(**_kwargs: str) -> html.Div:
    return html.Div([dcc.Interval(id=ids.tick, interval=15000), html.Div(id=ids.body)])


@callback(Output(ids.body, "children"), Input(ids.tick, "n_intervals"))
@requires(*ADMINS)
def show(_tick: int | None) -> list[Component]:
    settings = get_settings()
    with connect() as conn:
        usage = ai_log.usage_by_feature(conn=conn, since=now() - timedelta(days=30))
        calls = ai_log.recent_calls(conn=conn, limit=50)
    service = (
        f"Model {client.model_name()} at {settings.openai_base_url or 'api.openai.com'}, "
        f"time-out {settings.ai_timeout_seconds:g} s."
        if client.configured()
        else "No AI service is configured (OPENAI_API_KEY): every feature uses its template."
    )
    return [
        dbc.Alert(service, color="light"),
        html.H2("Last 30 days by feature", className="h6"),
        data_table(
            usage,
            {
                "feature": "Feature",
                "calls": "Calls",
                "failed": "Failed",
                "prompt_tokens": "Prompt tokens",
                "completion_tokens": "Completion tokens",
            },
            empty_title="No calls to an AI service yet",
            # Template answers are no calls: "No AI calls yet" read as if nobody had asked.
            empty_hint="Calls appear here when someone explains a view, drafts or asks"
            + (
                "."
                if client.configured()
                else ": until a service is configured, the "
                "templates answer, and those are not counted here."
            ),
        ),
        html.H2("Latest calls", className="h6 mt-4"),
        data_table(
            calls,
            {
                "created_at": "When",
                "user": "User",
                "feature": "Feature",
                "outcome": "Outcome",
                "prompt_tokens": "Prompt tokens",
                "completion_tokens": "Completion tokens",
                "latency_ms": "ms",
            },
            cells={"created_at": lambda v, _r: local_datetime(v)},
            empty_title="No calls to an AI service yet",
            empty_hint="",
        ),
    ]

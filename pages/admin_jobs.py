"""Data refresh: the schedule, every run's history, and "Refresh now" / "Retrain now" with a
progress bar and a cancel button (a Dash background callback)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import dash
import dash_bootstrap_components as dbc
import pandas as pd
from dash import Input, Output, State, callback, ctx, dcc, html
from dash.development.base_component import Component
from flask_login import current_user

from actions.jobs import cancel_runs
from auth.access import (
    ADMINS,
    REQUESTER_ID,
    current_actor,
    deny_if_forged,
    requires,
    requires_before_queueing,
)
from auth.requests import now
from components.formatting import local_datetime, number
from components.progress import HIDDEN, SHOWN, job_progress
from components.table import data_table
from data import jobs
from data.engine import connect
from jobs import refresh
from settings import get_settings

dash.register_page(
    __name__, path="/admin/jobs", name="Data refresh", area="Admin", order=3, roles=ADMINS
)

STATUS_COLORS = {
    "running": "info",
    "succeeded": "success",
    "failed": "danger",
    "skipped": "secondary",
    "cancelled": "warning",
}
RUNNERS = {
    "embedded": "this server's built-in scheduler",
    "celery": "Celery beat and the Celery workers",
    "off": "nobody: scheduling is off (BEACON_SCHEDULER=off)",
}


class ids:
    schedule = "jobs-schedule"
    refresh = "jobs-refresh-now"
    retrain = "jobs-retrain-now"
    cancel = "jobs-cancel"
    progress = "jobs-progress"
    progress_wrap = "jobs-progress-wrap"
    progress_text = "jobs-progress-text"
    result = "jobs-result"
    cancelled = "jobs-cancelled"
    history = "jobs-history"
    tick = "jobs-tick"
    page_load = "jobs-page-load"


def layout(**_kwargs: str) -> html.Div:
    return html.Div(
        [
            dcc.Store(id=REQUESTER_ID, data=current_user.user_id),
            # Dash keys a background job's result by its arguments: without this, a click on
            # a reloaded page (n_clicks back at 1) would get the previous page's result.
            dcc.Store(id=ids.page_load, data=uuid.uuid4().hex),
            html.Div(id=ids.schedule, className="mb-3"),
            html.Div(
                [
                    dbc.Button("Refresh now", id=ids.refresh, color="primary"),
                    dbc.Button("Retrain now", id=ids.retrain, color="secondary", outline=True),
                    dbc.Button(
                        "Cancel", id=ids.cancel, color="danger", outline=True, disabled=True
                    ),
                ],
                className="d-flex gap-2 mb-3",
            ),
            job_progress(bar=ids.progress, text=ids.progress_text, wrap=ids.progress_wrap),
            html.Div(id=ids.result, role="status"),
            html.Div(id=ids.cancelled, role="status"),
            html.H2("Recent runs", className="h5 mt-4"),
            dcc.Interval(id=ids.tick, interval=5000),
            dcc.Loading(html.Div(id=ids.history)),
        ]
    )


def run_summary(result: refresh.RunResult) -> Component:
    color = STATUS_COLORS.get(result.status, "secondary")
    text = {
        "succeeded": f"Finished: {number(result.rows)} rows written in {result.seconds:.1f} s.",
        "failed": "The run failed; the error is in the history below.",
        "skipped": "Another run was already working, so this one did nothing.",
    }.get(result.status, result.status)
    return dbc.Alert([text, html.Br(), result.detail] if result.detail else text, color=color)


@callback(
    Output(ids.result, "children"),
    Input(ids.refresh, "n_clicks"),
    Input(ids.retrain, "n_clicks"),
    State(REQUESTER_ID, "data"),
    State(ids.page_load, "data"),
    background=True,
    progress=[Output(ids.progress, "value"), Output(ids.progress_text, "children")],
    progress_default=[0, ""],
    running=[
        (Output(ids.refresh, "disabled"), True, False),
        (Output(ids.retrain, "disabled"), True, False),
        (Output(ids.cancel, "disabled"), False, True),
        (Output(ids.progress_wrap, "className"), SHOWN, HIDDEN),
    ],
    cancel=[Input(ids.cancel, "n_clicks")],
    interval=500,
    prevent_initial_call=True,
)
@requires_before_queueing(*ADMINS)
def run_now(
    set_progress: Callable[..., None],
    refresh_clicks: int | None,
    retrain_clicks: int | None,
    requester: Any,
    _page_load: Any,
) -> Any:
    """Runs in a background job; the role and the requester were checked before queueing."""
    clicked = refresh_clicks if ctx.triggered_id == ids.refresh else retrain_clicks
    if not clicked or not isinstance(requester, int):
        raise dash.exceptions.PreventUpdate
    job = "retrain" if ctx.triggered_id == ids.retrain else "refresh"

    def report(done: int, total: int, step: str) -> None:
        step_number = min(done + 1, total)
        set_progress((round(100 * done / total), f"{step} ({step_number}/{total})"))

    return run_summary(refresh.run(job=job, requested_by=requester, progress=report))


@callback(
    Output(ids.cancelled, "children"),
    Input(ids.cancel, "n_clicks"),
    prevent_initial_call=True,
)
@requires(*ADMINS)
def cancel_run(clicked: int | None) -> Component:
    """The job is stopped by its manager; the run is marked cancelled and the lease freed."""
    if not clicked:
        raise dash.exceptions.PreventUpdate
    deny_if_forged(cancel_runs(actor=current_actor(), now=now()))
    return dbc.Alert("Cancelled. Nothing the run had not finished was kept.", color="warning")


@callback(
    Output(ids.history, "children"),
    Output(ids.schedule, "children"),
    Input(ids.tick, "n_intervals"),
    Input(ids.result, "children"),
    Input(ids.cancelled, "children"),
)
@requires(*ADMINS)
def show_history(_tick: Any, _result: Any, _cancelled: Any) -> tuple[Component, Component]:
    with connect() as conn:
        history = jobs.runs(conn=conn, limit=30)
        last = jobs.last_success(conn=conn)
    history["took"] = [
        f"{(end - start).total_seconds():.1f} s" if pd.notna(end) else "…"
        for start, end in zip(history["started_at"], history["finished_at"], strict=True)
    ]
    table = data_table(
        history,
        {
            "job": "Job",
            "trigger": "Started by",
            "started_at": "Started",
            "took": "Took",
            "status": "Status",
            "rows": "Rows written",
            "detail": "Detail",
        },
        cells={
            "status": lambda s, _r: dbc.Badge(s, color=STATUS_COLORS.get(s, "secondary")),
            "trigger": started_by,
            "started_at": lambda v, _r: local_datetime(v),
        },
        empty_title="No runs yet",
        empty_hint="The first scheduled refresh will appear here, or press Refresh now.",
    )
    return table, schedule_card(last)


def started_by(trigger: str, row: Any) -> str:
    if trigger == "schedule":
        return "the schedule"
    by = row["requested_by"]
    return "the command line" if by is None or pd.isna(by) else str(by)


def schedule_card(last: Any) -> Component:
    settings = get_settings()
    every = settings.refresh_seconds
    cadence = f"{every // 60} minutes" if every % 60 == 0 else f"{every} seconds"
    return dbc.Card(
        dbc.CardBody(
            [
                html.P(
                    [
                        f"Refresh every {cadence}; retrain daily at "
                        f"{settings.retrain_at:%H:%M} ({settings.timezone}). Run by ",
                        html.Strong(RUNNERS[settings.runs_jobs]),
                        ".",
                    ],
                    className="mb-1",
                ),
                html.P(
                    f"Last successful run finished {local_datetime(last)}."
                    if last
                    else "No run has finished successfully yet.",
                    className="mb-0 text-secondary",
                ),
            ]
        )
    )

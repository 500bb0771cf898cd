"""Data import: upload an organisation's files, preview them, check them (a dry run) and
load them as a background job with a progress bar; every load's history and problem report.

The files travel in a plain upload form (web.imports), the load runs in a Dash background
callback, and both the check and the load call the one action `load_data`."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import dash
import dash_bootstrap_components as dbc
import pandas as pd
from dash import Input, Output, State, callback, ctx, dcc, html
from dash.development.base_component import Component
from flask import session
from flask_login import current_user

from actions.base import Refused, stored_actor
from actions.imports import LoadRequest, LoadResult, load_data, report_file
from actions.uploads import Upload, uploaded
from auth.access import ADMINS, REQUESTER_ID, current_actor, requires, requires_before_queueing
from auth.requests import now
from components.empty_state import empty_state
from components.formatting import local_datetime, number
from components.progress import HIDDEN, SHOWN, job_progress
from components.table import data_table
from data import load_history
from data.contract import ENTITIES
from data.contract.files import FileRejected, read_chunks
from data.engine import connect
from web.imports import NOTICE, PAGE

dash.register_page(__name__, path=PAGE, name="Data import", area="Admin", order=4, roles=ADMINS)

OUTCOME_COLORS = {
    "loaded": "success",
    "checked": "info",
    "rejected": "warning",
    "failed": "danger",
    "running": "secondary",
}
SOURCES = {"command": "command line", "page": "this page", "drop_folder": "drop folder"}
PREVIEW_ROWS = 5
PROBLEMS_ON_PAGE = 100


class ids:
    upload = "import-upload"
    skip = "import-skip-bad-rows"
    check = "import-check"
    load = "import-load"
    progress = "import-progress"
    progress_wrap = "import-progress-wrap"
    progress_text = "import-progress-text"
    result = "import-result"
    history = "import-history"
    page_load = "import-page-load"


def layout(upload: str | None = None, **_kwargs: str) -> html.Div:
    notice = session.pop(NOTICE, None)
    files = uploaded(actor=current_actor(), token=upload) if upload else None
    return html.Div(
        [
            dcc.Store(id=REQUESTER_ID, data=current_user.user_id),
            dcc.Store(id=ids.upload, data=files.token if files else None),
            dcc.Store(id=ids.page_load, data=uuid.uuid4().hex),
            dbc.Alert(notice, color="warning", role="alert") if notice else None,
            dbc.Alert(
                "That upload is not there any more (uploads are kept a week). Upload the "
                "files again.",
                color="warning",
            )
            if upload and files is None
            else None,
            upload_card(),
            load_card(files) if files else None,
            *progress_and_result(),
            html.H2("Loads", className="h5 mt-4"),
            dcc.Loading(html.Div(id=ids.history)),
        ]
    )


def upload_card() -> Component:
    return dbc.Card(
        dbc.CardBody(
            [
                html.H2("1. Upload files", className="h5"),
                html.P(
                    [
                        "One file per entity, named after it (tutors.csv, "
                        "tutoring_sessions.parquet, credit_applications.xlsx); CSV in any common "
                        "delimiter and encoding, Parquet or XLSX. Each record carries your "
                        "system's own id in ",
                        html.Code("external_id"),
                        ", so loading a file again updates what changed and adds what is new. "
                        "To delete a record, send its row with ",
                        html.Code("deleted"),
                        " set to true; records missing from a file are never deleted.",
                    ],
                    className="text-secondary",
                ),
                html.Iframe(
                    src=f"{PAGE}/upload",
                    title="Upload files",
                    className="upload-frame-host",
                ),
                templates_list(),
            ]
        ),
        className="mb-3",
    )


def templates_list() -> Component:
    return html.Details(
        [
            html.Summary("Templates and the data contract"),
            html.P(
                [
                    "What each column means, its type, whether it is required and its allowed "
                    "values: ",
                    html.A("the data contract", href=f"{PAGE}/data-contract.md"),
                    ". Each template holds the header and one example row.",
                ],
                className="mt-2 mb-1",
            ),
            html.Ul(
                [
                    html.Li(
                        [
                            html.Span(entity.name, className="me-2"),
                            html.A("CSV", href=f"{PAGE}/templates/{entity.name}.csv"),
                            " · ",
                            html.A("XLSX", href=f"{PAGE}/templates/{entity.name}.xlsx"),
                        ]
                    )
                    for entity in ENTITIES
                ],
                className="small import-templates",
            ),
        ],
        className="mt-3",
    )


def load_card(files: Upload) -> Component:
    return dbc.Card(
        dbc.CardBody(
            [
                html.H2("2. Check, then load", className="h5"),
                html.P(
                    "A dry run reads and checks every row and counts what would change, "
                    "then saves nothing. A load writes everything or nothing.",
                    className="text-secondary",
                ),
                dbc.Checkbox(
                    id=ids.skip,
                    label="Skip bad rows: load the good rows and set the bad ones aside, "
                    "each with its reason in the report",
                    value=False,
                    className="mb-2",
                ),
                html.Div(
                    [
                        dbc.Button("Check (dry run)", id=ids.check, color="primary", outline=True),
                        dbc.Button("Load", id=ids.load, color="primary"),
                    ],
                    className="d-flex gap-2 mb-3",
                ),
                dbc.Accordion(
                    [file_preview(f.name, f.path, f.size) for f in files.files],
                    start_collapsed=True,
                    always_open=True,
                ),
            ]
        ),
        className="mb-3",
    )


def file_preview(name: str, path: Any, size: int) -> Component:
    """The file's first rows as they were read: what Beacon sees, before any check."""
    try:
        first = next(read_chunks(path, chunk_rows=PREVIEW_ROWS), None)
        body: Component = (
            data_table(
                first.rows.head(PREVIEW_ROWS),
                {c: c for c in first.rows.columns},
                empty_title="A header and no rows",
                empty_hint="This file has no rows of data to load.",
                caption=f"The first rows of {name}, as read",
            )
            if first is not None
            else empty_state("Nothing to read", "The file holds no header and no rows.")
        )
    except FileRejected as reason:
        body = dbc.Alert(f"{name} {reason}", color="warning", className="mb-0")
    return dbc.AccordionItem(body, title=f"{name} · {file_size(size)} · preview")


def file_size(size: int) -> str:
    for unit, scale in (("GB", 1e9), ("MB", 1e6), ("KB", 1e3)):
        if size >= scale:
            return f"{size / scale:,.1f} {unit}"
    return f"{size:,} bytes"


def progress_and_result() -> list[Component]:
    """Always on the page: the history follows the result, with or without an upload."""
    return [
        job_progress(bar=ids.progress, text=ids.progress_text, wrap=ids.progress_wrap),
        html.Div(id=ids.result, role="status"),
    ]


@callback(
    Output(ids.result, "children"),
    Input(ids.check, "n_clicks"),
    Input(ids.load, "n_clicks"),
    State(ids.skip, "value"),
    State(ids.upload, "data"),
    State(REQUESTER_ID, "data"),
    State(ids.page_load, "data"),
    background=True,
    progress=[Output(ids.progress, "value"), Output(ids.progress_text, "children")],
    progress_default=[0, ""],
    running=[
        (Output(ids.check, "disabled"), True, False),
        (Output(ids.load, "disabled"), True, False),
        (Output(ids.progress_wrap, "className"), SHOWN, HIDDEN),
    ],
    interval=500,
    prevent_initial_call=True,
)
@requires_before_queueing(*ADMINS)
def run_load(
    set_progress: Callable[..., None],
    check_clicks: int | None,
    load_clicks: int | None,
    skip: Any,
    token: Any,
    requester: Any,
    _page_load: Any,
) -> Any:
    """Runs in a background job; the role and the requester were checked before queueing,
    and the actor is read afresh (an admin demoted meanwhile loads nothing)."""
    dry_run = ctx.triggered_id == ids.check
    if not (check_clicks if dry_run else load_clicks) or not isinstance(requester, int):
        raise dash.exceptions.PreventUpdate
    # The job's context carries the queueing request's address (ProxyFix's, as client_ip()).
    actor = stored_actor(user_id=requester, ip=ctx.remote or None)
    files = uploaded(actor=actor, token=token) if actor else None
    if actor is None or files is None:
        return dbc.Alert(
            "That upload is not there any more: upload the files again.", color="warning"
        )

    def report(done: int, total: int, step: str) -> None:
        set_progress(
            (round(100 * done / max(total, 1)), f"{step}: {number(done)} of {number(total)} rows")
        )

    result = load_data(
        actor=actor,
        request=LoadRequest(
            files=files.named, dry_run=dry_run, skip_bad_rows=skip is True, source="page"
        ),
        now=now(),
        progress=report,
    )
    if isinstance(result, Refused):
        return dbc.Alert(result.message, color="danger")
    return load_summary(result)


def load_summary(result: LoadResult) -> Component:
    counts = pd.DataFrame([c.__dict__ for c in result.counts])
    problems = pd.DataFrame([p.__dict__ for p in result.problems[:PROBLEMS_ON_PAGE]])
    loaded = result.outcome == "loaded"
    return html.Div(
        [
            dbc.Alert([result.message, *next_steps(result)], color=OUTCOME_COLORS[result.outcome]),
            data_table(
                counts,
                {
                    "entity": "Entity",
                    # A check, or a load refused whole, wrote nothing: it says what would be.
                    "inserted": "Inserted" if loaded else "Would insert",
                    "updated": "Updated" if loaded else "Would update",
                    "unchanged": "Unchanged",
                    "deleted": "Deleted" if loaded else "Would delete",
                    "rejected": "Rejected",
                },
                cells={k: lambda v, _r: number(v) for k in ("inserted", "updated", "unchanged")},
                empty_title="No entity was read",
                empty_hint="No file could be loaded: the problems below say why.",
                caption="Records per entity" if loaded else "Records per entity, had it loaded",
            ),
            problems_table(result, problems) if result.problem_total else None,
        ]
    )


def next_steps(result: LoadResult) -> list[Component | str]:
    if result.outcome != "loaded":
        return []
    return [
        html.Br(),
        "The pages show it now. Tutor risk is rescored, and new credit applications are "
        "scored, at the next refresh, or at once with Refresh now on ",
        dcc.Link("Data refresh", href="/admin/jobs"),
        ".",
    ]


def problems_table(result: LoadResult, problems: pd.DataFrame) -> Component:
    shown = (
        f"The first {PROBLEMS_ON_PAGE} of {number(result.problem_total)} problems"
        if result.problem_total > PROBLEMS_ON_PAGE
        else f"{number(result.problem_total)} problem{'' if result.problem_total == 1 else 's'}"
    )
    return html.Div(
        [
            html.Div(
                [
                    html.H3(shown, className="h6 mb-0"),
                    html.A(
                        "Download the report (CSV)",
                        href=f"{PAGE}/report/{result.load_id}.csv",
                        className="btn btn-sm btn-outline-primary",
                    ),
                ],
                className="d-flex justify-content-between align-items-center mt-3 mb-2",
            ),
            data_table(
                problems,
                {
                    "file": "File",
                    "row": "Row",
                    "column": "Column",
                    "value": "Value",
                    "reason": "Why",
                },
                cells={"row": lambda v, _r: "" if pd.isna(v) else str(int(v))},
                empty_title="No problems",
                empty_hint="",
                caption="Problems: each with its file, spreadsheet row, column and value",
            ),
        ]
    )


@callback(
    Output(ids.history, "children"),
    Input(ids.result, "children"),
)
@requires(*ADMINS)
def show_history(_result: Any) -> Component:
    with connect() as conn:
        history = load_history.load_history(conn=conn, limit=30)
    return data_table(
        history,
        {
            "started_at": "Started",
            "by": "By",
            "source": "From",
            "files": "Files",
            "counts": "Records",
            "problems": "Problems",
            "outcome": "Outcome",
        },
        cells={
            "started_at": lambda v, _r: local_datetime(v),
            "source": lambda v, _r: SOURCES.get(v, v),
            "files": lambda v, _r: ", ".join(v),
            "counts": written_text,
            "problems": problems_cell,
            "outcome": outcome_badge,
        },
        empty_title="No loads yet",
        empty_hint="Upload your files above, or run `python -m beacon load PATH` on the server.",
    )


def written_text(counts: list[dict[str, Any]], row: Any) -> str:
    """What the load wrote; for a dry run or a rejected load, what it would have written."""
    if not counts:
        return "—"
    total = {k: sum(c.get(k, 0) for c in counts) for k in ("inserted", "updated", "deleted")}
    text = ", ".join(f"{number(n)} {k}" for k, n in total.items() if n) or "nothing changed"
    return text if row["outcome"] == "loaded" else f"would be {text}"


def problems_cell(count: int, row: Any) -> Component | str:
    if not count:
        return "0"
    if not report_file(int(row["id"])).exists():
        return number(count)
    return html.A(number(count), href=f"{PAGE}/report/{int(row['id'])}.csv", title="Download")


def outcome_badge(outcome: str, row: Any) -> Component:
    label = "dry run" if outcome == "checked" else outcome
    badge = dbc.Badge(label, color=OUTCOME_COLORS.get(outcome, "secondary"))
    detail = row["detail"]
    return html.Span([badge, html.Div(detail, className="small")]) if detail else badge

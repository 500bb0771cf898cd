"""The progress of a background job: a bar and a line saying what it is doing, hidden until
the job runs (the callback's `running` shows it) and read out by screen readers."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import html

from components.attrs import attrs

HIDDEN, SHOWN = "d-none mb-3", "mb-3"


def job_progress(*, bar: str, text: str, wrap: str) -> html.Div:
    return html.Div(
        [
            dbc.Progress(id=bar, value=0, striped=True, animated=True),
            html.Div(id=text, className="small text-secondary mt-1"),
        ],
        id=wrap,
        className=HIDDEN,
        **attrs(aria_live="polite"),
    )

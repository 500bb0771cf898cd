"""A secret shown once (an API token, a webhook's signing secret): what it is, the value in
a read-only field with a copy button, and that Beacon will not show it again."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html


def shown_once(message: str, *, secret: str, input_id: str, label: str) -> dbc.Alert:
    return dbc.Alert(
        [
            html.P(f"{message} Copy it now: Beacon will not show it again.", className="mb-2"),
            dbc.Label(label, html_for=input_id, className="visually-hidden"),
            dbc.InputGroup(
                [
                    dbc.Input(id=input_id, value=secret, readonly=True, className="font-monospace"),
                    dbc.InputGroupText(dcc.Clipboard(target_id=input_id, title="Copy")),
                ]
            ),
        ],
        color="success",
    )

"""A secret shown once (an API token, a webhook's signing secret): what it is, the value in
a read-only field with a copy button, and that Beacon will not show it again."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import dash_bootstrap_components as dbc
from dash import dcc, html, no_update
from dash.development.base_component import Component

log = logging.getLogger("beacon")


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


def with_fresh_list(shown: Component, fresh: Callable[[], tuple[Any, Any]]) -> tuple[Any, ...]:
    """The secret just made, and the list (and picker options) redrawn to include it. The
    secret is stored: it is shown even when the list cannot be redrawn."""
    try:
        table, options = fresh()
    except Exception:  # noqa: BLE001 - the secret must be shown whatever else fails
        log.exception("list not refreshed after a secret was made")
        return shown, no_update, no_update
    return shown, table, options

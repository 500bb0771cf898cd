"""A labelled form control in a grid column, with an optional hint under it."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash.development.base_component import Component


def form_field(
    label: str, control: Component, control_id: str, width: int, hint: str = ""
) -> dbc.Col:
    return dbc.Col(
        [
            dbc.Label(label, html_for=control_id),
            control,
            dbc.FormText(hint) if hint else None,
        ],
        md=width,
    )

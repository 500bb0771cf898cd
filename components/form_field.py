"""Form pieces the admin pages share: a labelled control in a grid column (with an optional
hint), and a card to pick an item and act on it."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html
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


def pick_and_act(
    *,
    title: str,
    label: str,
    pick_id: str,
    options: list[dict[str, object]],
    button: str,
    button_id: str,
    result_id: str,
) -> dbc.Card:
    """A card to pick one item and act on it (revoke a token, turn a webhook off), with the
    place its result is announced."""
    return dbc.Card(
        dbc.CardBody(
            [
                html.H2(title, className="h6"),
                dbc.Row(
                    [
                        form_field(label, dcc.Dropdown(id=pick_id, options=options), pick_id, 6),
                        dbc.Col(
                            dbc.Button(button, id=button_id, color="danger", outline=True),
                            md="auto",
                            className="d-flex align-items-end",
                        ),
                    ],
                    className="g-2",
                ),
                html.Div(id=result_id, className="mt-2", role="status"),
            ]
        ),
        className="form-card",
    )

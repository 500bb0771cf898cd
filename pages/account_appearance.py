"""Appearance: every theme previewed side by side, and one click to use it everywhere."""

from __future__ import annotations

from typing import Any

import dash
import dash_bootstrap_components as dbc
import plotly.graph_objects as go
from dash import ALL, Input, Output, callback, ctx, dcc, html
from dash.dependencies import Wildcard

from auth.access import EVERYONE, requires
from components.attrs import attrs
from components.badges import band_badge
from components.shell import ids as shell_ids
from components.theme import PALETTES, RISK_COLORS, Palette, themed, valid_theme

dash.register_page(
    __name__, path="/account/appearance", name="Appearance", area="Account", order=2, roles=EVERYONE
)


class ids:
    @staticmethod
    def use(theme: str | Wildcard) -> dict[str, Any]:
        return {"type": "appearance-use", "theme": theme}


def layout(**_kwargs: str) -> html.Div:
    return html.Div(
        [
            html.P(
                "Each card below is drawn in its own theme: navigation, text, buttons and a chart. "
                "Your choice is saved to your account and follows you to every browser. Risk "
                "bands keep the same four colours in every theme."
            ),
            dbc.Row(
                [dbc.Col(preview(name, palette), lg=4, md=6) for name, palette in PALETTES.items()],
                className="g-3",
            ),
        ]
    )


def preview(name: str, palette: Palette) -> html.Div:
    figure = go.Figure(go.Bar(x=["Mon", "Tue", "Wed", "Thu", "Fri"], y=[12, 18, 15, 21, 17]))
    figure.add_trace(go.Scatter(x=["Mon", "Tue", "Wed", "Thu", "Fri"], y=[10, 14, 16, 17, 19]))
    figure = themed(figure, name).update_layout(
        height=150, margin={"l": 28, "r": 8, "t": 8, "b": 24}, showlegend=False
    )
    return html.Div(
        dbc.Card(
            [
                dbc.CardHeader(html.H2(palette.label, className="chart-title")),
                dbc.CardBody(
                    [
                        html.P(
                            ["Body text, ", html.Span("secondary text", className="text-muted")],
                            className="mb-1",
                        ),
                        html.A("A link", href="#", className="d-inline-block mb-2"),
                        html.Div(
                            [band_badge(band) for band in RISK_COLORS],
                            className="d-flex gap-1 mb-2",
                        ),
                        dcc.Graph(figure=figure, config={"displayModeBar": False}),
                        dbc.Button(
                            f"Use {palette.label}",
                            id=ids.use(name),
                            color="primary",
                            className="mt-2",
                            n_clicks=0,
                        ),
                    ]
                ),
            ],
            className="theme-preview",
        ),
        className="theme-preview-frame",
        **attrs(data_beacon_theme=name, data_bs_theme=palette.base),
    )


@callback(
    Output(shell_ids.theme_picker, "value", allow_duplicate=True),
    Input(ids.use(ALL), "n_clicks"),
    prevent_initial_call=True,
)
@requires(*EVERYONE)
def use_theme(clicks: list[int | None]) -> str:
    if not any(clicks) or not isinstance(ctx.triggered_id, dict):
        raise dash.exceptions.PreventUpdate
    return valid_theme(ctx.triggered_id.get("theme"))

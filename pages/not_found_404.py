"""Shown for any address that is not a page."""

import dash
from dash import html

from auth.access import EVERYONE

dash.register_page(__name__, name="Page not found", nav=False, roles=EVERYONE)


def layout(**_kwargs: str) -> html.Div:
    return html.Div(
        [
            html.H2("This page does not exist"),
            html.P("The address may be mistyped, or the page may have moved."),
            html.A("Go to the home page", href="/", className="btn btn-primary"),
        ],
        className="not-found",
    )

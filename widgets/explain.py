""" "Explain this view": a button and the card its narrative appears in, built once and used
with a line by any registered view that declares what it explains (`View.explained`).

An All-in-One component (the pattern of dash-bootstrap-templates' ``ThemeSwitchAIO``): its
``aio_id`` is the view's name, its ``ids`` namespace names the parts, and the one ``MATCH``
callback below answers every instance. The view's filters come from its URL mirror, as the
exports read them, so the narrative is of the view on screen. A view whose filters live
elsewhere (the PE board's are saved per user) keeps them in the widget's ``context`` store.
"""

from __future__ import annotations

from typing import Any

import dash
import dash_bootstrap_components as dbc
from dash import ALL, MATCH, Input, Output, State, callback, ctx, dcc, html
from dash.dependencies import Wildcard
from dash.development.base_component import Component
from flask_login import current_user

from ai import insights
from auth.access import EVERYONE, requires
from components.attrs import attrs
from components.insight import insight_card
from sharing.views import State as ViewState
from sharing.views import View, state_on_page, view_for_caller


class ExplainAIO(html.Div):
    class ids:
        @staticmethod
        def button(aio_id: str | Wildcard) -> dict[str, Any]:
            return {"component": "ExplainAIO", "subcomponent": "button", "aio_id": aio_id}

        @staticmethod
        def output(aio_id: str | Wildcard) -> dict[str, Any]:
            return {"component": "ExplainAIO", "subcomponent": "output", "aio_id": aio_id}

        @staticmethod
        def context(aio_id: str | Wildcard) -> dict[str, Any]:
            return {"component": "ExplainAIO", "subcomponent": "context", "aio_id": aio_id}

    def __init__(self, aio_id: str, *, context: Any = None) -> None:
        super().__init__(
            [
                dbc.Button(
                    "Explain this view",
                    id=self.ids.button(aio_id),
                    color="secondary",
                    outline=True,
                    size="sm",
                    title="A short narrative of the numbers on this page",
                ),
                dcc.Store(id=self.ids.context(aio_id), data=context),
                dcc.Loading(
                    html.Div(
                        id=self.ids.output(aio_id), className="mt-2", **attrs(aria_live="polite")
                    )
                ),
            ],
            className="explain-panel mb-3",
        )


def explain(*, view_name: str, state: ViewState) -> Component:
    """The narrative card of a view for a state, as the caller may see it."""
    return narrate(view_for_caller(view_name), state)


def narrate(view: View, state: ViewState) -> Component:
    if view.explained is None:
        raise dash.exceptions.PreventUpdate
    try:
        facts = view.explained.facts(state)
    except ValueError as error:
        return dbc.Alert(f"These filters cannot be explained: {error}.", color="warning")
    result = insights.explain(page=view.explained.page, facts=facts, user_id=current_user.user_id)
    return insight_card(result.text, source=result.source, note=result.note, retry=result.retry)


@callback(
    Output(ExplainAIO.ids.output(MATCH), "children"),
    Input(ExplainAIO.ids.button(MATCH), "n_clicks"),
    State(ExplainAIO.ids.context(MATCH), "data"),
    State({"type": "view-url", "view": ALL}, "search"),  # the views' URL mirrors
    prevent_initial_call=True,
)
@requires(*EVERYONE)
def explain_view(clicked: int | None, context: Any, _searches: list[str | None]) -> Component:
    if not clicked or not isinstance(ctx.triggered_id, dict):
        raise dash.exceptions.PreventUpdate
    view = view_for_caller(ctx.triggered_id.get("aio_id"))
    return narrate(view, {**state_on_page(view), "context": context})

"""Activity feed: every booking, change and status move, in the user's region scope."""

from __future__ import annotations

from datetime import timedelta

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, dcc, html
from dash.development.base_component import Component

from auth.access import EVERYONE, region_scope, requires
from auth.requests import now
from components.feed import AREA_LABELS, feed_list
from components.table import paged, pager, pager_io
from data import activity
from data.engine import connect

dash.register_page(
    __name__, path="/activity", name="Activity feed", area="Overview", order=2, roles=EVERYONE
)
PAGE_SIZE = 25
PERIODS = {1: "Last 24 hours", 7: "Last 7 days", 30: "Last 30 days", 365: "Last year"}


class ids:
    area = "feed-area"
    period = "feed-period"
    list = "feed-list"
    page = "feed-page"
    pager = "feed-pager"


def layout(area: str | None = None, **_kwargs: str) -> Component:
    return html.Div(
        [
            dbc.Row(
                [
                    dbc.Col(
                        [
                            dbc.Label("Area", html_for=ids.area),
                            dcc.Dropdown(
                                id=ids.area,
                                value=area if area in AREA_LABELS else None,
                                placeholder="Every area",
                                clearable=True,
                                options=[{"label": v, "value": k} for k, v in AREA_LABELS.items()],
                            ),
                        ],
                        md=3,
                    ),
                    dbc.Col(
                        [
                            dbc.Label("Period", html_for=ids.period),
                            dcc.Dropdown(
                                id=ids.period,
                                value=30,
                                clearable=False,
                                options=[{"label": v, "value": k} for k, v in PERIODS.items()],
                            ),
                        ],
                        md=3,
                    ),
                ],
                className="filter-bar g-2",
            ),
            dcc.Store(id=ids.page, data=1),
            dcc.Loading(html.Div(id=ids.list), type="default", delay_show=200),
            pager(ids.pager),
        ]
    )


PAGER_OUT, PAGER_IN = pager_io(ids.pager)


@callback(
    Output(ids.list, "children"),
    Output(ids.page, "data"),
    *PAGER_OUT,
    Input(ids.area, "value"),
    Input(ids.period, "value"),
    *PAGER_IN,
    State(ids.page, "data"),
)
@requires(*EVERYONE)
def show(area, period, _prev, _next, page):  # type: ignore[no-untyped-def]
    area = area if area in AREA_LABELS else None
    days = period if period in PERIODS else 30
    moment = now()
    with connect() as conn:
        _, total = activity.feed(
            conn=conn,
            region_ids=region_scope(),
            area=area,
            since=moment - timedelta(days=days),
            limit=0,
        )
        page, offset, pager_state = paged(
            prefix=ids.pager, page=page, total=total, size=PAGE_SIZE, noun="events"
        )
        events, _ = activity.feed(
            conn=conn,
            region_ids=region_scope(),
            area=area,
            since=moment - timedelta(days=days),
            limit=PAGE_SIZE,
            offset=offset,
        )
    return feed_list(events, now=moment), page, *pager_state

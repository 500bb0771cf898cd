"""Activity feed: every booking, change and status move, in the user's region scope. Live:
it looks for new events every ten seconds; on the first page they appear, marked new, and
on a later page a line says how many arrived."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import dash
import pandas as pd
from dash import Input, Output, State, callback, ctx, dcc, html
from dash.development.base_component import Component
from dash.exceptions import PreventUpdate

from auth.access import EVERYONE, region_scope, requires
from auth.requests import now
from components.attrs import attrs
from components.feed import AREA_LABELS, feed_list
from components.filters import field, filter_bar
from components.table import paged, pager, pager_io
from components.view_tools import export_menu, view_actions, view_location
from data import activity
from data.engine import connect
from sharing.views import Param, Part, View, one_of, period_param, register
from sharing.views import State as ViewState

dash.register_page(
    __name__,
    refreshes=True,  # auto-refresh may redraw it (a dashboard, not a form)
    path="/activity",
    name="Activity feed",
    area="Overview",
    order=2,
    roles=EVERYONE,
)
PAGE_SIZE = 25
VIEW = "activity"
PERIODS = {1: "Last 24 hours", 7: "Last 7 days", 30: "Last 30 days", 365: "Last year"}
POLL_MS = 10_000


class ids:
    area = "feed-area"
    period = "feed-period"
    list = "feed-list"
    page = "feed-page"
    pager = "feed-pager"
    poll = "feed-poll"
    seen = "feed-seen"  # the newest event when the view was opened: newer ones are new
    newest = "feed-newest"  # the newest event shown or counted so far
    arrived = "feed-arrived"


def layout(**query: str) -> Component:
    state = SPEC.state(query)
    return html.Div(
        [
            view_location(VIEW),
            filter_bar(
                [
                    field(
                        "Area",
                        dcc.Dropdown(
                            id=ids.area,
                            value=state["area"],
                            placeholder="Every area",
                            clearable=True,
                            options=[{"label": v, "value": k} for k, v in AREA_LABELS.items()],
                        ),
                        md=3,
                    ),
                    field(
                        "Period",
                        dcc.Dropdown(
                            id=ids.period,
                            value=state["period"],
                            clearable=False,
                            options=[{"label": v, "value": k} for k, v in PERIODS.items()],
                        ),
                        md=3,
                    ),
                ]
            ),
            html.Div(
                [
                    view_actions(VIEW, can_embed=False),
                    export_menu(VIEW, "events", title="Activity", chart=False),
                ],
                className="d-flex justify-content-between align-items-start gap-2",
            ),
            dcc.Store(id=ids.page, data=1),
            dcc.Store(id=ids.seen),
            dcc.Store(id=ids.newest),
            dcc.Interval(id=ids.poll, interval=POLL_MS),
            html.Div(id=ids.arrived, role="status", **attrs(aria_live="polite")),
            dcc.Loading(html.Div(id=ids.list), type="default", delay_show=200),
            pager(ids.pager),
        ]
    )


PAGER_OUT, PAGER_IN = pager_io(ids.pager)
PAGER_TRIGGERS = {i.component_id for i in PAGER_IN}


@callback(
    Output(ids.list, "children"),
    Output(ids.page, "data"),
    *PAGER_OUT,
    Output(ids.seen, "data"),
    Output(ids.newest, "data"),
    Output(ids.arrived, "children"),
    Input(ids.area, "value"),
    Input(ids.period, "value"),
    *PAGER_IN,
    Input(ids.poll, "n_intervals"),
    State(ids.page, "data"),
    State(ids.seen, "data"),
    State(ids.newest, "data"),
)
@requires(*EVERYONE)
def show(
    area: str | None,
    period: Any,
    _prev: int | None,
    _next: int | None,
    _poll: int | None,
    page: Any,
    seen: Any,
    newest: Any,
) -> tuple[Any, ...]:
    """The page of events; on a poll, only when something new arrived: the first page shows
    it, marked new, and a later page says how many arrived (it does not shift under you)."""
    state = SPEC.state({"area": area, "period": period})
    moment = now()
    polled = ctx.triggered_id == ids.poll
    known = newest if isinstance(newest, int) and not isinstance(newest, bool) else None
    with connect() as conn:
        if polled:
            _, fresh = feed_page(state, conn, moment, limit=0, after_id=known)
            if known is None or not fresh:
                raise PreventUpdate
            if page != 1:
                note = f"{fresh:,} new event{'s' if fresh != 1 else ''}: see the first page."
                return (dash.no_update,) * (len(PAGER_OUT) + 3) + (known, note)
        _, total = feed_page(state, conn, moment, limit=0)
        page, offset, pager_state = paged(
            prefix=ids.pager, page=page, total=total, size=PAGE_SIZE, noun="events"
        )
        events, _ = feed_page(state, conn, moment, limit=PAGE_SIZE, offset=offset)
        top = activity.latest_event_id(conn=conn, region_ids=region_scope())
    if not polled and ctx.triggered_id not in PAGER_TRIGGERS:
        seen = top  # a new view (opened, or other filters): nothing in it is new yet
    marked = seen if isinstance(seen, int) and not isinstance(seen, bool) else top
    note = "New events arrived." if polled else ""
    shown = feed_list(events, now=moment, new_after=marked, empty=nothing_in(state))
    return shown, page, *pager_state, seen, top, note


def nothing_in(state: ViewState) -> tuple[str, str]:
    """The empty feed names its filters: "Nothing has happened here yet" under "PE, last 30
    days" read as if PE never had events, and promised bookings and notes."""
    area = AREA_LABELS.get(state.get("area") or "")
    period = PERIODS.get(int(state.get("period") or 30), PERIODS[30]).lower()
    where = f"{area} events" if area else "events"
    return f"No {where} in the {period}", "Choose a longer period or another area."


def feed_page(
    state: ViewState,
    conn: Any,
    moment: datetime,
    *,
    limit: int,
    offset: int = 0,
    after_id: int | None = None,
) -> tuple[pd.DataFrame, int]:
    return activity.feed(
        conn=conn,
        region_ids=region_scope(),
        area=state["area"],
        since=moment - timedelta(days=state["period"]),
        limit=limit,
        offset=offset,
        after_id=after_id,
    )


def event_rows(state: ViewState) -> pd.DataFrame:
    """Every event of the period and area in the user's regions, not only the page shown."""
    moment = now()
    with connect() as conn:
        _, total = feed_page(state, conn, moment, limit=0)
        return feed_page(state, conn, moment, limit=max(total, 1))[0]


SPEC = register(
    View(
        name=VIEW,
        path="/activity",
        title="Activity feed",
        roles=EVERYONE,
        params=(
            Param("area", ids.area, "Area", parse=one_of(AREA_LABELS), show=AREA_LABELS.get),
            period_param(ids.period, PERIODS, default=30),
        ),
        parts=(Part("events", "Activity", event_rows),),
        embeddable=False,
    )
)

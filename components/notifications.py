"""The notification centre in the top bar: a bell with the unread count, and its list."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import dash_bootstrap_components as dbc
import pandas as pd
from dash import dcc, html
from dash.dependencies import Wildcard
from dash.development.base_component import Component

from components.attrs import attrs
from components.feed import linked_summary, region_suffix
from components.formatting import relative_time

POLL_MS = 3_000


class ids:
    bell = "notify-bell"
    badge = "notify-badge"
    popover = "notify-popover"
    items = "notify-items"
    read_all = "notify-read-all"
    poll = "notify-poll"
    seen = "notify-seen"
    toast = "notify-toast"

    @staticmethod
    def read(notification_id: int | Wildcard) -> dict[str, Any]:
        return {"type": "notify-read", "id": notification_id}


def notification_centre() -> html.Div:
    return html.Div(
        [
            html.Button(
                "Notifications",
                id=ids.bell,
                className="btn btn-outline-secondary btn-sm notify-bell",
                title="Notifications",
                n_clicks=0,
            ),
            dbc.Badge("", id=ids.badge, color="danger", pill=True, className="notify-badge d-none"),
            dbc.Popover(
                [
                    dbc.PopoverHeader(
                        html.Div(
                            [
                                html.Span("Notifications"),
                                html.Button(
                                    "Mark all read",
                                    id=ids.read_all,
                                    n_clicks=0,
                                    className="btn btn-link btn-sm p-0",
                                ),
                            ],
                            className="d-flex justify-content-between align-items-center gap-3",
                        )
                    ),
                    dbc.PopoverBody(html.Div(id=ids.items, className="notify-list")),
                ],
                target=ids.bell,
                trigger="legacy",
                placement="bottom-end",
                id=ids.popover,
            ),
            dcc.Interval(id=ids.poll, interval=POLL_MS),
            dcc.Store(id=ids.seen),
            dbc.Toast(
                id=ids.toast,
                header="New notification",
                is_open=False,
                dismissable=True,
                duration=8_000,
                className="notify-toast",
                # Bottom right: never over the top bar or the notification list it opens.
                style={"position": "fixed", "bottom": "1rem", "right": "1rem", "zIndex": 2000},
            ),
        ],
        className="notify-wrap",
        role="region",
        **attrs(aria_label="Notifications", aria_live="polite"),
    )


def notification_items(frame: pd.DataFrame, *, now: datetime) -> Component:
    if frame.empty:
        return html.P("Nothing for you yet.", className="widget-note mb-0")
    rows = []
    for n in frame.to_dict("records"):
        text = linked_summary(n)
        rows.append(
            html.Div(
                [
                    html.Div(
                        [
                            text,
                            html.Div(
                                relative_time(n["created_at"], now)
                                + region_suffix(n.get("region")),
                                className="feed-when",
                            ),
                        ]
                    ),
                    None
                    if n["read"]
                    else html.Button(
                        "Mark read",
                        id=ids.read(int(n["id"])),
                        n_clicks=0,
                        className="btn btn-link btn-sm p-0",
                    ),
                ],
                className="notify-item feed-item d-flex justify-content-between gap-2"
                + ("" if n["read"] else " is-unread"),
            )
        )
    return html.Div(rows)

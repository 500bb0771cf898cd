"""The callbacks behind every registered view's export menus, PDF report, Share and Embed.

Each reads the view's state from its URL mirror, so a file or link always matches what is on
screen. Role and region scope are applied on the server (the view's own row functions run
in the caller's scope); every export and link is audited with the view and its filters."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import dash
import pandas as pd
from dash import ALL, MATCH, Input, Output, State, callback, ctx, dcc
from flask_login import current_user

from actions.base import Refused
from actions.sharing import make_link as make_view_link
from auth.access import EVERYONE, current_actor, deny_if_forged, requires
from auth.audit import audit
from auth.requests import now
from components.downloads import file_name, table_file
from components.formatting import local_datetime
from components.view_tools import link_panel
from data.engine import connect
from data.queries.overview import data_as_of
from settings import get_settings
from sharing import images
from sharing.embed import embed_token
from sharing.views import State as ViewState
from sharing.views import View, state_on_page, view_for_caller

if TYPE_CHECKING:
    from sharing.report import Report

IMAGE_TYPES = {"png": "image/png", "svg": "image/svg+xml"}


@callback(
    Output({"type": "view-export-file", "view": MATCH, "part": MATCH}, "data"),
    Output({"type": "view-export-note", "view": MATCH, "part": MATCH}, "children"),
    Input({"type": "view-export", "view": MATCH, "part": MATCH, "fmt": ALL}, "n_clicks"),
    State({"type": "view-url", "view": ALL}, "search"),
    prevent_initial_call=True,
)
@requires(*EVERYONE)
def export_part(clicks: list[int | None], _searches: list[str | None]) -> tuple[Any, str]:
    """Every row behind a chart or table under the current filters, or the chart as an image."""
    trigger = ctx.triggered_id
    if not trigger or not any(clicks or []):
        raise dash.exceptions.PreventUpdate
    view = view_for_caller(trigger.get("view"))
    part = view.part_by_key.get(trigger.get("part"))
    fmt = trigger.get("fmt")
    if (
        part is None
        or fmt not in ("csv", "xlsx", *IMAGE_TYPES)
        or (fmt in IMAGE_TYPES and not part.is_chart)
    ):
        raise dash.exceptions.PreventUpdate
    state = state_on_page(view)
    frame = part.rows(state)
    name = f"{view.name}-{part.key}"
    moment = now()
    if fmt in IMAGE_TYPES:
        figure = part.figure(frame, None) if part.figure else None
        if figure is None:
            return dash.no_update, "Nothing to draw for these filters."
        try:
            body = images.figure_image(figure, fmt)
        except images.ImagesUnavailable:
            return dash.no_update, "Images can't be drawn on the server right now; try CSV."
        file = dcc.send_bytes(body, file_name(name, moment, fmt), type=IMAGE_TYPES[fmt])
    else:
        file = table_file(frame, view=name, fmt=fmt, moment=moment)
    audit(
        "export",
        view=view.name,
        part=part.key,
        format=fmt,
        rows=len(frame),
        filters=view.query(state),
    )
    return file, ""


@callback(
    Output({"type": "view-report-file", "view": MATCH}, "data"),
    Input({"type": "view-report", "view": MATCH}, "n_clicks"),
    State({"type": "view-url", "view": ALL}, "search"),
    running=[
        (
            Output({"type": "view-report-status", "view": MATCH}, "className"),
            "report-progress small",
            "report-progress small d-none",
        ),
        (Output({"type": "view-report", "view": MATCH}, "disabled"), True, False),
    ],
    prevent_initial_call=True,
)
@requires(*EVERYONE)
def pdf_report(clicks: int | None, _searches: list[str | None]) -> Any:
    """A PDF of the view as it is: cover, KPIs, charts (drawn by Chromium) and tables."""
    if not clicks or not isinstance(ctx.triggered_id, dict):
        raise dash.exceptions.PreventUpdate
    view = view_for_caller(ctx.triggered_id.get("view"))
    state = state_on_page(view)
    from sharing import report  # reportlab (6 MB) only in a worker that writes a PDF

    body = report.pdf_bytes(build_report(view, state))
    audit("export", view=view.name, part="report", format="pdf", filters=view.query(state))
    return dcc.send_bytes(body, file_name(view.name, now(), "pdf"), type="application/pdf")


def newest_data() -> str:
    with connect() as conn:
        newest = data_as_of(conn=conn)["newest"].max()
    return "no data yet" if pd.isna(newest) else local_datetime(newest)


def build_report(view: View, state: ViewState) -> Report:
    """The report's content, read in the caller's scope."""
    from sharing.report import Report

    made = Report(
        title=view.title,
        filters=view.described(state),
        data_as_of=newest_data(),
        exported_by=f"{current_user.display_name} ({current_user.email})",
        exported_at=now(),
        kpis=view.kpis(state) if view.kpis else [],
    )
    for part in view.parts_shown(state):
        frame = part.rows(state)
        figure = part.figure(frame, None) if part.figure else None
        if figure is not None:
            made.charts.append((part.title, part.note, images.figure_image(figure, "png")))
        else:  # a table, or a chart with nothing to draw (shown as its empty table)
            made.tables.append((part.title, frame))
    return made


@callback(
    Output({"type": "view-link", "view": MATCH}, "children"),
    Input({"type": "view-share", "view": MATCH}, "n_clicks"),
    Input({"type": "view-embed", "view": MATCH}, "n_clicks"),
    State({"type": "view-embed-days", "view": MATCH}, "value"),
    State({"type": "view-url", "view": ALL}, "search"),
    prevent_initial_call=True,
)
@requires(*EVERYONE)
def make_link(share: int | None, embed: int | None, days: Any, _searches: Any) -> Any:
    """A short link to this view for signed-in users, or (admins, managers) an embed link."""
    trigger = ctx.triggered_id
    if not isinstance(trigger, dict) or not (share or embed):
        raise dash.exceptions.PreventUpdate
    view = view_for_caller(trigger.get("view"))
    state = state_on_page(view)
    kind = "embed" if trigger.get("type") == "view-embed" else "share"
    try:
        valid_days = int(days) if kind == "embed" else None
    except (TypeError, ValueError):
        valid_days = None
    made = make_view_link(
        actor=current_actor(),
        kind=kind,
        view=view.name,
        query=view.query(state),
        embeddable=view.embeddable,
        days=valid_days,
        now=now(),
    )
    deny_if_forged(made)
    if isinstance(made, Refused):
        return link_panel(title=made.message, address="", note="")
    expires = made.expires_at
    link = made
    base = get_settings().base_url
    if kind == "share":
        return link_panel(
            title="Share link",
            address=f"{base}/s/{link.code}",
            note="Opens this view with these filters for anyone signed in to Beacon; each "
            "person sees only the data their role and regions allow.",
        )
    address = f"{base}/embed/{embed_token(link.code)}"
    return link_panel(
        title="Embed link (read-only)",
        address=address,
        iframe=f'<iframe src="{address}" title="Beacon: {view.title}" width="100%" '
        'height="720" style="border:0"></iframe>',
        note=f"Shows this view with these filters and nothing else, as you see it now, until "
        f"{local_datetime(expires)}. Revoke it under Account → Shared links.",
    )

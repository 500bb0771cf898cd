"""The controls every shared view carries: its URL mirror, export menus on its charts and
tables, and the report / share / embed actions. Callbacks in `sharing.exports` serve them."""

from __future__ import annotations

import hashlib
from typing import Any

import dash_bootstrap_components as dbc
from dash import dcc, html
from dash.dependencies import Wildcard
from dash.development.base_component import Component

from actions.sharing import EMBED_DAYS

EXPORT_FORMATS = {"csv": "CSV", "xlsx": "Excel", "png": "PNG image", "svg": "SVG image"}


def location_id(view: str) -> dict[str, str]:
    return {"type": "view-url", "view": view}


def export_ids(view: str, part: str) -> dict[str, dict[str, str]]:
    return {
        "file": {"type": "view-export-file", "view": view, "part": part},
        "note": {"type": "view-export-note", "view": view, "part": part},
    }


def action_id(kind: str, view: str) -> dict[str, str]:
    """kind: report, report-file, report-status, share, embed, embed-days, link."""
    return {"type": f"view-{kind}", "view": view}


def address_id(view: str | Wildcard) -> dict[str, Any]:
    return {"type": "view-address", "view": view}


def view_location(view: str, *, shown: str | None = None) -> Component:
    """The view's mirror of the address bar: filter changes push entries, Back restores them.

    `shown`: the query of the filters the page shows, when they do not come from the address
    alone (a saved board) or correct it (a region the user may not see). The address bar is
    then rewritten to it, replacing its entry (`sharing.views` does it), and the mirror
    starts from it: copying the bar would set the controls back to the bar's filters. Its
    `href` is left empty so that it never pushes a stale address of its own, and it is a new
    element for each address (React reuses an element of the same id, with its old props)."""
    if shown is None:
        return dcc.Location(id=location_id(view), refresh=False)
    key = hashlib.sha256(shown.encode()).hexdigest()[:12]
    return html.Div(
        [
            dcc.Location(id=location_id(view), refresh=False, search=shown, href=""),
            dcc.Store(id=address_id(view), data=shown),
        ],
        id=f"view-url-{view}-{key}",
    )


def export_menu(view: str, part: str, *, title: str, chart: bool) -> html.Div:
    """An "Export" menu: CSV and Excel of the rows behind the part, plus PNG and SVG for a
    chart. Files are made on the server; a problem shows next to the menu."""
    formats = EXPORT_FORMATS if chart else {k: EXPORT_FORMATS[k] for k in ("csv", "xlsx")}
    ids = export_ids(view, part)
    return html.Div(
        [
            dbc.DropdownMenu(
                [
                    dbc.DropdownMenuItem(
                        label,
                        id={"type": "view-export", "view": view, "part": part, "fmt": fmt},
                    )
                    for fmt, label in formats.items()
                ],
                label="Export",
                size="sm",
                color="secondary",
                align_end=True,
                toggle_class_name="btn-outline-secondary export-toggle",
                toggle_style={"background": "transparent"},
                class_name="export-menu",
            ),
            html.Span(f"Export {title}", className="visually-hidden"),
            dcc.Loading(
                html.Span(id=ids["note"], className="export-note small", role="status"),
                type="circle",
                delay_show=300,
                overlay_style={"visibility": "visible"},
            ),
            dcc.Download(id=ids["file"]),
        ],
        className="d-flex align-items-center gap-2 export-wrap",
    )


def view_actions(view: str, *, can_embed: bool, can_share: bool = True) -> html.Div:
    """PDF report, Share (a short link for signed-in users) and, for those allowed, Embed.
    A personal view (the PE board) is not shared: its link would show each person their own."""
    buttons = [
        dbc.Button(
            "PDF report", id=action_id("report", view), size="sm", color="secondary", outline=True
        ),
        html.Div(
            dbc.Button(
                "Share", id=action_id("share", view), size="sm", color="secondary", outline=True
            ),
            className="" if can_share else "d-none",
        ),
    ]
    # The embed controls are always there (the callback needs them) but hidden from those
    # who may not embed; the server refuses them anyway.
    embed = html.Div(
        [
            html.Label(
                [
                    html.Span("Embed link valid for", className="small"),
                    dbc.Select(
                        id=action_id("embed-days", view),
                        options=[{"label": v, "value": str(k)} for k, v in EMBED_DAYS.items()],
                        value="7",
                        size="sm",
                        style={"width": "auto"},
                    ),
                ],
                className="d-flex align-items-center gap-2 mb-0",
            ),
            dbc.Button(
                "Embed", id=action_id("embed", view), size="sm", color="secondary", outline=True
            ),
        ],
        className="d-flex align-items-center gap-2" if can_embed else "d-none",
    )
    return html.Div(
        [
            html.Div(
                [*buttons, embed],
                className="d-flex align-items-center flex-wrap gap-2 view-actions",
            ),
            html.Div(
                [
                    dbc.Spinner(size="sm", spinner_class_name="me-2"),
                    "Building the PDF report: reading the data and drawing the charts…",
                ],
                id=action_id("report-status", view),
                className="report-progress small d-none",
                role="status",
            ),
            dcc.Download(id=action_id("report-file", view)),
            html.Div(id=action_id("link", view), className="view-link-out", role="status"),
        ],
        className="mb-2",
    )


def link_panel(*, title: str, address: str, note: str, iframe: str | None = None) -> dbc.Alert:
    """A made link: the address to copy (and the iframe code for an embed)."""
    rows: list[Component] = [
        html.Div(title, className="fw-semibold"),
        html.Div(
            [
                dcc.Input(
                    value=address,
                    readOnly=True,
                    className="form-control form-control-sm",
                    id="view-link-address",
                ),
                dcc.Clipboard(
                    target_id="view-link-address",
                    title="Copy the link",
                    className="btn btn-sm btn-outline-secondary",
                ),
            ],
            className="d-flex gap-2 align-items-center my-1",
        ),
    ]
    if iframe is not None:
        rows += [
            html.Label("Iframe code", htmlFor="view-link-iframe", className="small mt-1"),
            dcc.Textarea(
                value=iframe,
                readOnly=True,
                id="view-link-iframe",
                className="form-control form-control-sm font-monospace",
                rows=2,
            ),
        ]
    rows.append(html.Div(note, className="small text-secondary mt-1"))
    return dbc.Alert(rows, color="light", className="mt-2 mb-0", dismissable=True)


def table_heading(title: str, view: str, part: str, *, class_name: str = "") -> html.Div:
    """A table's section heading with its export menu (every filtered row, CSV or Excel)."""
    return html.Div(
        [
            html.H3(title, className="section-title me-auto mb-0"),
            export_menu(view, part, title=title, chart=False),
        ],
        className=f"d-flex align-items-center gap-2 mb-2 {class_name}".strip(),
    )

"""The page chrome: left navigation grouped by area, top bar, content area, app-wide stores."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import dash_bootstrap_components as dbc
from dash import dcc, html
from dash.development.base_component import Component

from components.attrs import attrs
from components.notifications import notification_centre
from components.theme import DEFAULT_THEME, FOLLOW_SYSTEM, PALETTES, theme_bases

AREA_ORDER = ["Overview", "Tutor risk", "PE programs", "Schedules", "Credit", "Admin", "Account"]


class ids:
    url = "shell-url"
    menu = "shell-menu"
    menu_button = "shell-menu-button"
    theme = "shell-theme"
    theme_bases = "shell-theme-bases"
    theme_applied = "shell-theme-applied"
    nav_shown = "shell-nav-shown"  # the page whose menu item was last scrolled into view
    theme_picker = "shell-theme-picker"
    title = "shell-title"
    data_as_of = "shell-data-as-of"
    alert = "shell-alert"
    content = "shell-content"
    search = "shell-search"
    search_go = "shell-search-go"
    refresh_every = "shell-refresh-every"
    refresh_tick = "shell-refresh-tick"
    refresh_pages = "shell-refresh-pages"
    refreshed = "shell-refreshed"


def navigation(pages: Iterable[Mapping[str, Any]], *, label: str = "Main navigation") -> html.Nav:
    """Links grouped by each page's `area`, in area and then page order; `nav=False` hides one."""
    groups: dict[str, list[Mapping[str, Any]]] = {}
    for page in pages:
        if page.get("nav", True):
            groups.setdefault(page.get("area", "Overview"), []).append(page)
    sections: list[Component] = []
    for area in sorted(groups, key=lambda a: AREA_ORDER.index(a) if a in AREA_ORDER else 99):
        sections.append(html.Div(area, className="nav-area"))
        sections.extend(
            dbc.NavLink(
                page["name"], href=page["relative_path"], active="exact", className="nav-link"
            )
            for page in sorted(groups[area], key=lambda p: p.get("order") or 0)
        )
    return html.Nav(
        [
            html.A("Beacon", href="/", className="brand"),
            dbc.Nav(sections, vertical=True, pills=True),
        ],
        className="sidebar",
        **attrs(aria_label=label),
    )


def user_menu(*, user_name: str, role: str, csrf: str, scope: str = "") -> html.Div:
    """Who is signed in, their role and, for a user kept to some regions, which ones."""
    return html.Div(
        [
            html.Span(user_name, className="user-name", title=user_name),
            dbc.Badge(role, color="secondary", className="role-badge"),
            html.Span(scope, className="user-scope small text-muted", title=f"Sees {scope}")
            if scope
            else None,
            # A plain POST form; the button itself carries the CSRF token as its name/value.
            html.Form(
                html.Button(
                    "Sign out",
                    type="submit",
                    name="csrf_token",
                    value=csrf,
                    className="btn btn-outline-secondary btn-sm",
                ),
                method="POST",
                action="/logout",
            ),
        ],
        className="user-menu",
    )


def theme_picker(theme: str) -> html.Div:
    return html.Div(
        [
            dbc.Label("Theme", html_for=ids.theme_picker, className="theme-label"),
            dbc.Select(
                id=ids.theme_picker,
                # "System" follows the device's light or dark: a user who had chosen a theme
                # could not go back to it (it was only the placeholder).
                options=[
                    {"label": "System", "value": FOLLOW_SYSTEM},
                    *({"label": p.label, "value": n} for n, p in PALETTES.items()),
                ],
                value=theme if theme in PALETTES else FOLLOW_SYSTEM,
                size="sm",
            ),
        ],
        className="theme-picker",
    )


def search_box() -> html.Div:
    """Search everything (Ctrl+K or /): answers arrive as the user types two letters."""
    return html.Div(
        [
            dbc.Label("Search Beacon", html_for=ids.search, className="visually-hidden"),
            dcc.Dropdown(
                id=ids.search,
                options=[],
                placeholder="Search… (Ctrl+K)",
                searchable=True,
                clearable=True,
                search_value="",
                className="global-search",
            ),
            dcc.Location(id=ids.search_go, refresh="callback-nav"),
        ],
        role="search",
        className="global-search-wrap",
    )


REFRESH_CHOICES = {
    "off": "Refresh: off",
    "1": "Refresh: 1 min",
    "5": "Refresh: 5 min",
    "15": "Refresh: 15 min",
}


def refresh_picker(every: str, pages: list[str]) -> html.Div:
    """Auto-refresh of the dashboards (off, 1, 5, 15 minutes), kept on the account: the open
    dashboard is redrawn from the database, with its filters, while nobody is typing."""
    every = every if every in REFRESH_CHOICES else "off"
    minutes = int(every) if every.isdigit() else 0
    return html.Div(
        [
            dbc.Label("Auto-refresh", html_for=ids.refresh_every, className="theme-label"),
            dbc.Select(
                id=ids.refresh_every,
                options=[{"label": v, "value": k} for k, v in REFRESH_CHOICES.items()],
                value=every,
                size="sm",
            ),
            dcc.Interval(
                id=ids.refresh_tick, interval=max(minutes, 1) * 60_000, disabled=not minutes
            ),
            dcc.Store(id=ids.refresh_pages, data=pages),
            dcc.Store(id=ids.refreshed),
        ],
        className="theme-picker",
    )


def top_bar(menu: Component, theme: str, refresh: Component | None = None) -> html.Header:
    return html.Header(
        [
            html.Button(
                "☰ Menu",
                id=ids.menu_button,
                type="button",
                className="btn btn-outline-secondary btn-sm menu-button",
                # assets/a11y.js: aria-controls and aria-expanded while the menu is drawn
                **attrs(data_panel=ids.menu, aria_expanded="false"),
            ),
            html.H1(id=ids.title, className="page-title"),
            html.Div(
                [
                    html.Span(id=ids.data_as_of, className="data-as-of", role="status"),
                    search_box(),
                    notification_centre(),
                    refresh,
                    theme_picker(theme),
                    menu,
                ],
                className="top-bar-tools",
            ),
        ],
        className="top-bar",
    )


def shell(
    *,
    pages: Iterable[Mapping[str, Any]],
    content: Component,
    user_name: str,
    role: str,
    csrf: str,
    theme: str = DEFAULT_THEME,
    refresh_every: str = "off",
    scope: str = "",
) -> html.Div:
    return html.Div(
        [
            html.A("Skip to content", href="#main", className="skip-link"),
            dcc.Location(id=ids.url, refresh="callback-nav"),
            dcc.Store(id=ids.theme, data=theme),
            dcc.Store(id=ids.theme_bases, data=theme_bases()),
            dcc.Store(id=ids.theme_applied),
            dcc.Store(id=ids.nav_shown),
            html.Div(navigation(pages), className="wide-only"),
            # Below 992 px the navigation is a menu behind a button (`.menu-button`).
            dbc.Offcanvas(
                navigation(pages, label="Menu"),
                id=ids.menu,
                title="Beacon",
                is_open=False,
                placement="start",
                className="menu-offcanvas",
            ),
            html.Div(
                [
                    top_bar(
                        user_menu(user_name=user_name, role=role, csrf=csrf, scope=scope),
                        theme,
                        refresh_picker(
                            refresh_every,
                            [p["relative_path"] for p in pages if p.get("refreshes")],
                        ),
                    ),
                    dbc.Alert(
                        id=ids.alert,
                        is_open=False,
                        color="danger",
                        dismissable=True,
                        className="shell-alert",
                    ),
                    html.Main(
                        # Only opening a page blanks it; a callback inside the page shows its
                        # own loading state (a progress bar must stay visible while it runs).
                        dcc.Loading(
                            content,
                            type="default",
                            delay_show=300,
                            parent_className="page-loading",
                            target_components={"_pages_content": "children"},  # type: ignore[arg-type]
                            # (Dash generates TargetComponents as an empty TypedDict)
                        ),
                        id="main",
                        tabIndex="-1",
                        className="content",
                    ),
                ],
                className="main-column",
            ),
        ],
        className="app-shell",
    )

"""Views: what a page shows, described once so it can be exported, reported and shared.

`register` also keeps the view's filters in the URL: a filter change pushes a new address
(so Back steps through filter changes) and an address, pasted or reached with Back, sets the
filters. The query string is always parsed here: an unknown or invalid value is dropped."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from urllib.parse import parse_qsl, urlencode

import dash
import pandas as pd
import plotly.graph_objects as go
from dash import MATCH, Input, Output, callback, clientside_callback, ctx
from flask_login import current_user

from auth.access import AccessDenied, region_scope, requires
from auth.audit import audit
from components.view_tools import address_id, location_id
from data import accounts
from data.engine import connect
from widgets.grid import DataGridAIO, GridColumn, GridState, describe, parse_state

State = dict[str, Any]


@dataclass(frozen=True)
class Param:
    """One filter kept in the URL: its query-string name and the control that shows it."""

    name: str
    component_id: str | dict[str, Any]  # a pattern-matching id for an All-in-One widget
    label: str
    parse: Callable[[str], Any] = str  # raises ValueError or TypeError on a bad value
    default: Any = None
    prop: str = "value"
    show: Callable[[Any], str | None] = str  # None: shown as the raw value
    limit: int = 200  # characters of the raw value read
    # The value as the URL and the control carry it (a grid's state: short JSON).
    encode: Callable[[Any], Any] | None = None
    # What no value means, as a person reads it in a filter summary ("All" when None).
    unset: Callable[[], str] | None = None

    def carried(self, value: Any) -> Any:
        return self.encode(value) if self.encode is not None else value

    def shown(self, value: Any) -> str:
        """The value as a person reads it in a filter summary."""
        shown = self.show(value)
        return str(value) if shown is None else shown

    def read(self, raw: Any) -> Any:
        if raw in (None, "", []):
            return self.default
        try:
            return self.parse(str(raw)[: self.limit])
        except (TypeError, ValueError):
            return self.default


@dataclass(frozen=True)
class Part:
    """A chart (with `figure`) or a table of the view, and the rows behind it for a state."""

    key: str
    title: str
    rows: Callable[[State], pd.DataFrame]
    figure: Callable[[pd.DataFrame, str | None], go.Figure | None] | None = None
    # What the chart measures, for whom and over what period: its card's subtitle and the
    # line under its heading in a PDF (a PDF without it read "Risk score over time" alone).
    note: str = ""

    @property
    def is_chart(self) -> bool:
        return self.figure is not None


@dataclass(frozen=True)
class Explained:
    """What "Explain this view" reads: the page's name as the narrative says it, and the
    numbers the page shows for a state (`analytics.narrative.Fact`s, or tuples of their
    fields). `facts` raises ValueError, with words for people, on a state it cannot explain.
    A view whose filters are not in the URL reads them from `state["context"]`, which the
    page keeps in its `ExplainAIO`."""

    page: str
    facts: Callable[[State], Sequence[Any]]


@dataclass(frozen=True)
class View:
    name: str
    path: str
    title: str
    roles: tuple[str, ...]
    params: tuple[Param, ...] = ()
    parts: tuple[Part, ...] = ()
    kpis: Callable[[State], list[tuple[str, str]]] | None = None
    explained: Explained | None = None
    embeddable: bool = True  # False for views with personal data (e.g. the audit log)
    # The keys of the parts a report shows for a state (all when None), e.g. a personal
    # board's placed widgets.
    shown: Callable[[State], list[str]] | None = None
    part_by_key: dict[str, Part] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "part_by_key", {p.key: p for p in self.parts})

    def card(self, key: str, *, hint: str = "") -> dict[str, Any]:
        """A part's `chart_card` title, subtitle (its note, then `hint`, which only a
        browser needs: "click one to ...") and export menu."""
        part = self.part_by_key[key]
        return {"title": part.title, "subtitle": part.note + hint, "export": (self.name, key)}

    def state(self, query: Mapping[str, Any] | str) -> State:
        """The filters of a query (a mapping or a query string), each parsed or its default."""
        if isinstance(query, str):
            query = dict(parse_qsl(query.lstrip("?")))
        return {p.name: p.read(query.get(p.name)) for p in self.params}

    def query(self, state: State) -> str:
        """ "?name=value&..." for the values that differ from their defaults ("" for none)."""
        kept = {
            p.name: p.carried(state.get(p.name))
            for p in self.params
            if state.get(p.name) not in (None, "", p.default)
        }
        return f"?{urlencode(kept)}" if kept else ""

    def described(self, state: State) -> list[tuple[str, str]]:
        """(label, value as shown) for every filter; where none is set, what that means
        (the param's `unset`), else "All"."""
        return [
            (
                p.label,
                p.shown(state[p.name])
                if state.get(p.name) not in (None, "")
                else (p.unset() if p.unset else "All"),
            )
            for p in self.params
        ]

    def parts_shown(self, state: State) -> list[Part]:
        if self.shown is None:
            return list(self.parts)
        return [self.part_by_key[k] for k in self.shown(state) if k in self.part_by_key]

    def figures(self, state: State, theme: str | None) -> list[go.Figure | None]:
        """Every chart part's figure for a state, drawn from its own rows (in order)."""
        return [p.figure(p.rows(state), theme) for p in self.parts if p.figure is not None]

    def part_names(self) -> list[str]:
        """The names of the chart parts, in the order `figures` draws them."""
        return [p.key for p in self.parts if p.figure is not None]

    def address(self, state: State) -> str:
        return self.path + self.query(state)


VIEWS: dict[str, View] = {}


def register(view: View) -> View:
    """Make a view known to exports and links, and mirror its filters in the URL."""
    VIEWS[view.name] = view
    if view.params:
        _sync_url(view)
    return view


def _sync_url(view: View) -> None:
    location = location_id(view.name)
    controls = [(p.component_id, p.prop) for p in view.params]

    @callback(
        Output(location, "search"),
        *[Output(c, prop, allow_duplicate=True) for c, prop in controls],
        Input(location, "search"),
        *[Input(c, prop) for c, prop in controls],
        prevent_initial_call=True,
    )
    @requires(*view.roles)
    def sync(search: str | None, *values: Any) -> tuple[Any, ...]:
        unchanged = [dash.no_update] * len(controls)
        if ctx.triggered_id == location:
            state = view.state(search or "")
            shown = view.state({p.name: v for p, v in zip(view.params, values, strict=True)})
            if state == shown:
                raise dash.exceptions.PreventUpdate
            return dash.no_update, *[p.carried(state[p.name]) for p in view.params]
        state = view.state({p.name: v for p, v in zip(view.params, values, strict=True)})
        query = view.query(state)
        if query == (search or ""):
            raise dash.exceptions.PreventUpdate
        return query, *unchanged


# A page that corrects the address (`view_location(shown=...)`) writes the corrected one in
# the bar, replacing its entry rather than adding one, so Back returns to what was shown. (The
# output is a no-op: Dash runs a callback when its page appears only for outputs on it.)
clientside_callback(
    """function(query) {
        if (typeof query === "string" && window.location.search !== query) {
            window.history.replaceState(window.history.state, "", window.location.pathname + query);
        }
        return false;
    }""",
    Output(address_id(MATCH), "clear_data"),
    Input(address_id(MATCH), "data"),
)


def record_id(raw: str) -> int:
    """A parser for a record's id in the address (a region, a school): a positive whole
    number that fits the database's integers."""
    value = int(raw)
    if not 1 <= value < 2**31:
        raise ValueError(f"not a record id: {raw!r}")
    return value


def one_of(options: Mapping[str, Any] | tuple[str, ...]) -> Callable[[str], str]:
    """A parser that accepts only the given values."""

    def parse(raw: str) -> str:
        if raw not in options:
            raise ValueError(f"must be one of {list(options)}; got {raw!r}")
        return raw

    return parse


def whole_number_in(options: Mapping[int, Any] | tuple[int, ...]) -> Callable[[str], int]:
    """A parser that accepts only the given whole numbers."""

    def parse(raw: str) -> int:
        value = int(raw)
        if value not in options:
            raise ValueError(f"must be one of {list(options)}; got {value}")
        return value

    return parse


def iso_day(raw: str) -> str:
    """A parser for a day in the address: "2026-06-15" (anything after the tenth character,
    such as a time, is ignored)."""
    return date.fromisoformat(raw[:10]).isoformat()


def region_name(region_id: int) -> str:
    """A region filter as a person reads it: the region's name."""
    with connect() as conn:
        regions = accounts.regions_table(conn=conn)
    found = regions[regions["id"] == region_id]
    return str(found["name"].iloc[0]) if len(found) else f"region {region_id}"


def every_region() -> str:
    """No region chosen, as the reader of a report reads it: a manager's figures cover only
    their regions, so a PDF that said "All" read as company-wide. The report or embed is read
    by others, so the regions are named as whose they are (its exporter's, or the link
    creator's, who the embed reads as)."""
    scope = region_scope()
    if scope is None:
        return "All regions"
    with connect() as conn:
        regions = accounts.regions_table(conn=conn)
    names = sorted(regions[regions["id"].isin(scope)]["name"].astype(str))
    who = current_user.display_name
    return f"All of {who}'s regions: {', '.join(names)}" if names else f"None: {who} has no region"


def region_param(component_id: str) -> Param:
    """A "region" filter: a region's id, shown by its name; none chosen is every region the
    reader may see."""
    return Param(
        "region", component_id, "Region", parse=record_id, show=region_name, unset=every_region
    )


def period_param(component_id: str, periods: Mapping[int, str], default: int) -> Param:
    """A "period" filter: one of the page's periods in days, shown by its label."""
    return Param(
        "period",
        component_id,
        "Period",
        parse=whole_number_in(periods),
        default=default,
        show=lambda days: periods.get(days, f"{days} days"),
    )


def view_for_caller(name: Any) -> View:
    """The registered view, if the caller's role may see it (audited refusal otherwise)."""
    view = VIEWS.get(name) if isinstance(name, str) else None
    if view is None:
        raise dash.exceptions.PreventUpdate
    if current_user.role not in view.roles:
        audit("access.denied", what="view", view=view.name, role=current_user.role)
        raise AccessDenied()
    return view


def state_on_page(view: View) -> State:
    """The view's filters from its URL mirror on the page (the calling callback's
    `State({"type": "view-url", "view": ALL}, "search")`); its defaults without one."""
    for entry in ctx.states_list or []:
        for item in entry if isinstance(entry, list) else [entry]:
            made = item.get("id")
            if isinstance(made, dict) and made.get("type") == "view-url":
                if made.get("view") == view.name:
                    return view.state(item.get("value") or "")
    return view.state({})


def grid_param(aio_id: str, columns: Sequence[GridColumn]) -> Param:
    """The parameter that keeps a grid's sort, filters and columns in the URL ("grid=...")."""
    return Param(
        "grid",
        DataGridAIO.ids.state(aio_id),
        "Table",
        parse=lambda raw: parse_state(raw, columns),
        default=GridState(),
        prop="data",
        show=lambda state: describe(state, columns),
        limit=2000,
        encode=lambda state: state.encode(),
    )

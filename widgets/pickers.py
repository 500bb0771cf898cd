"""Search-as-you-type pickers for people, built once and used with a line by any page.

All-in-One components (the pattern of dash-bootstrap-templates' ``ThemeSwitchAIO``): each
class is the dropdown itself, its ``ids`` namespace names its parts by ``aio_id``, and the
one ``MATCH`` callback below answers every instance on every page. A page reads the value
with ``State(HostPickerAIO.ids.dropdown("book-host"), "value")``.
"""

from __future__ import annotations

from typing import Any

from dash import MATCH, Input, Output, State, callback, dcc
from dash.dependencies import Wildcard

from auth.access import EVERYONE, region_scope, requires
from components.pickers import host_choices, search_choices, search_text
from data import schedules
from data.engine import connect


class HostPickerAIO(dcc.Dropdown):
    """One tutor or mentor, found by typing two letters of a name (within the user's regions;
    the mentors are offered before any typing)."""

    class ids:
        @staticmethod
        def dropdown(aio_id: str | Wildcard) -> dict[str, Any]:
            return {"component": "HostPickerAIO", "subcomponent": "dropdown", "aio_id": aio_id}

    def __init__(self, aio_id: str, *, options: list[dict[str, Any]], **props: Any) -> None:
        super().__init__(id=self.ids.dropdown(aio_id), options=options, search_value="", **props)


class StudentPickerAIO(dcc.Dropdown):
    """One or more students (``multi=True``), found by typing two letters of a name; the
    chosen students stay among the options while the user searches for more."""

    class ids:
        @staticmethod
        def dropdown(aio_id: str | Wildcard) -> dict[str, Any]:
            return {"component": "StudentPickerAIO", "subcomponent": "dropdown", "aio_id": aio_id}

    def __init__(self, aio_id: str, *, options: list[dict[str, Any]], **props: Any) -> None:
        super().__init__(id=self.ids.dropdown(aio_id), options=options, **props)


@callback(
    Output(HostPickerAIO.ids.dropdown(MATCH), "options"),
    Input(HostPickerAIO.ids.dropdown(MATCH), "search_value"),
    State(HostPickerAIO.ids.dropdown(MATCH), "value"),
    prevent_initial_call=True,
)
@requires(*EVERYONE)
def find_hosts(text: str | None, chosen: Any) -> list[dict[str, Any]]:
    """The mentors, the chosen host, and from two letters on the tutors whose name matches."""
    with connect() as conn:
        found = schedules.find_hosts(
            conn=conn, region_ids=region_scope(), text=search_text(text), keys=[str(chosen)]
        )
    return host_choices(found)


@callback(
    Output(StudentPickerAIO.ids.dropdown(MATCH), "options"),
    Input(StudentPickerAIO.ids.dropdown(MATCH), "search_value"),
    State(StudentPickerAIO.ids.dropdown(MATCH), "value"),
    State(StudentPickerAIO.ids.dropdown(MATCH), "options"),
    prevent_initial_call=True,
)
@requires(*EVERYONE)
def find_students(
    text: str | None, chosen: Any, current: list[dict[str, Any]] | None
) -> list[dict[str, Any]]:
    """The chosen students, and from two letters on the students whose name matches."""
    with connect() as conn:
        return search_choices(
            text,
            chosen,
            current,
            lambda t: schedules.find_students(conn=conn, region_ids=region_scope(), text=t),
        )

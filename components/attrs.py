"""Attributes and ids as the page has them: ``aria-*``/``data-*`` attributes that Dash's typed
signatures cannot name, and the DOM id of a pattern-matching (All-in-One) component."""

from __future__ import annotations

import json
from typing import Any

from dash.development.base_component import Component


def attrs(**values: str) -> dict[str, Any]:
    """``attrs(aria_label="Close")`` -> ``{"aria-label": "Close"}``, to spread into a component."""
    return {name.replace("_", "-"): value for name, value in values.items()}


def dom_id(component_id: str | dict[str, Any]) -> str:
    """The id a component has in the page: a pattern-matching (dict) id as Dash writes it,
    JSON with sorted keys, for a label's ``for`` or a test's selector."""
    if isinstance(component_id, str):
        return component_id
    return json.dumps(component_id, sort_keys=True, separators=(",", ":"))


def label_for(control: Component) -> str:
    """The ``for`` of a label naming `control`."""
    return dom_id(getattr(control, "id", ""))

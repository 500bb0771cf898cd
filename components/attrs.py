"""HTML attributes that Dash's typed signatures cannot name (``aria-*``, ``data-*``)."""

from __future__ import annotations

from typing import Any


def attrs(**values: str) -> dict[str, Any]:
    """``attrs(aria_label="Close")`` -> ``{"aria-label": "Close"}``, to spread into a component."""
    return {name.replace("_", "-"): value for name, value in values.items()}

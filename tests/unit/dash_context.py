"""Set up what Dash gives a callback before it runs, so tests can call callbacks directly."""

from __future__ import annotations

import json
from typing import Any

from dash._callback_context import context_value
from dash._utils import AttributeDict


def triggered(
    component_id: str | dict, prop: str = "n_clicks", value: Any = 1, **more: Any
) -> None:
    """As if `component_id`.`prop` had just changed to `value`."""
    name = (
        json.dumps(component_id, sort_keys=True, separators=(",", ":"))
        if isinstance(component_id, dict)
        else component_id
    )
    context_value.set(
        AttributeDict(
            triggered_inputs=[{"prop_id": f"{name}.{prop}", "value": value}],
            inputs_list=more.get("inputs_list", []),
            outputs_list=more.get("outputs_list", []),
            states_list=[],
            input_values={},
            state_values={},
        )
    )

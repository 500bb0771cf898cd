"""The request body the browser sends for a page's main callback (from /_dash-dependencies
and a scenario's values)."""

from __future__ import annotations

import json
from typing import Any


def _concrete(item: Any, wildcard: dict[str, Any]) -> Any:
    made = json.loads(item) if isinstance(item, str) and item.startswith("{") else item
    if isinstance(made, dict):
        return {k: (wildcard.get(k, "x") if isinstance(v, list) else v) for k, v in made.items()}
    return made


def payload(callback: dict[str, Any], scenario: Any) -> dict[str, Any]:
    """The request body the browser sends for this callback with the scenario's values."""

    def entry(item: dict[str, Any]) -> dict[str, Any]:
        made = _concrete(item["id"], scenario.wildcard)
        key = made if isinstance(made, str) else None
        value = scenario.values.get(key) if key else scenario.wildcard.get(item["property"])
        if isinstance(made, dict) and made.get("type") == "home-area":
            value = scenario.wildcard["area"]
        return {"id": made, "property": item["property"], "value": value}

    output = callback["output"]
    parts = output[2:-2].split("...") if output.startswith("..") else [output]
    outputs = []
    for part in parts:
        component, prop = part.rsplit(".", 1)
        outputs.append({"id": _concrete(component, scenario.wildcard), "property": prop})
    inputs = [entry(i) for i in callback["inputs"]]
    first = inputs[0]["id"]
    changed = (
        json.dumps(first, sort_keys=True, separators=(",", ":"))
        if isinstance(first, dict)
        else first
    )
    return {
        "output": output,
        "outputs": outputs if len(outputs) > 1 else outputs[0],
        "inputs": inputs,
        "state": [entry(s) for s in callback.get("state", [])],
        "changedPropIds": [f"{changed}.{callback['inputs'][0]['property']}"],
    }

"""Drive the real app over WSGI like a browser would: forms with their CSRF token, cookies."""

from __future__ import annotations

import json
import re

from flask.testing import FlaskClient

import app as beacon
from tests.conftest import PASSWORD


def new_client() -> FlaskClient:
    return beacon.server.test_client()


def csrf(client: FlaskClient, path: str = "/login") -> str:
    page = client.get(path).get_data(as_text=True)
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found, f"no form on {path}"
    return found.group(1)


def login(client: FlaskClient, email: str, password: str = PASSWORD, **headers: str):
    token = csrf(client)
    return client.post(
        "/login", data={"csrf_token": token, "email": email, "password": password}, headers=headers
    )


def mailed_link(caplog, seconds: float = 10) -> str:
    """The newest password link in the mail log. Mail leaves off the request path (a thread
    here), so wait for it."""
    import time

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = re.findall(r"(/reset-password\?token=[\w-]+)", caplog.text)
        if found:
            return found[-1]
        time.sleep(0.05)
    raise AssertionError("no link was mailed")


def session_cookie(client: FlaskClient) -> str | None:
    cookie = client.get_cookie("beacon_session")
    return cookie.value if cookie else None


def replay(cookie_value: str) -> FlaskClient:
    """A fresh client carrying only an old session cookie, as an attacker replaying it would."""
    client = new_client()
    client.set_cookie("beacon_session", cookie_value)
    return client


def signed_in_ok(client: FlaskClient) -> bool:
    return client.get("/_dash-layout").status_code == 200


def logout(client: FlaskClient):
    layout = client.get("/_dash-layout").get_data(as_text=True)
    token = re.search(
        r'"name":\s*"csrf_token"[^}]*"value":\s*"([^"]+)"|"value":\s*"([^"]+)"[^}]*"name":\s*"csrf_token"',
        layout,
    )
    assert token, "no sign-out form in the layout"
    return client.post("/logout", data={"csrf_token": token.group(1) or token.group(2)})


# Dash callback requests, built from /_dash-dependencies as the browser builds them.

WILDCARD_VALUES = {"area": "tutoring", "index": 1, "widget": "attendance"}


def concrete(component_id):
    """A wildcard id ({"area": ["MATCH"]}) made concrete, as the browser would send it."""
    if isinstance(component_id, str) and component_id.startswith("{"):
        component_id = json.loads(component_id)
    if not isinstance(component_id, dict):
        return component_id, False
    many = any(v == ["ALL"] for v in component_id.values())
    made = {
        k: (WILDCARD_VALUES.get(k, "x") if isinstance(v, list) else v)
        for k, v in component_id.items()
    }
    return made, many


def spec(item: dict, value=None) -> dict | list:
    made, many = concrete(item["id"])
    entry = {"id": made, "property": item["property"], "value": value}
    return [entry] if many else entry


def outputs_of(output: str) -> list[dict]:
    parts = output[2:-2].split("...") if output.startswith("..") else [output]
    result = []
    for part in parts:
        component, prop = part.rsplit(".", 1)
        made, _ = concrete(component)
        result.append({"id": made, "property": prop.split("@")[0]})
    return result


def payload(callback: dict, values: dict | None = None) -> dict:
    values = values or {}
    outputs = outputs_of(callback["output"])
    inputs = [spec(i, values.get(i["property"])) for i in callback["inputs"]]
    first = inputs[0] if isinstance(inputs[0], dict) else inputs[0][0]
    changed = (
        json.dumps(first["id"], sort_keys=True, separators=(",", ":"))
        if isinstance(first["id"], dict)
        else first["id"]
    )
    return {
        "output": callback["output"],
        "outputs": outputs if len(outputs) > 1 else outputs[0],
        "inputs": inputs,
        "state": [spec(s, values.get(s["property"])) for s in callback.get("state", [])],
        "changedPropIds": [f"{changed}.{first['property']}"],
    }


def server_callbacks(client) -> list[dict]:
    deps = client.get("/_dash-dependencies").get_json()
    return [c for c in deps if not c.get("clientside_function")]

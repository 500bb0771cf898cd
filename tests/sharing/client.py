"""Call the sharing callbacks over HTTP as the browser does: signed in, with the view's URL
mirror as the state, and read back the file or the link they send."""

from __future__ import annotations

import base64
import json
from typing import Any

from flask.testing import FlaskClient

from tests.auth.helpers import login, new_client
from tests.conftest import create_test_account


def signed_in(role: str, regions: tuple[int, ...] = ()) -> FlaskClient:
    client = new_client()
    assert login(client, create_test_account(role, regions).email).status_code == 302
    return client


def _key(value: dict) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


def _output(client: FlaskClient, marker: str) -> str:
    deps = client.get("/_dash-dependencies").get_json()
    return next(c["output"] for c in deps if marker in c["output"])


def _url_state(view: str, search: str) -> list[dict]:
    return [{"id": {"type": "view-url", "view": view}, "property": "search", "value": search}]


def post(client: FlaskClient, body: dict) -> Any:
    response = client.post("/_dash-update-component", json=body)
    return response


def export(client: FlaskClient, view: str, part: str, fmt: str, search: str = "") -> Any:
    """The response to a click on Export → fmt for a part of a view shown at ?search."""
    formats = ["csv", "xlsx", "png", "svg"]
    ids = {"view": view, "part": part}
    body = {
        "output": _output(client, "view-export-file"),
        "outputs": [
            {"id": {"type": "view-export-file", **ids}, "property": "data"},
            {"id": {"type": "view-export-note", **ids}, "property": "children"},
        ],
        "inputs": [
            [
                {
                    "id": {"type": "view-export", **ids, "fmt": f},
                    "property": "n_clicks",
                    "value": 1 if f == fmt else None,
                }
                for f in formats
            ]
        ],
        "state": [_url_state(view, search)],
        "changedPropIds": [_key({"type": "view-export", **ids, "fmt": fmt}) + ".n_clicks"],
    }
    return post(client, body)


def sent_file(response: Any) -> tuple[str, bytes]:
    """(file name, bytes) of a dcc.Download answer."""
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    answer = response.get_json()["response"]
    data = next(
        v["data"] for k, v in answer.items() if "view-export-file" in k or "report-file" in k
    )
    raw = base64.b64decode(data["content"]) if data.get("base64") else data["content"].encode()
    return data["filename"], raw


def report(client: FlaskClient, view: str, search: str = "") -> Any:
    body = {
        "output": _output(client, "view-report-file"),
        "outputs": {"id": {"type": "view-report-file", "view": view}, "property": "data"},
        "inputs": [
            {"id": {"type": "view-report", "view": view}, "property": "n_clicks", "value": 1}
        ],
        "state": [_url_state(view, search)],
        "changedPropIds": [_key({"type": "view-report", "view": view}) + ".n_clicks"],
    }
    return post(client, body)


def make_link(client: FlaskClient, view: str, kind: str, search: str = "", days: str = "7") -> Any:
    """Click Share or Embed; the response (its link panel holds the address)."""
    body = {
        "output": _output(client, "view-link"),
        "outputs": {"id": {"type": "view-link", "view": view}, "property": "children"},
        "inputs": [
            {
                "id": {"type": "view-share", "view": view},
                "property": "n_clicks",
                "value": 1 if kind == "share" else None,
            },
            {
                "id": {"type": "view-embed", "view": view},
                "property": "n_clicks",
                "value": 1 if kind == "embed" else None,
            },
        ],
        "state": [
            {"id": {"type": "view-embed-days", "view": view}, "property": "value", "value": days},
            _url_state(view, search),
        ],
        "changedPropIds": [_key({"type": f"view-{kind}", "view": view}) + ".n_clicks"],
    }
    return post(client, body)


def link_address(response: Any) -> str:
    """The address in the link panel a Share or Embed click sent back."""
    assert response.status_code == 200, response.get_data(as_text=True)[:300]

    def find(node: Any) -> str | None:
        if isinstance(node, dict):
            props = node.get("props", node)
            if props.get("id") == "view-link-address":
                return str(props["value"])
            return next((f for f in map(find, node.values()) if f), None)
        if isinstance(node, list):
            return next((f for f in map(find, node) if f), None)
        return None

    found = find(response.get_json()["response"])
    assert found, response.get_data(as_text=True)[:500]
    return found

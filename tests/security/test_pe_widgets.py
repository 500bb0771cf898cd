"""Attack the PE dashboard's callbacks over HTTP: widgets above the role, classes outside the
region scope, forged widget settings and injection strings."""

from __future__ import annotations

import json

import pytest

from tests.auth.helpers import concrete, login, new_client, outputs_of, server_callbacks
from tests.conftest import create_test_account
from tests.security.test_callbacks_by_role import signed_in

INJECTION = "'; DROP TABLE pe_classes; -- <script>alert(1)</script>"


def with_board(role: str, widgets: list[str], regions=()):  # type: ignore[no-untyped-def]
    """Signed in as someone of `role` whose saved board holds `widgets`."""
    from data.engine import transaction
    from data.preferences import save_preference

    account = create_test_account(role, regions)
    board = {"widgets": [{"widget": w, "size": "medium", "options": {}} for w in widgets]}
    with transaction() as conn:
        save_preference(conn=conn, user_id=account.id, name="pe_dashboard", value=board)
    client = new_client()
    assert login(client, account.email).status_code == 302
    return client


@pytest.fixture
def db(seeded_url, use_database):
    use_database(seeded_url)
    return seeded_url


def call(client, output_part: str, values: dict, *, widget: str = "attendance", options=()):
    """POST one callback as the browser would, with `values` by component id and property;
    pattern-matching ids are made concrete for `widget`, with `options` as its settings."""
    callback = next(c for c in server_callbacks(client) if output_part in c["output"])

    def entry(item):
        raw = item["id"]
        component = json.loads(raw) if raw.startswith("{") else raw
        if isinstance(component, dict) and component.get("field") == ["ALL"]:
            return [
                {
                    "id": {"type": "pe-opt", "widget": widget, "field": f},
                    "property": item["property"],
                    "value": v,
                }
                for f, v in options
            ]
        if isinstance(component, dict) and ["ALL"] in component.values():
            name = values.get(component["type"])
            return (
                []
                if name is None
                else [
                    {
                        "id": {"type": component["type"], "widget": name},
                        "property": item["property"],
                        "value": 1 if item["property"] == "n_clicks" else "large",
                    }
                ]
            )
        made, _ = concrete(raw)
        if isinstance(made, dict):
            made["widget"] = widget
        return {
            "id": made,
            "property": item["property"],
            "value": values.get(f"{raw}.{item['property']}"),
        }

    outputs: list = outputs_of(callback["output"])
    for output in outputs:
        if isinstance(output["id"], dict) and "widget" in output["id"]:
            output["id"]["widget"] = widget
    if '["ALL"]' in callback["output"] and len(outputs) == 1:
        outputs = [outputs]  # a wildcard output answers a list: here of the one widget
    inputs = [entry(i) for i in callback["inputs"]]
    trigger = next((i for i in inputs if i), inputs[0])
    first = trigger[0] if isinstance(trigger, list) else trigger
    changed = (
        first["id"]
        if isinstance(first["id"], str)
        else json.dumps(first["id"], sort_keys=True, separators=(",", ":"))
    )
    body = {
        "output": callback["output"],
        "outputs": outputs if len(outputs) > 1 else outputs[0],
        "inputs": inputs,
        "state": [entry(s) for s in callback.get("state", [])],
        "changedPropIds": [f"{changed}.{first['property']}"],
    }
    return client.post("/_dash-update-component", json=body)


FILTERS = {"pe-filters.data": {"start": "2026-03-01", "end": "2026-06-14"}}


def test_a_viewer_cannot_draw_a_widget_above_their_role(db):
    viewer = signed_in("viewer")
    assert call(viewer, "pe-body", FILTERS, widget="attendance").status_code == 200
    refused = call(viewer, "pe-body", FILTERS, widget="incident_log")
    assert refused.status_code == 403
    assert "response" not in refused.get_data(as_text=True)
    # A widget the role may see but that is not on the saved board is never drawn either: a
    # forged request cannot make the server draw widgets (or one widget many times) at will.
    assert call(viewer, "pe-body", FILTERS, widget="fitness").status_code == 403


def test_a_viewer_cannot_add_a_widget_above_their_role(db):
    viewer = signed_in("viewer")
    assert call(viewer, "pe-grid", {"pe-add": "incident_log"}).status_code == 403
    added = call(viewer, "pe-grid", {"pe-add": "fitness"})
    assert added.status_code == 200 and "Fitness trends by grade" in added.get_data(as_text=True)


def test_a_manager_cannot_filter_on_a_class_outside_their_regions(db):
    manager = with_board("manager", ["team_suggestions"], regions=(1,))
    from data.engine import connect
    from data.queries import pe

    with connect() as conn:
        classes = pe.filter_options(conn=conn)
    own = int(classes[classes["region_id"] == 1]["class_id"].iloc[0])
    other = int(classes[classes["region_id"] == 2]["class_id"].iloc[0])
    dates = {"pe-dates.start_date": "2026-03-01", "pe-dates.end_date": "2026-06-14"}
    assert call(manager, "pe-filters.data", {**dates, "pe-class.value": own}).status_code == 200
    assert call(manager, "pe-filters.data", {**dates, "pe-class.value": other}).status_code == 403
    # A team built from a forged class id finds no one: the query is bound to the scope.
    forged = call(
        manager,
        "pe-body",
        FILTERS,
        widget="team_suggestions",
        options=[("class_id", str(other)), ("teams", "2"), ("balance_by", "overall")],
    )
    assert forged.status_code == 200 and "Pick a class" in forged.get_data(as_text=True)


def test_forged_settings_and_injection_strings_get_a_message_not_a_crash(db):
    analyst = with_board("analyst", ["team_suggestions", "attendance"])
    forged = call(
        analyst,
        "pe-body",
        FILTERS,
        widget="team_suggestions",
        options=[("class_id", ""), ("teams", "99"), ("balance_by", INJECTION)],
    )
    text = forged.get_data(as_text=True)
    assert forged.status_code == 200 and "are not valid: teams" in text
    bad_dates = call(
        analyst,
        "pe-filters.data",
        {"pe-dates.start_date": "2026-06-14", "pe-dates.end_date": "2026-03-01"},
    )
    assert bad_dates.status_code == 200 and "start date must not be after" in bad_dates.get_data(
        as_text=True
    )
    nonsense = call(analyst, "pe-filters.data", {"pe-school.value": INJECTION})
    assert nonsense.status_code == 200 and "Filters not applied" in nonsense.get_data(as_text=True)
    search = call(analyst, "pe-gallery-list.children", {"pe-search.value": INJECTION})
    assert search.status_code == 200 and "No widget matches" in search.get_data(as_text=True)
    body = call(analyst, "pe-body", {"pe-filters.data": {"school_id": INJECTION}})
    assert body.status_code == 200 and "filters are not valid" in body.get_data(as_text=True)

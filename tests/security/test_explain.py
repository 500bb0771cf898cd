""" "Explain this view" through the server, as the browser sends it: one MATCH callback for
every page reads the view's filters from its URL mirror; a forged view or PE context is
refused and audited, never explained."""

from __future__ import annotations

import json

import pytest

from analytics.narrative import numbers_in
from data import audit as audit_log
from data.engine import connect
from data.queries import pe
from tests.auth.helpers import server_callbacks
from tests.security.test_callbacks_by_role import signed_in
from widgets.explain import ExplainAIO


@pytest.fixture
def db(scored_url, use_database):
    use_database(scored_url)
    return scored_url


def explain(client, view: str, *, search: str = "", context=None):
    """POST the explain callback for `view`, with the view's URL mirror at `search`."""
    button, output = ExplainAIO.ids.button(view), ExplainAIO.ids.output(view)
    key = json.dumps(button, sort_keys=True, separators=(",", ":"))
    body = {
        "output": next(
            c["output"] for c in server_callbacks(client) if '"ExplainAIO"' in c["output"]
        ),
        "outputs": {"id": output, "property": "children"},
        "inputs": [{"id": button, "property": "n_clicks", "value": 1}],
        "state": [
            {"id": ExplainAIO.ids.context(view), "property": "data", "value": context},
            [{"id": {"type": "view-url", "view": view}, "property": "search", "value": search}],
        ],
        "changedPropIds": [f"{key}.n_clicks"],
    }
    return client.post("/_dash-update-component", json=body)


def text_of(response) -> str:
    return json.dumps(response.get_json(), ensure_ascii=False)


def test_the_narrative_is_of_the_filters_in_the_address(db):
    analyst = signed_in("analyst")
    every = explain(analyst, "tutor-risk", search="?sort=score")
    north = explain(analyst, "tutor-risk", search="?region=1")
    assert every.status_code == north.status_code == 200
    assert "Tutor risk overview right now" in text_of(north)
    assert numbers_in(text_of(north)) and text_of(every) != text_of(north)
    manager = signed_in("manager", regions=(1,))
    assert explain(manager, "tutor-risk", search="?region=2").status_code == 403


def test_a_forged_view_is_refused_and_audited(db):
    viewer = signed_in("viewer")
    refused = explain(viewer, "audit-log")  # a registered view for admins only
    assert refused.status_code == 403 and "response" not in refused.get_data(as_text=True)
    assert explain(viewer, "no-such-view").status_code == 204
    with connect() as conn:
        rows, _ = audit_log.audit_log(conn=conn, action="access.denied", limit=1)
    assert "audit-log" in str(rows.iloc[0]["detail"])


def test_a_forged_pe_context_outside_the_regions_is_refused_and_audited(db):
    with connect() as conn:
        classes = pe.filter_options(conn=conn)
    other = int(classes[classes["region_id"] == 2]["school_id"].iloc[0])
    own = int(classes[classes["region_id"] == 1]["school_id"].iloc[0])
    dates = {"start": "2026-03-01", "end": "2026-06-14"}
    manager = signed_in("manager", regions=(1,))
    allowed = explain(manager, "pe-dashboard", context={**dates, "school_id": own})
    assert allowed.status_code == 200 and "Attendance rate" in text_of(allowed)
    refused = explain(manager, "pe-dashboard", context={**dates, "school_id": other})
    assert refused.status_code == 403
    with connect() as conn:
        rows, _ = audit_log.audit_log(conn=conn, action="access.denied", limit=1)
    assert "pe filter" in str(rows.iloc[0]["detail"])
    bad = explain(manager, "pe-dashboard", context={"start": "yesterday"})
    assert bad.status_code == 200 and "cannot be explained" in text_of(bad)

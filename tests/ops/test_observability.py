"""JSON logs with request ids, the error page's reference, and /metrics with its access rule."""

from __future__ import annotations

import json
import re

import pytest
import requests
from prometheus_client.parser import text_string_to_metric_families

from tests.auth.helpers import login, new_client, payload
from tests.conftest import create_test_account
from tests.ops.helpers import operator_env, served, sign_in


def metric(text: str, name: str, **labels: str) -> float:
    """The sum of the samples called `name` with these labels (0 when there are none)."""
    return sum(
        sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if sample.name == name and all(sample.labels.get(k) == v for k, v in labels.items())
    )


def test_each_request_is_one_json_log_line_with_its_request_id(seeded_copy):
    account = create_test_account("analyst")
    with served(operator_env(seeded_copy), workers=2) as (url, log):
        session, answer = sign_in(url, account.email, "violet tractor mango 42")
        assert answer.status_code == 302
        page = session.get(url + "/_dash-layout")
        given = session.get(url + "/healthz", headers={"X-Request-ID": "proxy-id-12345"})
        assert given.headers["X-Request-ID"] == "proxy-id-12345"  # kept from the proxy
        forged = session.get(url + "/login", headers={"X-Request-ID": "not <an> id; " * 3})
        assert re.fullmatch(r"[0-9a-f]{32}", forged.headers["X-Request-ID"])

        # Gunicorn's workers count together (multiprocess mode): 12 probes, 2 workers.
        for _ in range(12):
            requests.get(url + "/healthz")
        scraped = requests.get(url + "/metrics").text
    assert metric(scraped, "beacon_http_request_duration_seconds_count", route="/healthz") >= 13

    lines = [json.loads(line) for line in log.read_text().splitlines() if line.startswith("{")]
    requests_logged = {entry["request_id"]: entry for entry in lines if entry["event"] == "request"}
    layout = requests_logged[page.headers["X-Request-ID"]]
    assert layout["level"] == "info" and layout["logger"] == "beacon.request"
    assert layout["status"] == 200 and layout["route"] == "/_dash-layout"
    assert layout["user_id"] == account.id and layout["duration_ms"] > 0
    assert re.match(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d", layout["time"])
    signed_in = requests_logged[answer.headers["X-Request-ID"]]
    assert signed_in["path"] == "/login" and signed_in["status"] == 302
    assert "proxy-id-12345" not in requests_logged  # probes are timed, not logged
    # Gunicorn's own lines come out as JSON too.
    assert any(entry.get("logger") == "gunicorn.error" for entry in lines)


def test_the_error_page_shows_the_request_id_of_its_log_lines(client_down):
    answer = client_down.get("/tutor-risk")
    assert answer.status_code == 503
    reference = answer.headers["X-Request-ID"]
    assert f"<code>{reference}</code>" in answer.get_data(as_text=True)
    callback = client_down.post("/_dash-update-component", json={"output": "x.children"})
    assert callback.get_json()["reference"] == callback.headers["X-Request-ID"]


@pytest.fixture
def client_down(seeded_copy, use_database, tmp_path):
    """A signed-in client of an app whose database then stops answering."""
    client = new_client()
    assert login(client, create_test_account("analyst").email).status_code == 302
    use_database(f"sqlite:///{tmp_path}/missing/dir/beacon.db")
    return client


def test_metrics_are_for_this_host_or_the_token_only(seeded_engine, monkeypatch):
    from settings import get_settings

    client = new_client()
    assert client.get("/metrics").status_code == 200  # the test client is 127.0.0.1, direct
    proxied = client.get("/metrics", headers={"X-Forwarded-For": "203.0.113.9"})
    assert proxied.status_code == 404 and "beacon_" not in proxied.get_data(as_text=True)
    remote = client.get("/metrics", environ_overrides={"REMOTE_ADDR": "203.0.113.9"})
    assert remote.status_code == 404

    monkeypatch.setenv("BEACON_METRICS_TOKEN", "scrape-token-" + "m" * 20)
    get_settings.cache_clear()
    try:
        assert client.get("/metrics").status_code == 404  # a token is set: loopback is not enough
        wrong = client.get("/metrics", headers={"Authorization": "Bearer nope"})
        assert wrong.status_code == 404
        right = client.get(
            "/metrics",
            headers={"Authorization": "Bearer scrape-token-" + "m" * 20},
            environ_overrides={"REMOTE_ADDR": "203.0.113.9"},
        )
        assert right.status_code == 200
        assert right.content_type.startswith("text/plain")
    finally:
        monkeypatch.delenv("BEACON_METRICS_TOKEN")
        get_settings.cache_clear()


def test_metrics_count_callbacks_cache_sign_in_failures_limits_and_runs(seeded_copy):
    from jobs import refresh

    client = new_client()
    before = client.get("/metrics").get_data(as_text=True)
    account = create_test_account("analyst")
    tries = [login(client, account.email, "not the password at all").status_code for _ in range(9)]
    assert tries == [401] * 8 + [429]  # eight wrong passwords, then the account limit
    refresh.run(job="refresh")

    signed_in = new_client()
    assert login(signed_in, create_test_account("analyst").email).status_code == 302
    callbacks = signed_in.get("/_dash-dependencies").get_json()
    kpis = next(c for c in callbacks if "home-kpis" in c["output"])
    for _ in range(2):  # the second answer comes from the cache
        body = payload(kpis, {"data": "credit"})
        assert signed_in.post("/_dash-update-component", json=body).status_code == 200
    after = client.get("/metrics").get_data(as_text=True)

    def grew(name: str, **labels: str) -> float:
        return metric(after, name, **labels) - metric(before, name, **labels)

    assert grew("beacon_login_failures_total", reason="wrong password") == 8
    assert grew("beacon_rate_limited_total", path="/login") == 1
    assert grew("beacon_callback_duration_seconds_count", callback=kpis["output"]) == 2
    assert grew("beacon_cache_requests_total", result="hit") >= 1
    assert metric(after, "beacon_job_runs_total", job="refresh", status="succeeded") == 1
    assert metric(after, "beacon_job_run_seconds_total", job="refresh") > 0
    assert metric(after, "beacon_job_last_success_timestamp_seconds", job="refresh") > 1.7e9


def test_a_forged_callback_output_does_not_become_a_metric_label(seeded_engine):
    client = new_client()
    login(client, create_test_account("analyst").email)
    client.post("/_dash-update-component", json={"output": "forged-" + "x" * 40 + ".children"})
    scraped = client.get("/metrics").get_data(as_text=True)
    assert "forged-" not in scraped
    assert metric(scraped, "beacon_callback_duration_seconds_count", callback="unknown") >= 1


def test_forged_methods_and_bodies_neither_grow_the_labels_nor_fail(seeded_engine):
    client = new_client()
    client.open("/login", method="ZZFORGED")
    odd = client.post("/_dash-update-component", json={"output": ["not", "a", "string"]})
    assert odd.status_code == 401  # anonymous: refused, not a 500
    scraped = client.get("/metrics").get_data(as_text=True)
    assert "ZZFORGED" not in scraped
    assert metric(scraped, "beacon_http_request_duration_seconds_count", method="other") >= 1


def test_a_logged_traceback_carries_no_local_values(capsys):
    import logging

    from observability.logs import configure

    configure("json")
    try:
        password = "hunter2-never-in-the-logs"  # noqa: F841 - the local a traceback would show
        raise ValueError("boom")
    except ValueError:
        logging.getLogger("beacon.test").exception("failed")
    finally:
        logging.getLogger().handlers = []
    line = json.loads(capsys.readouterr().err.strip().splitlines()[-1])
    assert line["event"] == "failed" and line["exception"][0]["exc_type"] == "ValueError"
    assert "hunter2" not in json.dumps(line)


def test_scheduler_ticks_are_not_logged_but_their_failures_are(capsys):
    """The webhook sender ticks every 15 s: apscheduler's "Running job" and "executed
    successfully" lines would be most of the log. Its errors and missed runs still show."""
    import logging

    from observability.logs import configure

    configure("json")
    executor = logging.getLogger("apscheduler.executors.default")
    try:
        executor.info('Running job "deliver_webhooks"')
        executor.info('Job "deliver_webhooks" executed successfully')
        executor.warning('Run time of job "scheduled_refresh" was missed by 0:00:31')
        executor.error('Job "scheduled_refresh" raised an exception')
    finally:
        logging.getLogger().handlers = []
    events = [json.loads(line)["event"] for line in capsys.readouterr().err.strip().splitlines()]
    assert events == [
        'Run time of job "scheduled_refresh" was missed by 0:00:31',
        'Job "scheduled_refresh" raised an exception',
    ]

"""/readyz: one check per part the deployment needs; 503 when a required one is down."""

from __future__ import annotations

from alembic import command
from alembic.script import ScriptDirectory

from data.migrate import alembic_config, code_head, schema_state
from jobs import heartbeats
from settings import get_settings
from tests.auth.helpers import new_client
from tests.conftest import pointed_at


def readyz() -> tuple[int, dict]:
    answer = new_client().get("/readyz")
    return answer.status_code, answer.get_json()


def test_the_newest_migration_read_from_the_files_is_alembics():
    assert code_head() == ScriptDirectory.from_config(alembic_config()).get_current_head()


def test_a_schema_behind_the_code_is_not_ready(sqlite_url, use_database):
    with pointed_at(sqlite_url):
        assert schema_state().at_head
        command.downgrade(alembic_config(), "-1")
        behind = schema_state()
    script = ScriptDirectory.from_config(alembic_config())
    assert behind.current == script.get_revision(code_head()).down_revision
    use_database(sqlite_url)
    status, body = readyz()
    assert status == 503
    detail = body["checks"]["database"]["detail"]
    assert "code expects" in detail and "python -m beacon migrate" in detail


def test_redis_workers_and_beat_each_count(sqlite_url, use_database, redis_url, monkeypatch):
    use_database(sqlite_url)
    monkeypatch.setenv("BEACON_SCHEDULER", "celery")
    get_settings.cache_clear()
    status, body = readyz()
    assert status == 503
    assert body["checks"]["redis"] == {"ok": True, "detail": "answers"}
    assert body["checks"]["workers"]["ok"] is False
    assert "no heartbeat" in body["checks"]["beat"]["detail"]

    heartbeats.stamp_beat(redis_url)
    heartbeats.stamp_worker(redis_url, "beacon@w1")
    status, body = readyz()
    assert status == 200, body
    assert body["checks"]["workers"]["detail"] == "1 alive"

    heartbeats.client(redis_url).set(heartbeats.BEAT_KEY, "1")  # beat stopped long ago
    status, body = readyz()
    assert status == 503 and "last heartbeat" in body["checks"]["beat"]["detail"]


def test_redis_down_is_not_ready_and_says_so(sqlite_url, use_database, monkeypatch):
    use_database(sqlite_url)
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:9/0")
    get_settings.cache_clear()
    try:
        status, body = readyz()
    finally:
        monkeypatch.delenv("REDIS_URL")
        get_settings.cache_clear()
    assert status == 503
    assert body["checks"]["redis"]["detail"].startswith("unreachable")
    assert body["checks"]["database"]["ok"] is True


def test_without_redis_only_the_database_is_needed(sqlite_url, use_database):
    use_database(sqlite_url)
    status, body = readyz()
    assert status == 200 and list(body["checks"]) == ["database"]

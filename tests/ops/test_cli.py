"""`python -m beacon`: every command, run as a process the way an operator runs it."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import create_engine, func, select, text

from beacon.cli import cli
from data.models import AuditEntry, User
from tests.ops.helpers import ADMIN_PASSWORD, beacon, operator_env, served, sign_in


def test_every_command_has_help():
    for name in [None, *cli.commands]:
        done = beacon(*([name] if name else []), "--help", env=operator_env("sqlite://"))
        assert done.returncode == 0, done.stderr
        assert "Usage: python -m beacon" in done.stdout
        assert "Traceback" not in done.stderr


def test_an_unknown_command_is_a_usage_error():
    done = beacon("serve-everything", env=operator_env("sqlite://"))
    assert done.returncode == 2
    assert "No such command" in done.stderr


@pytest.mark.db
def test_a_fresh_postgresql_reaches_a_signed_in_admin_with_init_and_create_admin(
    postgres_server,
):
    from tests import postgres

    database = postgres.create_database(postgres_server)  # empty: not even migrated
    env = operator_env(database)

    first = beacon("init", env=env)
    assert first.returncode == 0, first.stderr
    assert "from empty" in first.stdout
    assert "admin    none yet: run `python -m beacon create-admin" in first.stdout
    assert "no tutoring sessions yet" in first.stdout

    weak = beacon(
        "create-admin",
        "--email",
        "ops@example.org",
        env={**env, "BEACON_ADMIN_PASSWORD": "password123"},
    )
    assert weak.returncode == 1
    assert "Password refused" in weak.stderr and "Traceback" not in weak.stderr

    made = beacon(
        "create-admin",
        "--email",
        "Ops@Example.org",
        env={**env, "BEACON_ADMIN_PASSWORD": ADMIN_PASSWORD},
    )
    assert made.returncode == 0, made.stderr
    assert "ops@example.org created" in made.stdout

    again = beacon(
        "create-admin",
        "--email",
        "ops@example.org",
        env={**env, "BEACON_ADMIN_PASSWORD": ADMIN_PASSWORD},
    )
    assert again.returncode == 1
    assert "already has an account (role admin)" in again.stderr

    engine = create_engine(database)
    try:
        with engine.connect() as conn:
            before = conn.execute(select(func.count()).select_from(AuditEntry)).scalar_one()
            users = conn.execute(select(func.count()).select_from(User)).scalar_one()
            created = conn.execute(
                select(AuditEntry.action, AuditEntry.user_id, AuditEntry.detail)
            ).all()
        assert users == 1
        assert [(a, u, d["by"]) for a, u, d in created] == [("user.created", None, "cli")]

        second = beacon("init", env=env)  # idempotent: nothing changes
        assert second.returncode == 0, second.stderr
        assert "(already there)" in second.stdout and "1 admin account(s) exist" in second.stdout
        with engine.connect() as conn:
            assert conn.execute(select(func.count()).select_from(AuditEntry)).scalar_one() == before
    finally:
        engine.dispose()

    with served(env) as (url, _log):
        session, answer = sign_in(url, "ops@example.org", ADMIN_PASSWORD)
        assert answer.status_code == 302 and answer.headers["Location"] == "/"
        layout = session.get(url + "/_dash-layout")
        assert layout.status_code == 200
        assert "/admin/users" in json.dumps(layout.json())  # the navigation an admin gets


def test_init_with_an_admin_email_and_data_trains_both_models_once(seeded_copy):
    env = operator_env(seeded_copy, BEACON_ADMIN_PASSWORD=ADMIN_PASSWORD)
    first = beacon("init", "--admin-email", "first@example.org", env=env)
    assert first.returncode == 0, first.stderr
    assert "first@example.org created" in first.stdout
    assert "tutor    trained: held-out ROC AUC" in first.stdout
    assert "credit   trained: time-split ROC AUC" in first.stdout
    with create_engine(seeded_copy).connect() as conn:  # its drift measured, not "not yet"
        reports = conn.execute(text("SELECT count(*) FROM monitoring_reports")).scalar_one()
    assert reports == 1
    second = beacon("init", "--admin-email", "first@example.org", env=env)
    assert second.returncode == 0, second.stderr
    assert "tutor    already trained" in second.stdout
    assert "credit   already trained" in second.stdout
    assert "created" not in second.stdout


def test_create_admin_without_a_password_or_terminal_says_how(sqlite_url):
    done = beacon("create-admin", "--email", "a@example.org", env=operator_env(sqlite_url))
    assert done.returncode == 1
    assert "no password: set BEACON_ADMIN_PASSWORD" in done.stderr


def test_create_admin_reads_the_password_from_the_prompt(sqlite_url, monkeypatch):
    from click.testing import CliRunner

    from tests.conftest import pointed_at

    with pointed_at(sqlite_url):
        monkeypatch.delenv("BEACON_ADMIN_PASSWORD", raising=False)
        typed = f"{ADMIN_PASSWORD}\n{ADMIN_PASSWORD}\n"
        result = CliRunner().invoke(cli, ["create-admin", "--email", "p@example.org"], input=typed)
    assert result.exit_code == 0, result.output
    assert "p@example.org created" in result.output


def test_doctor_says_what_is_fine_and_what_is_wrong(seeded_copy):
    healthy = beacon("doctor", env=operator_env(seeded_copy))
    lines = healthy.stdout.splitlines()
    assert any(line.startswith("ok    database   answers; schema at") for line in lines)
    assert any(line.startswith("FAIL  admins     no active admin") for line in lines)
    assert "fix: python -m beacon create-admin" in healthy.stdout
    assert any(line.startswith("warn  models     not trained yet") for line in lines)
    assert any(line.startswith("ok    redis      not configured") for line in lines)
    assert healthy.returncode == 1  # no admin is a failure

    down = beacon("doctor", env=operator_env("postgresql://nobody:x@127.0.0.1:9/none"))
    assert down.returncode == 1
    assert "FAIL  database   database unreachable" in down.stdout
    assert "fix: check DATABASE_URL" in down.stdout
    assert "Traceback" not in down.stdout + down.stderr


def test_doctor_reports_redis_workers_and_beat_when_configured(sqlite_url, redis_url):
    from jobs import heartbeats

    env = operator_env(sqlite_url, REDIS_URL=redis_url, BEACON_SCHEDULER="celery")
    first = beacon("doctor", env=env)
    assert "ok    redis      answers" in first.stdout
    assert "FAIL  workers    no worker heartbeat" in first.stdout
    assert "FAIL  beat       no heartbeat" in first.stdout
    heartbeats.stamp_beat(redis_url)
    heartbeats.stamp_worker(redis_url, "w1@host")
    second = beacon("doctor", env=env)
    assert "ok    workers    1 alive" in second.stdout
    assert "ok    beat       heartbeat" in second.stdout


def test_a_database_that_does_not_answer_is_one_line_of_advice():
    env = operator_env("postgresql://nobody:x@127.0.0.1:9/none")
    for command in ("init", "migrate", "train", "refresh"):
        done = beacon(command, env=env)
        assert done.returncode == 1, command
        assert "Error: the database did not answer" in done.stderr
        assert "Traceback" not in done.stderr


def test_a_wrong_setting_stops_with_its_name():
    done = beacon("migrate", env=operator_env("sqlite://", BEACON_PUBLIC_URL="ftp://x"))
    assert done.returncode == 1
    assert "BEACON_PUBLIC_URL" in done.stderr and "Traceback" not in done.stderr


def test_migrate_refresh_train_and_seed(seeded_copy):
    env = operator_env(seeded_copy)
    migrated = beacon("migrate", env=env)
    assert migrated.returncode == 0 and migrated.stdout.startswith("schema at ")
    refreshed = beacon("refresh", env=env)
    assert refreshed.returncode == 0, refreshed.stderr
    assert refreshed.stdout.startswith("refresh: succeeded")
    trained = beacon("train", env=env)
    assert trained.returncode == 0, trained.stderr
    assert trained.stdout.startswith("retrain: succeeded")
    engine = create_engine(seeded_copy)
    try:
        with engine.connect() as conn:
            runs = conn.execute(text("SELECT job, trigger, status FROM job_runs ORDER BY id")).all()
    finally:
        engine.dispose()
    assert [tuple(r) for r in runs] == [
        ("refresh", "manual", "succeeded"),
        ("retrain", "manual", "succeeded"),
    ]
    refused = beacon("seed", "--scale", "small", env=env)
    assert refused.returncode == 1
    assert "not seeded" in refused.stderr


def test_train_with_too_little_data_says_which_model_it_did_not_train(sqlite_url):
    """It said "retrain: succeeded" and nothing more of the models it could not train."""
    env = operator_env(sqlite_url)
    assert beacon("migrate", env=env).returncode == 0
    done = beacon("train", env=env)
    assert done.returncode == 0, done.stderr  # a young organisation's nightly run is no failure
    assert "tutor risk not scored: there are no tutoring sessions to learn from" in done.stdout
    assert "credit not scored: there are no applications to learn from" in done.stdout
    assert "not trained: tutor risk and credit (see docs/data-contract.md)" in done.stdout

"""`python -m beacon create-token`, run as an operator runs it, and the token it prints used
against the running app."""

from __future__ import annotations

from tests.api.conftest import APPLICATION, Api
from tests.conftest import create_test_account
from tests.ops.helpers import beacon, operator_env


def test_create_token_prints_a_working_token_once(server, api_data):
    owner = create_test_account("admin")
    env = operator_env(api_data)
    made = beacon(
        "create-token",
        "--owner",
        owner.email,
        "--name",
        "loan origination",
        "--role",
        "analyst",
        "--days",
        "30",
        env=env,
    )
    assert made.returncode == 0, made.stderr
    secret = made.stdout.split()[1]
    assert secret.startswith("bcn_") and "shown only now" in made.stdout
    answer = Api(server, secret).post(
        "/api/v1/credit/applications/score?dry_run=true", json=APPLICATION
    )
    assert answer.status_code == 200, answer.text


def test_create_token_refuses_a_non_admin_owner_an_unknown_region_and_bad_values(server, api_data):
    env = operator_env(api_data)
    analyst = create_test_account("analyst")
    admin = create_test_account("admin")
    cases = [
        (["--owner", analyst.email, "--role", "viewer"], "is not an active admin"),
        (["--owner", admin.email, "--role", "manager", "--region", "ATLANTIS"], "unknown region"),
        (["--owner", admin.email, "--role", "manager"], "needs at least one region"),
        (["--owner", admin.email, "--role", "viewer", "--days", "900"], "1 to 366 days"),
        (["--owner", admin.email, "--role", "viewer", "--allow", "not-an-ip"], "Allowed addresses"),
    ]
    for args, said in cases:
        done = beacon("create-token", "--name", "x", *args, env=env)
        assert done.returncode == 1, done.stdout
        assert said in done.stderr and "Traceback" not in done.stderr

"""The database restarted under a running app: every pooled connection dies at once, and
the app answers again without being restarted itself."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, make_url, text

from tests.auth.helpers import login, new_client
from tests.conftest import create_test_account

pytestmark = pytest.mark.db


def test_the_app_recovers_when_every_database_connection_is_cut(postgres_url, use_database):
    use_database(postgres_url)
    client = new_client()
    assert login(client, create_test_account("analyst").email).status_code == 302
    assert client.get("/_dash-layout").status_code == 200

    # What a restart does to the app's pool: the server ends every session of the database.
    name = make_url(postgres_url).database
    admin = create_engine(postgres_url.rsplit("/", 1)[0] + "/postgres")
    try:
        with admin.connect() as conn:
            cut = conn.execute(
                text(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                    "WHERE datname = :name AND pid <> pg_backend_pid()"
                ),
                {"name": name},
            ).scalar_one()
    finally:
        admin.dispose()
    assert cut >= 1

    assert client.get("/_dash-layout").status_code == 200  # same session, new connections
    assert client.get("/readyz").status_code == 200

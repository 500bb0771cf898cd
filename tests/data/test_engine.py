"""The engine's per-backend setup is really in force on live connections."""

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from data.engine import connect, database_problem, engine_for, transaction


@pytest.mark.db
def test_postgres_connections_carry_the_statement_timeout_no_jit_and_pre_ping(postgres_url):
    engine = engine_for(postgres_url, 1234)
    assert engine.pool._pre_ping
    with engine.connect() as conn:
        assert conn.execute(text("SHOW statement_timeout")).scalar_one() == "1234ms"
        assert conn.execute(text("SHOW jit")).scalar_one() == "off"
        with pytest.raises(OperationalError, match="statement timeout"):
            conn.execute(text("SELECT pg_sleep(3)"))


@pytest.mark.db
def test_postgres_reads_take_no_transaction_and_writes_still_do(postgres_url, use_database):
    """#26: a read connection is in autocommit (no BEGIN, no ROLLBACK round trips); the same
    pooled connection, taken for a write, is a transaction again."""
    use_database(postgres_url)
    for _ in range(2):
        with connect() as conn:
            conn.execute(text("SELECT 1"))
            assert conn.connection.driver_connection.autocommit
        with transaction() as conn:
            conn.execute(text("SELECT 1"))
            assert not conn.connection.driver_connection.autocommit
            assert conn.connection.driver_connection.info.transaction_status.name == "INTRANS"


def test_sqlite_connections_enforce_foreign_keys_and_use_wal(sqlite_url):
    with engine_for(sqlite_url).connect() as conn:
        assert conn.execute(text("PRAGMA foreign_keys")).scalar_one() == 1
        assert conn.execute(text("PRAGMA journal_mode")).scalar_one() == "wal"


def test_database_problem_is_none_when_up_and_a_reason_when_down(empty_url, tmp_path):
    assert database_problem(engine_for(empty_url)) is None
    down = engine_for(f"sqlite:///{tmp_path}/no/such/dir.db")
    assert database_problem(down) == "database unreachable (OperationalError)"

"""Alembic is the only way the schema changes: its standard checks, on SQLite and PostgreSQL."""

import pytest
from pytest_alembic.tests import (  # noqa: F401  (collected as this module's tests)
    test_model_definitions_match_ddl,
    test_single_head_revision,
    test_up_down_consistency,
    test_upgrade,
)
from sqlalchemy import create_engine, inspect

from data.migrate import upgrade_head
from data.models import Base
from tests.conftest import BACKENDS, pointed_at
from tests.postgres import create_database


@pytest.fixture(params=BACKENDS)
def database_url(request, tmp_path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'migrations.db'}"
    return create_database(request.getfixturevalue("postgres_server"))


@pytest.fixture
def alembic_engine(database_url):
    """pytest-alembic runs its standard checks against this engine."""
    engine = create_engine(database_url)
    yield engine
    engine.dispose()


def schema(url: str) -> dict[str, object]:
    engine = create_engine(url)
    inspector = inspect(engine)
    shape = {
        table: (
            [(c["name"], str(c["type"]), c["nullable"]) for c in inspector.get_columns(table)],
            sorted(i["name"] or "" for i in inspector.get_indexes(table)),
            sorted(fk["name"] or "" for fk in inspector.get_foreign_keys(table)),
        )
        for table in inspector.get_table_names()
    }
    engine.dispose()
    return shape


def test_upgrade_head_twice_changes_nothing(database_url):
    with pointed_at(database_url):
        upgrade_head()
        first = schema(database_url)
        upgrade_head()
        second = schema(database_url)
    assert first == second
    assert set(Base.metadata.tables) <= set(first)
    assert "alembic_version" in first

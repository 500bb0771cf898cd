"""Bring the database to the newest schema (`python -m beacon migrate`)."""

from __future__ import annotations

from dataclasses import dataclass

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from settings import PROJECT_ROOT


def alembic_config() -> Config:
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.attributes["configure_logger"] = False
    return config


def upgrade_head() -> None:
    command.upgrade(alembic_config(), "head")


@dataclass(frozen=True)
class SchemaState:
    current: str | None  # None: an empty database
    head: str

    @property
    def at_head(self) -> bool:
        return self.current == self.head


def schema_state() -> SchemaState:
    """Where the database's schema is against the newest migration this code knows."""
    from data.engine import get_engine

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    with get_engine().connect() as conn:
        current = MigrationContext.configure(conn).get_current_revision()
    return SchemaState(current=current, head=str(head))

"""Bring the database to the newest schema: `python -m data.migrate`."""

from __future__ import annotations

from alembic import command
from alembic.config import Config

from settings import PROJECT_ROOT, load_settings_or_exit


def alembic_config() -> Config:
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.attributes["configure_logger"] = False
    return config


def upgrade_head() -> None:
    command.upgrade(alembic_config(), "head")


if __name__ == "__main__":
    load_settings_or_exit()
    upgrade_head()
    print("database is at the newest schema")

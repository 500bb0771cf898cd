"""Alembic environment: migrates the settings' database, or a connection handed in by tests."""

from logging.config import fileConfig

from alembic import context
from sqlalchemy import Connection, Engine

from data.engine import get_engine
from data.models import Base

config = context.config
if config.config_file_name and config.attributes.get("configure_logger", True):
    fileConfig(config.config_file_name, disable_existing_loggers=False)


def run_with(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Use a Connection handed in as is; an Engine handed in (pytest-alembic) or ours, connect."""
    given = config.attributes.get("connection")
    if isinstance(given, Connection):
        run_with(given)
        return
    engine = given if isinstance(given, Engine) else get_engine()
    with engine.connect() as conn:
        run_with(conn)
        conn.commit()


if context.is_offline_mode():
    raise SystemExit("Offline (--sql) migrations are not supported; run against a database.")
run_migrations_online()

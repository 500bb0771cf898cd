"""Bring the database to the newest schema (`python -m beacon migrate`), and say where it
stands (for /readyz and `beacon doctor`).

Where it stands is read without loading alembic (27 MB of a web worker's memory, for a
readiness probe): the newest migration from the version files' own `revision` and
`down_revision` lines, the database's from its `alembic_version` table. A test holds the
newest to alembic's answer."""

from __future__ import annotations

import ast
import functools
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import inspect, text

from settings import PROJECT_ROOT

if TYPE_CHECKING:
    from alembic.config import Config

VERSIONS = PROJECT_ROOT / "data" / "migrations" / "versions"


def alembic_config() -> Config:
    from alembic.config import Config

    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.attributes["configure_logger"] = False
    return config


def upgrade_head() -> None:
    from alembic import command

    command.upgrade(alembic_config(), "head")


@dataclass(frozen=True)
class SchemaState:
    current: str | None  # None: an empty database
    head: str

    @property
    def at_head(self) -> bool:
        return self.current == self.head


@functools.cache
def code_head() -> str:
    """The newest migration of this code: the one revision no other revises."""
    revisions: set[str] = set()
    revised: set[str] = set()
    for path in VERSIONS.glob("*.py"):
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            name: ast.expr
            if isinstance(node, ast.AnnAssign):
                name, value = node.target, node.value
            elif isinstance(node, ast.Assign) and len(node.targets) == 1:
                name, value = node.targets[0], node.value
            else:
                continue
            if not isinstance(name, ast.Name) or value is None:
                continue
            if name.id == "revision":
                revisions.add(ast.literal_eval(value))
            elif name.id == "down_revision" and (revises := ast.literal_eval(value)):
                revised.update([revises] if isinstance(revises, str) else revises)
    heads = revisions - revised
    if len(heads) != 1:
        raise RuntimeError(f"the migrations have {len(heads)} heads: {sorted(heads)}")
    return heads.pop()


def schema_state() -> SchemaState:
    """Where the database's schema is against the newest migration this code knows."""
    from data.engine import get_engine

    with get_engine().connect() as conn:
        current = None
        if inspect(conn).has_table("alembic_version"):
            current = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    return SchemaState(current=current, head=code_head())

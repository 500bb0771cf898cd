"""data loads: the process loading each one (`host:pid`), so that a load left "running" by
a killed process is failed rather than shown running forever.

Revision ID: b8d4f2a6c1e3
Revises: a7e2c9f4b1d6
Create Date: 2026-12-08 01:25:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "b8d4f2a6c1e3"
down_revision: str | None = "a7e2c9f4b1d6"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("data_loads") as batch:
        batch.add_column(sa.Column("runner", sa.String(length=120), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("data_loads") as batch:
        batch.drop_column("runner")

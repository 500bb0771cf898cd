"""one open intervention per kind: a tutor has at most one planned or in-progress
intervention of each kind (a second click on "Plan it" made a duplicate). Duplicates already
open are dismissed, the oldest kept, with a note saying why

Revision ID: c2e5a7d9f1b4
Revises: a4c7e9b2d1f3
Create Date: 2026-12-07 11:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "c2e5a7d9f1b4"
down_revision: str | None = "a4c7e9b2d1f3"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OPEN = "status IN ('planned', 'in_progress')"


def upgrade() -> None:
    op.execute(
        f"""
        UPDATE interventions SET status = 'dismissed',
            outcome = 'Dismissed by the upgrade: the same kind was already open for this tutor.'
        WHERE {OPEN} AND id > (
            SELECT min(o.id) FROM interventions o
            WHERE o.tutor_id = interventions.tutor_id AND o.kind = interventions.kind
              AND o.status IN ('planned', 'in_progress')
        )
        """
    )
    with op.batch_alter_table("interventions", schema=None) as batch_op:
        batch_op.create_index(
            "uq_interventions_open_kind",
            ["tutor_id", "kind"],
            unique=True,
            postgresql_where=sa.text(OPEN),
            sqlite_where=sa.text(OPEN),
        )


def downgrade() -> None:
    with op.batch_alter_table("interventions", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_interventions_open_kind",
            postgresql_where=sa.text(OPEN),
            sqlite_where=sa.text(OPEN),
        )

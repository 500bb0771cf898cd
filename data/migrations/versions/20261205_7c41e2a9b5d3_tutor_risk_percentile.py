"""tutor risk percentile: each stored score keeps the share of the tutors scored on its date
with a lower chance of leaving (the bands become the team's call list, #25)

Revision ID: 7c41e2a9b5d3
Revises: d590d5561b04
Create Date: 2026-12-05 18:45:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "7c41e2a9b5d3"
down_revision: str | None = "d590d5561b04"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("tutor_risk_scores", schema=None) as batch_op:
        batch_op.add_column(sa.Column("percentile", sa.SmallInteger(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("tutor_risk_scores", schema=None) as batch_op:
        batch_op.drop_column("percentile")

"""risk scores likeliest first: the risk table in its default order (likeliest to leave
first) reads its page off an index in that order instead of sorting every score of the date

Revision ID: 5a7c9e1b3d2f
Revises: 3f6b2d1c9a7e
Create Date: 2026-12-06 14:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "5a7c9e1b3d2f"
down_revision: str | None = "3f6b2d1c9a7e"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("tutor_risk_scores", schema=None) as batch_op:
        batch_op.create_index(
            "ix_tutor_risk_scores_model_asof_probability",
            ["model_version_id", "as_of", sa.text("probability DESC")],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("tutor_risk_scores", schema=None) as batch_op:
        batch_op.drop_index("ix_tutor_risk_scores_model_asof_probability")

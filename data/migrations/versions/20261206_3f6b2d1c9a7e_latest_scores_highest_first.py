"""latest scores highest first: the portfolio sorted by score, highest first, reads its
page off an index in that order instead of sorting every customer

Revision ID: 3f6b2d1c9a7e
Revises: 8d52f3b0c6e4
Create Date: 2026-12-06 09:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "3f6b2d1c9a7e"
down_revision: str | None = "8d52f3b0c6e4"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("credit_latest_scores", schema=None) as batch_op:
        batch_op.create_index(
            "ix_credit_latest_scores_model_score_desc",
            ["model_version_id", sa.text("score DESC"), "customer_id"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("credit_latest_scores", schema=None) as batch_op:
        batch_op.drop_index("ix_credit_latest_scores_model_score_desc")

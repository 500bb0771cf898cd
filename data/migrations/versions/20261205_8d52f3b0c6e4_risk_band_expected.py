"""risk band expected leavers: each kept band count also keeps the sum of its tutors'
chances of leaving within 30 days (the overview's expected leavers per week), backfilled

Revision ID: 8d52f3b0c6e4
Revises: 7c41e2a9b5d3
Create Date: 2026-12-05 19:10:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "8d52f3b0c6e4"
down_revision: str | None = "7c41e2a9b5d3"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("risk_band_counts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("expected", sa.Float(), nullable=True))
    op.execute(
        """
        UPDATE risk_band_counts SET expected = (
            SELECT sum(s.probability)
            FROM tutor_risk_scores s JOIN tutors t ON t.id = s.tutor_id
            WHERE s.model_version_id = risk_band_counts.model_version_id
              AND s.as_of = risk_band_counts.as_of
              AND t.region_id = risk_band_counts.region_id
              AND s.band = risk_band_counts.band
        )
        """
    )


def downgrade() -> None:
    with op.batch_alter_table("risk_band_counts", schema=None) as batch_op:
        batch_op.drop_column("expected")

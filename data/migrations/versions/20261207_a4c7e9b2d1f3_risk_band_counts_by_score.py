"""risk band counts by score: each kept count is of one score (0-100) in its band, so the
risk overview's score chart sums a few kept rows instead of counting every score of the
date (9.7 ms of its SQL at xlarge, growing with the tutors); recounted here

Revision ID: a4c7e9b2d1f3
Revises: 6d2f8b1c4e57
Create Date: 2026-12-07 10:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "a4c7e9b2d1f3"
down_revision: str | None = "6d2f8b1c4e57"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COUNTED = """
    INSERT INTO risk_band_counts (model_version_id, as_of, region_id, band, {score}tutors, expected)
    SELECT s.model_version_id, s.as_of, t.region_id, s.band, {score_of}count(*), sum(s.probability)
    FROM tutor_risk_scores s JOIN tutors t ON t.id = s.tutor_id
    GROUP BY s.model_version_id, s.as_of, t.region_id, s.band{by_score}
"""


def upgrade() -> None:
    # Emptied first: SQLite refuses a NOT NULL column without a default on a table with rows
    # (the counts are derived, and recounted below from the scores).
    op.execute("DELETE FROM risk_band_counts")
    with op.batch_alter_table("risk_band_counts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("score", sa.SmallInteger(), nullable=False))
    op.execute(COUNTED.format(score="score, ", score_of="s.score, ", by_score=", s.score"))


def downgrade() -> None:
    op.execute("DELETE FROM risk_band_counts")
    with op.batch_alter_table("risk_band_counts", schema=None) as batch_op:
        batch_op.drop_column("score")
    op.execute(COUNTED.format(score="", score_of="", by_score=""))

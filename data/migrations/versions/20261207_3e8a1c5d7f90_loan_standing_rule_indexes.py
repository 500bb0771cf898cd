"""loan standing rule indexes: each kept loan standing keeps its score drop (points lost
since the loan) beside its latest score, backfilled, and the three metrics an alert rule
compares are indexed, so the watchlist and the alerts read the few loans a rule catches
instead of every active loan

Revision ID: 3e8a1c5d7f90
Revises: 9b1d3f5e7a20
Create Date: 2026-12-07 04:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "3e8a1c5d7f90"
down_revision: str | None = "9b1d3f5e7a20"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

METRICS = ("days_past_due", "missed_payments", "score_drop")


def upgrade() -> None:
    with op.batch_alter_table("loan_standings", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("score_drop", sa.Integer(), server_default="0", nullable=False)
        )
    op.execute(
        """
        UPDATE loan_standings SET score_drop = CASE
            WHEN score_at_loan - latest_score > 0 THEN score_at_loan - latest_score ELSE 0 END
        """
    )
    with op.batch_alter_table("loan_standings", schema=None) as batch_op:
        for metric in METRICS:
            batch_op.create_index(f"ix_loan_standings_{metric}", [metric], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("loan_standings", schema=None) as batch_op:
        for metric in METRICS:
            batch_op.drop_index(f"ix_loan_standings_{metric}")
    op.execute("ALTER TABLE loan_standings DROP COLUMN score_drop")

"""watch loans: each kept loan standing the active alert rules catch, with its worst
severity's rank and its days late, for the watchlist's order and count; backfilled from
the kept standings and the rules (as data.loans.keep_watch_loans counts them).

Revision ID: a7e2c9f4b1d6
Revises: f4c1a8e6b2d9
Create Date: 2026-12-07 16:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "a7e2c9f4b1d6"
down_revision: str | None = "f4c1a8e6b2d9"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "watch_loans",
        sa.Column("loan_id", sa.Integer(), nullable=False),
        sa.Column("region_id", sa.Integer(), nullable=False),
        sa.Column("severity_rank", sa.SmallInteger(), nullable=False),
        sa.Column("days_past_due", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["loan_id"],
            ["loans.id"],
            name=op.f("fk_watch_loans_loan_id_loans"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("loan_id", name=op.f("pk_watch_loans")),
    )
    op.execute(
        """
        INSERT INTO watch_loans (loan_id, region_id, severity_rank, days_past_due)
        SELECT s.loan_id, s.region_id,
               max(CASE r.severity WHEN 'low' THEN 0 WHEN 'medium' THEN 1
                                   WHEN 'high' THEN 2 WHEN 'critical' THEN 3 END),
               s.days_past_due
        FROM loan_standings s
        JOIN credit_alert_rules r
          ON r.is_active
         AND (CASE r.metric WHEN 'days_past_due' THEN s.days_past_due
                            WHEN 'missed_payments' THEN s.missed_payments
                            WHEN 'score_drop' THEN s.score_drop END) >= r.threshold
        GROUP BY s.loan_id, s.region_id, s.days_past_due
        """
    )


def downgrade() -> None:
    op.drop_table("watch_loans")

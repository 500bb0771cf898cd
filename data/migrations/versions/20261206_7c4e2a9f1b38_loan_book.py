"""loan book: the active loans, their principal and the loans 30+ days past due per
customer region, kept for the home page's credit KPIs (they read every active loan), and
backfilled

Revision ID: 7c4e2a9f1b38
Revises: 5a7c9e1b3d2f
Create Date: 2026-12-06 17:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "7c4e2a9f1b38"
down_revision: str | None = "5a7c9e1b3d2f"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "loan_book",
        sa.Column("region_id", sa.Integer(), nullable=False),
        sa.Column("loans", sa.Integer(), nullable=False),
        sa.Column("principal", sa.Float(), nullable=False),
        sa.Column("in_arrears", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["region_id"],
            ["regions.id"],
            name=op.f("fk_loan_book_region_id_regions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("region_id", name=op.f("pk_loan_book")),
    )
    op.execute(
        """
        INSERT INTO loan_book (region_id, loans, principal, in_arrears)
        SELECT c.region_id, count(l.id), coalesce(sum(l.principal), 0.0), count(late.loan_id)
        FROM loans l
        JOIN credit_customers c ON c.id = l.customer_id
        LEFT JOIN (
            SELECT DISTINCT loan_id FROM repayments
            WHERE paid_on IS NULL AND days_past_due >= 30
        ) late ON late.loan_id = l.id
        WHERE l.status = 'active'
        GROUP BY c.region_id
        """
    )


def downgrade() -> None:
    op.drop_table("loan_book")

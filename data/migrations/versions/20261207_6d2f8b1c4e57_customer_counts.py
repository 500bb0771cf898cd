"""customer counts: credit customers per region, kept for the portfolio's count when nothing
narrows it (it counted every customer on each first load), and backfilled

Revision ID: 6d2f8b1c4e57
Revises: 3e8a1c5d7f90
Create Date: 2026-12-07 08:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "6d2f8b1c4e57"
down_revision: str | None = "3e8a1c5d7f90"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "customer_counts",
        sa.Column("region_id", sa.Integer(), nullable=False),
        sa.Column("customers", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["region_id"],
            ["regions.id"],
            name=op.f("fk_customer_counts_region_id_regions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("region_id", name=op.f("pk_customer_counts")),
    )
    op.execute(
        """
        INSERT INTO customer_counts (region_id, customers)
        SELECT region_id, count(id) FROM credit_customers GROUP BY region_id
        """
    )


def downgrade() -> None:
    op.drop_table("customer_counts")

"""schedules' start index: a calendar reads each day's count and first sessions down it
for every region (it read every session of the window, and without it every session)

Revision ID: f4c1a8e6b2d9
Revises: e3b9d5a1c7f2
Create Date: 2026-12-07 16:45:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "f4c1a8e6b2d9"
down_revision: str | None = "e3b9d5a1c7f2"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_schedules_start", "schedules", ["starts_at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_schedules_start", table_name="schedules")

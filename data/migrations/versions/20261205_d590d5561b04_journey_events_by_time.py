"""journey events by time: the day recount that follows each scored application reads one
day of journey steps of every stage (the stage-first index cannot serve it)

Revision ID: d590d5561b04
Revises: e5fa54a1a376
Create Date: 2026-12-05 04:39:57.250628
"""

from collections.abc import Sequence

from alembic import op

revision: str = "d590d5561b04"
down_revision: str | None = "e5fa54a1a376"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("journey_events", schema=None) as batch_op:
        batch_op.create_index("ix_journey_events_occurred_at", ["occurred_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("journey_events", schema=None) as batch_op:
        batch_op.drop_index("ix_journey_events_occurred_at")

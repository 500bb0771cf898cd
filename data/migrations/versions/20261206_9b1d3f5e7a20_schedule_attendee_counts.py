"""schedule attendee counts: each session keeps how many students are booked on it and
how many were marked absent, so utilisation's no-show rate reads the sessions of its
window instead of joining every attendee; backfilled

Revision ID: 9b1d3f5e7a20
Revises: 7c4e2a9f1b38
Create Date: 2026-12-06 17:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "9b1d3f5e7a20"
down_revision: str | None = "7c4e2a9f1b38"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("schedules", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("attendees", sa.Integer(), server_default="0", nullable=False)
        )
        batch_op.add_column(sa.Column("absent", sa.Integer(), server_default="0", nullable=False))
    op.execute(
        """
        UPDATE schedules SET
            attendees = (SELECT count(*) FROM schedule_attendees a
                         WHERE a.schedule_id = schedules.id),
            absent = (SELECT count(*) FROM schedule_attendees a
                      WHERE a.schedule_id = schedules.id AND a.attended = false)
        """
    )


def downgrade() -> None:
    # ALTER TABLE ... DROP COLUMN on both (SQLite 3.35+): a batch rebuild of `schedules`
    # on SQLite drops the old table, and with foreign keys on that deletes every attendee.
    op.execute("ALTER TABLE schedules DROP COLUMN absent")
    op.execute("ALTER TABLE schedules DROP COLUMN attendees")

"""session days: tutoring sessions counted per day, region and status, backfilled

Revision ID: 3f9c1d7a5b20
Revises: 5ced35cb2e3f
Create Date: 2026-12-01 19:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "3f9c1d7a5b20"
down_revision: str | None = "5ced35cb2e3f"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "session_days",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("region_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("sessions", sa.Integer(), nullable=False),
        sa.Column("rated", sa.Integer(), nullable=False),
        sa.Column("rating_sum", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["region_id"],
            ["regions.id"],
            name=op.f("fk_session_days_region_id_regions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_session_days")),
    )
    with op.batch_alter_table("session_days", schema=None) as batch_op:
        batch_op.create_index("ix_session_days_day", ["day"], unique=False)

    postgres = op.get_bind().dialect.name == "postgresql"
    day = "(s.scheduled_start AT TIME ZONE 'UTC')::date" if postgres else "date(s.scheduled_start)"
    op.execute(
        f"""
        INSERT INTO session_days (day, region_id, status, sessions, rated, rating_sum)
        SELECT {day}, t.region_id, s.status, count(*), count(s.rating),
               coalesce(sum(s.rating), 0)
        FROM tutoring_sessions s JOIN tutors t ON t.id = s.tutor_id
        GROUP BY {day}, t.region_id, s.status
        """
    )


def downgrade() -> None:
    with op.batch_alter_table("session_days", schema=None) as batch_op:
        batch_op.drop_index("ix_session_days_day")
    op.drop_table("session_days")

"""schedules: the database refuses double bookings. On PostgreSQL, exclusion constraints
(btree_gist) forbid two live sessions of one host or one room at overlapping times; SQLite
has no such constraint, and the booking action serialises check and write instead.

Revision ID: 0b1d6a3c4e5f
Revises: 9200f16467d6
Create Date: 2026-12-04 21:20:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0b1d6a3c4e5f"
down_revision: str | None = "9200f16467d6"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

RULES = {
    "schedules_no_overlap_tutor": "host_tutor_id",
    "schedules_no_overlap_user": "host_user_id",
    "schedules_no_overlap_room": "room_id",
}


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
    for name, column in RULES.items():
        op.execute(
            f"ALTER TABLE schedules ADD CONSTRAINT {name} EXCLUDE USING gist "
            f"({column} WITH =, tstzrange(starts_at, ends_at) WITH &&) "
            f"WHERE (status <> 'cancelled' AND {column} IS NOT NULL)"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for name in RULES:
        op.execute(f"ALTER TABLE schedules DROP CONSTRAINT IF EXISTS {name}")

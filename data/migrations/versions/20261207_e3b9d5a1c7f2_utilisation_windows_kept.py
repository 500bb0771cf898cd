"""utilisation's windows kept: hours per host and per room, and the day counts behind the
weekly rates, summed per region for the 28, 56 and 84 whole days before a day. Left empty:
the page reads the sessions until the next scheduled refresh keeps them.

Revision ID: e3b9d5a1c7f2
Revises: c2e5a7d9f1b4
Create Date: 2026-12-07 16:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "e3b9d5a1c7f2"
down_revision: str | None = "c2e5a7d9f1b4"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _window(table: str, *columns: sa.Column, references: Sequence[tuple[str, str]]) -> None:
    op.create_table(
        table,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("window_days", sa.SmallInteger(), nullable=False),
        sa.Column("region_id", sa.Integer(), nullable=False),
        *columns,
        *(
            sa.ForeignKeyConstraint(
                [column],
                [f"{target}.id"],
                name=op.f(f"fk_{table}_{column}_{target}"),
                ondelete="CASCADE",
            )
            for column, target in [("region_id", "regions"), *references]
        ),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{table}")),
    )
    op.create_index(
        f"ix_{table}_day_window", table, ["day", "window_days", "region_id"], unique=False
    )


def _hours() -> tuple[sa.Column, sa.Column]:
    return (
        sa.Column("minutes", sa.Float(), nullable=False),
        sa.Column("sessions", sa.Integer(), nullable=False),
    )


def upgrade() -> None:
    _window(
        "host_hours",
        sa.Column("host_tutor_id", sa.Integer(), nullable=True),
        sa.Column("host_user_id", sa.Integer(), nullable=True),
        *_hours(),
        references=[("host_tutor_id", "tutors"), ("host_user_id", "users")],
    )
    _window(
        "room_hours",
        sa.Column("room_id", sa.Integer(), nullable=False),
        *_hours(),
        references=[("room_id", "rooms")],
    )
    _window(
        "booking_days",
        sa.Column("on_day", sa.Date(), nullable=False),
        *(
            sa.Column(name, sa.Integer(), nullable=False)
            for name in ("sessions", "cancelled", "expected", "absent")
        ),
        references=[],
    )


def downgrade() -> None:
    for table in ("booking_days", "room_hours", "host_hours"):
        op.drop_index(f"ix_{table}_day_window", table_name=table)
        op.drop_table(table)

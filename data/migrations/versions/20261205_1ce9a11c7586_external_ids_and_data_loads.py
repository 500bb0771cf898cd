"""external ids and data loads: each imported table gets the id its rows have in the
organisation's own system (unique; rows already here keep their Beacon id as it), and the
history of data loads

Revision ID: 1ce9a11c7586
Revises: 0b1d6a3c4e5f
Create Date: 2026-12-05 00:39:12.156194
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import data.models.base

revision: str = "1ce9a11c7586"
down_revision: str | None = "0b1d6a3c4e5f"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


IMPORTED = (
    "credit_applications",
    "credit_customers",
    "credit_products",
    "equipment",
    "equipment_usage",
    "journey_events",
    "lesson_plans",
    "loans",
    "pe_attendance",
    "pe_classes",
    "pe_measurements",
    "regions",
    "repayments",
    "rooms",
    "safety_incidents",
    "schedules",
    "schools",
    "skill_assessments",
    "students",
    "tutoring_sessions",
    "tutors",
)


def upgrade() -> None:
    op.create_table(
        "data_loads",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("started_at", data.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("finished_at", data.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("by", sa.String(length=120), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("dry_run", sa.Boolean(), nullable=False),
        sa.Column("skip_bad_rows", sa.Boolean(), nullable=False),
        sa.Column("files", sa.JSON(), nullable=False),
        sa.Column("counts", sa.JSON(), nullable=False),
        sa.Column("problems", sa.Integer(), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "outcome IN ('running', 'loaded', 'checked', 'rejected', 'failed')",
            name=op.f("ck_data_loads_outcome_valid"),
        ),
        sa.CheckConstraint(
            "source IN ('command', 'page', 'drop_folder', 'api')",
            name=op.f("ck_data_loads_source_valid"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_data_loads_user_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_data_loads")),
    )
    with op.batch_alter_table("data_loads", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_data_loads_started_at"), ["started_at"], unique=False)
    for table in IMPORTED:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("external_id", sa.String(length=64), nullable=True))
        # Named as the data package names records Beacon made: "beacon-<id>", never a bare
        # number an organisation's own ids could collide with.
        op.execute(f"UPDATE {table} SET external_id = 'beacon-' || CAST(id AS VARCHAR(64))")
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_index(f"ix_{table}_external_id", ["external_id"], unique=True)


def downgrade() -> None:
    for table in IMPORTED:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(f"ix_{table}_external_id")
            batch_op.drop_column("external_id")
    with op.batch_alter_table("data_loads", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_data_loads_started_at"))
    op.drop_table("data_loads")

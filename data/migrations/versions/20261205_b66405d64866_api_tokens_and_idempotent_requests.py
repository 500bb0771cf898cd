"""api tokens and idempotent requests: credentials for systems (hashed, scoped, expiring)
and the answers kept so a retried POST is never done twice

Revision ID: b66405d64866
Revises: 1ce9a11c7586
Create Date: 2026-12-05 03:57:35.471701
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import data.models.base

revision: str = "b66405d64866"
down_revision: str | None = "1ce9a11c7586"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("prefix", sa.String(length=16), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("region_ids", sa.JSON(), nullable=False),
        sa.Column("ip_allow", sa.JSON(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=False),
        sa.Column("created_at", data.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", data.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", data.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_used_at", data.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_used_ip", sa.String(length=45), nullable=True),
        sa.CheckConstraint(
            "role IN ('admin', 'manager', 'analyst', 'viewer')",
            name=op.f("ck_api_tokens_role_valid"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by"], ["users.id"], name=op.f("fk_api_tokens_created_by_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_api_tokens_token_hash")),
    )
    op.create_table(
        "api_idempotent_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("created_at", data.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("status", sa.Integer(), nullable=True),
        sa.Column("body", sa.Text(), nullable=True),
        sa.Column("headers", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["token_id"],
            ["api_tokens.id"],
            name=op.f("fk_api_idempotent_requests_token_id_api_tokens"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_idempotent_requests")),
        sa.UniqueConstraint("token_id", "key", name=op.f("uq_api_idempotent_requests_token_id")),
    )
    with op.batch_alter_table("api_idempotent_requests", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_api_idempotent_requests_created_at"), ["created_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("api_idempotent_requests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_api_idempotent_requests_created_at"))

    op.drop_table("api_idempotent_requests")
    op.drop_table("api_tokens")

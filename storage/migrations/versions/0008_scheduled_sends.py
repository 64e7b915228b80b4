"""scheduled sends: digests (and later prompts) owed at a time, each under a unique key

The CHECK lists are written out: a migration must not change when the vocabulary does.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-29 09:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.base

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "scheduled_sends",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=160), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=True),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("for_lead", sa.Boolean(), nullable=False),
        sa.Column("period", sa.String(length=20), nullable=False),
        sa.Column("due_at", storage.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("retry_at", storage.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("photo_sent", sa.Boolean(), nullable=False),
        sa.Column("sent_at", storage.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", storage.base.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("kind IN ('digest')", name=op.f("ck_scheduled_sends_kind")),
        sa.CheckConstraint(
            "status IN ('pending', 'sent', 'skipped', 'undeliverable')",
            name=op.f("ck_scheduled_sends_status"),
        ),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["peer_groups.id"],
            name=op.f("fk_scheduled_sends_group_id_peer_groups"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scheduled_sends")),
        sa.UniqueConstraint("key", name=op.f("uq_scheduled_sends_key")),
    )
    op.create_index(op.f("ix_scheduled_sends_status"), "scheduled_sends", ["status"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_scheduled_sends_status"), table_name="scheduled_sends")
    op.drop_table("scheduled_sends")

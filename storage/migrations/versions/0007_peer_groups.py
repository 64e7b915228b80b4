"""peer groups: digest day and time, invite codes, leads named before they consent

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-29 09:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.base

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("peer_groups") as batch:
        batch.add_column(
            sa.Column("digest_weekday", sa.Integer(), nullable=False, server_default="4")
        )
        batch.add_column(
            sa.Column("digest_minute", sa.Integer(), nullable=False, server_default="960")
        )
    with op.batch_alter_table("tutors") as batch:
        batch.add_column(sa.Column("pending_invite", sa.String(length=32), nullable=True))
    op.create_table(
        "invite_codes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("created_at", storage.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", storage.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("max_uses", sa.Integer(), nullable=True),
        sa.Column("uses", sa.Integer(), nullable=False),
        sa.Column("revoked_at", storage.base.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["peer_groups.id"],
            name=op.f("fk_invite_codes_group_id_peer_groups"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invite_codes")),
        sa.UniqueConstraint("code", name=op.f("uq_invite_codes_code")),
    )
    op.create_index(op.f("ix_invite_codes_group_id"), "invite_codes", ["group_id"], unique=False)
    op.create_table(
        "pending_leads",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("telegram_user_id", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["peer_groups.id"],
            name=op.f("fk_pending_leads_group_id_peer_groups"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pending_leads")),
        sa.UniqueConstraint(
            "group_id", "telegram_user_id", name=op.f("uq_pending_leads_group_id_telegram_user_id")
        ),
    )


def downgrade() -> None:
    op.drop_table("pending_leads")
    op.drop_index(op.f("ix_invite_codes_group_id"), table_name="invite_codes")
    op.drop_table("invite_codes")
    with op.batch_alter_table("tutors") as batch:
        batch.drop_column("pending_invite")
    with op.batch_alter_table("peer_groups") as batch:
        batch.drop_column("digest_minute")
        batch.drop_column("digest_weekday")

"""delivery sweep: attempts, backoff and chats that can never be reached

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29 05:35:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.base

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("transcription_jobs") as batch_op:
        batch_op.add_column(
            sa.Column("delivery_attempts", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(
            sa.Column("deliver_after", storage.base.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(
            sa.Column("undeliverable", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("transcription_jobs") as batch_op:
        batch_op.drop_column("undeliverable")
        batch_op.drop_column("deliver_after")
        batch_op.drop_column("delivery_attempts")

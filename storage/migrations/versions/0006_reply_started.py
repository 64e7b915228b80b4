"""reply_started_at: a status message being sent is never sent twice after a crash

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29 08:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.base

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("reflections") as batch:
        batch.add_column(
            sa.Column("reply_started_at", storage.base.UTCDateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("reflections") as batch:
        batch.drop_column("reply_started_at")

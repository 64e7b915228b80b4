"""pending_leads.named_at: a lead who never answers is forgotten once their naming expires

Rows already there count as named when this upgrade runs.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-30 09:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.base

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("pending_leads") as batch:
        batch.add_column(
            sa.Column(
                "named_at",
                storage.base.UTCDateTime(timezone=True),
                nullable=False,
                server_default=sa.func.current_timestamp(),
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("pending_leads") as batch:
        batch.drop_column("named_at")

"""reflections may come from an imported WhatsApp chat

The CHECK list is written out: a migration must not change when the vocabulary does.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-29 11:50:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BEFORE = "source IN ('text', 'voice', 'audio', 'video_note', 'guided')"
AFTER = "source IN ('text', 'voice', 'audio', 'video_note', 'guided', 'whatsapp')"


def upgrade() -> None:
    with op.batch_alter_table("reflections") as batch:
        batch.drop_constraint(op.f("ck_reflections_source"), type_="check")
        batch.create_check_constraint("source", AFTER)


def downgrade() -> None:
    op.execute("DELETE FROM reflections WHERE source = 'whatsapp'")
    with op.batch_alter_table("reflections") as batch:
        batch.drop_constraint(op.f("ck_reflections_source"), type_="check")
        batch.create_check_constraint("source", BEFORE)

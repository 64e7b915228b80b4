"""teaching schedule: tutors' weekly sessions, pauses and reminder style; prompts as sends

The CHECK lists are written out: a migration must not change when the vocabulary does.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-29 11:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.base

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STYLES = "reminder_style IN ('after_session', 'daily', 'weekly')"


def upgrade() -> None:
    op.create_table(
        "teaching_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tutor_id", sa.Integer(), nullable=False),
        sa.Column("weekday", sa.Integer(), nullable=False),
        sa.Column("starts_minute", sa.Integer(), nullable=True),
        sa.Column("ends_minute", sa.Integer(), nullable=False),
        sa.Column("place", storage.base.SafeString(length=120), nullable=False),
        sa.Column("created_at", storage.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tutor_id"],
            ["tutors.id"],
            name=op.f("fk_teaching_sessions_tutor_id_tutors"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_teaching_sessions")),
    )
    op.create_index(
        op.f("ix_teaching_sessions_tutor_id"), "teaching_sessions", ["tutor_id"], unique=False
    )
    with op.batch_alter_table("tutors") as batch:
        batch.add_column(sa.Column("paused_until", sa.Date(), nullable=True))
        batch.add_column(
            sa.Column(
                "reminder_style",
                sa.String(length=20),
                nullable=False,
                server_default="after_session",
            )
        )
        batch.create_check_constraint("reminder_style", STYLES)
    with op.batch_alter_table("scheduled_sends") as batch:
        batch.add_column(sa.Column("tutor_id", sa.Integer(), nullable=True))
        batch.add_column(
            sa.Column(
                "quiet_if_reflected_since",
                storage.base.UTCDateTime(timezone=True),
                nullable=True,
            )
        )
        batch.create_foreign_key(
            op.f("fk_scheduled_sends_tutor_id_tutors"),
            "tutors",
            ["tutor_id"],
            ["id"],
            ondelete="CASCADE",
        )
        batch.create_index(op.f("ix_scheduled_sends_tutor_id"), ["tutor_id"], unique=False)
        batch.drop_constraint(op.f("ck_scheduled_sends_kind"), type_="check")
        batch.create_check_constraint(
            "kind", "kind IN ('digest', 'prompt', 'daily_reminder', 'weekly_reminder')"
        )


def downgrade() -> None:
    op.execute("DELETE FROM scheduled_sends WHERE kind <> 'digest'")
    with op.batch_alter_table("scheduled_sends") as batch:
        batch.drop_constraint(op.f("ck_scheduled_sends_kind"), type_="check")
        batch.create_check_constraint("kind", "kind IN ('digest')")
        batch.drop_index(op.f("ix_scheduled_sends_tutor_id"))
        batch.drop_constraint(op.f("fk_scheduled_sends_tutor_id_tutors"), type_="foreignkey")
        batch.drop_column("quiet_if_reflected_since")
        batch.drop_column("tutor_id")
    with op.batch_alter_table("tutors") as batch:
        batch.drop_constraint(op.f("ck_tutors_reminder_style"), type_="check")
        batch.drop_column("reminder_style")
        batch.drop_column("paused_until")
    op.drop_index(op.f("ix_teaching_sessions_tutor_id"), table_name="teaching_sessions")
    op.drop_table("teaching_sessions")

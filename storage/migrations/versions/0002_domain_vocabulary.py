"""domain vocabulary: CHECK constraints on every enum column, and a job's failure kind

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29 05:20:00

The values are written out here, not imported, so this revision means the same thing forever.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SHARE_LEVELS = ("private", "lead", "group", "group_anonymous")
CHECKS: dict[str, dict[str, tuple[str, ...]]] = {
    "tutors": {
        "role": ("tutor", "lead", "coordinator"),
        "onboarding_step": ("name", "timezone", "done"),
        "default_share_level": SHARE_LEVELS,
    },
    "reflections": {
        "source": ("text", "voice", "audio", "video_note", "guided"),
        "status": ("draft", "transcribing", "ready", "failed"),
        "share_level": SHARE_LEVELS,
    },
    "reflection_tags": {"source": ("auto", "tutor")},
    "transcription_jobs": {
        "status": ("pending", "running", "done", "failed"),
        "failure_kind": ("no_speech", "unreadable", "error"),
    },
}

# How the worker used to write a failure into `last_error`, before it had a column of its own.
BACKFILL_FAILURE_KIND = """
UPDATE transcription_jobs SET failure_kind = CASE
    WHEN last_error = 'no speech detected' THEN 'no_speech'
    WHEN last_error LIKE 'unreadable audio: %' THEN 'unreadable'
    ELSE 'error' END
WHERE status = 'failed'
"""


def _sql_list(values: tuple[str, ...]) -> str:
    return ", ".join(f"'{value}'" for value in values)


def upgrade() -> None:
    with op.batch_alter_table("transcription_jobs") as batch_op:
        batch_op.add_column(sa.Column("failure_kind", sa.String(length=20), nullable=True))
    op.execute(BACKFILL_FAILURE_KIND)
    for table, columns in CHECKS.items():
        with op.batch_alter_table(table) as batch_op:
            for column, values in columns.items():
                batch_op.create_check_constraint(column, f"{column} IN ({_sql_list(values)})")


def downgrade() -> None:
    for table, columns in CHECKS.items():
        with op.batch_alter_table(table) as batch_op:
            for column in columns:
                batch_op.drop_constraint(op.f(f"ck_{table}_{column}"), type_="check")
    with op.batch_alter_table("transcription_jobs") as batch_op:
        batch_op.drop_column("failure_kind")

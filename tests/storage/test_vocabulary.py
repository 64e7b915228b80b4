"""The domain vocabulary in the database: CHECK constraints, and the 0002 upgrade keeping every row."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import create_async_engine

from bot.database import Database
from storage import migrate
from storage.models import Reflection, TranscriptionJob, Tutor
from storage.vocabulary import FailureKind, ReflectionStatus, ShareLevel
from tests.conftest import BACKENDS

SEED = [
    """INSERT INTO tutors (id, telegram_user_id, display_name, pseudonym, timezone, role,
       onboarding_step, default_share_level, consent_version, consented_at, created_at)
       VALUES (1, 501, 'Aisha', 'T-AAAAAA', 'Europe/London', 'tutor', 'done', 'private',
       '2026-11', '2026-11-01 10:00:00', '2026-11-01 10:00:00')""",
    """INSERT INTO reflections (id, tutor_id, source, status, text, share_level, chat_id,
       message_id, tags_confirmed, created_at, updated_at)
       VALUES (1, 1, 'voice', 'failed', NULL, 'group', 501, 7, false,
       '2026-11-01 10:00:00', '2026-11-01 10:00:00')""",
]
JOBS = {  # message id: (status, last_error as the old worker wrote it)
    10: ("failed", "no speech detected"),
    11: ("failed", "unreadable audio: not an audio file"),
    12: ("failed", "TimeoutError: download timed out"),
    13: ("done", None),
}


def job_insert(message_id: int, status: str, error: str | None) -> str:
    quoted = "NULL" if error is None else "'" + error + "'"
    return f"""INSERT INTO transcription_jobs (reflection_id, chat_id, message_id, status,
        file_id, attempts, last_error, enqueued_at, next_attempt_at, delivered)
        VALUES (1, 501, {message_id}, '{status}', 'file-{message_id}', 3, {quoted},
        '2026-11-01 10:00:00', '2026-11-01 10:00:00', true)"""


async def execute(url: str, statements: list[str]) -> list[tuple[object, ...]]:
    engine = create_async_engine(url)
    async with engine.begin() as connection:
        rows: list[tuple[object, ...]] = []
        for statement in statements:
            result = await connection.execute(text(statement))
            if result.returns_rows:
                rows += [tuple(row) for row in result]
    await engine.dispose()
    return rows


@pytest.mark.parametrize("empty_database_url", BACKENDS, indirect=True)
async def test_upgrade_keeps_every_row_and_names_each_failure(empty_database_url: str) -> None:
    """SQLite rebuilds tables to add CHECKs; a cascading drop would silently erase entries."""
    url = empty_database_url
    await asyncio.to_thread(migrate.upgrade, url, "0001")
    await execute(url, [*SEED, *(job_insert(m, s, e) for m, (s, e) in JOBS.items())])
    await asyncio.to_thread(migrate.upgrade, url, "head")
    kinds = await execute(
        url, ["SELECT message_id, failure_kind FROM transcription_jobs ORDER BY message_id"]
    )
    assert kinds == [(10, "no_speech"), (11, "unreadable"), (12, "error"), (13, None)]
    counts = await execute(
        url, ["SELECT (SELECT count(*) FROM tutors), (SELECT count(*) FROM reflections)"]
    )
    assert counts == [(1, 1)]
    await asyncio.to_thread(migrate.downgrade, url, "0001")
    assert await execute(url, ["SELECT count(*) FROM transcription_jobs"]) == [(4,)]


@pytest.mark.parametrize(
    ("table", "column"),
    [
        ("reflections", "status"),
        ("reflections", "share_level"),
        ("reflections", "source"),
        ("tutors", "role"),
        ("tutors", "onboarding_step"),
        ("transcription_jobs", "status"),
        ("transcription_jobs", "failure_kind"),
    ],
)
async def test_the_database_refuses_words_outside_the_vocabulary(
    database: Database, table: str, column: str
) -> None:
    async with database.transaction() as session:
        for statement in SEED:
            await session.execute(text(statement))
        await session.execute(text(job_insert(10, "failed", None)))
    with pytest.raises(IntegrityError):
        async with database.transaction() as session:
            await session.execute(text(f"UPDATE {table} SET {column} = 'bogus'"))


async def test_enum_columns_come_back_as_members(database: Database) -> None:
    async with database.transaction() as session:
        for statement in SEED:
            await session.execute(text(statement))
        await session.execute(text(job_insert(10, "failed", None)))
        await session.execute(text("UPDATE transcription_jobs SET failure_kind = 'no_speech'"))
    async with database.transaction() as session:
        tutor = await session.get(Tutor, 1)
        entry = await session.get(Reflection, 1)
        job = (await session.execute(text("SELECT id FROM transcription_jobs"))).scalar_one()
        loaded = await session.get(TranscriptionJob, job)
    assert tutor is not None and entry is not None and loaded is not None
    assert entry.status is ReflectionStatus.FAILED
    assert entry.share_level is ShareLevel.GROUP
    assert loaded.failure_kind is FailureKind.NO_SPEECH
    assert tutor.default_share_level.openness < ShareLevel.LEAD.openness

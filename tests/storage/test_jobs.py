"""The transcription queue on SQLite and PostgreSQL: claiming, leases, exactly-once completion."""

import asyncio

import pytest

from bot.database import Database
from storage import jobs, reflections, tutors
from storage.base import utcnow
from storage.models import TranscriptionJob


async def _voice_entries(db: Database, count: int) -> list[int]:
    """Creates a tutor with `count` voice entries, each with a pending job; returns job ids."""
    job_ids = []
    async with db.transaction() as session:
        tutor = await tutors.create_tutor(
            session=session,
            telegram_user_id=1001,
            display_name="Aisha",
            timezone="Europe/London",
            consent_version="test",
            consented_at=utcnow(),
        )
        for message_id in range(1, count + 1):
            entry, _ = await reflections.add_reflection(
                session=session,
                tutor_id=tutor.id,
                chat_id=1001,
                message_id=message_id,
                source="voice",
                share_level="private",
                status="transcribing",
            )
            job_id = await jobs.enqueue(
                session=session,
                reflection_id=entry.id,
                chat_id=1001,
                message_id=message_id,
                file_id=f"file-{message_id}",
                file_size=1000,
                audio_duration_s=5.0,
            )
            assert job_id is not None
            job_ids.append(job_id)
    return job_ids


async def _claim(db: Database, worker: str, lease: float = 60) -> TranscriptionJob | None:
    async with db.transaction() as session:
        return await jobs.claim_next(session=session, worker_id=worker, lease_seconds=lease)


async def test_enqueue_is_idempotent_per_message(database: Database) -> None:
    await _voice_entries(database, 1)
    async with database.transaction() as session:
        again = await jobs.enqueue(
            session=session,
            reflection_id=1,
            chat_id=1001,
            message_id=1,
            file_id="file-1",
            file_size=1000,
            audio_duration_s=5.0,
        )
    assert again is None


async def test_claims_oldest_first_and_never_twice(database: Database) -> None:
    ids = await _voice_entries(database, 3)
    claimed = [await _claim(database, "w1") for _ in range(4)]
    assert [job.id if job else None for job in claimed] == [*ids, None]
    assert all(job.attempts == 1 and job.status == "running" for job in claimed if job)


async def test_expired_lease_is_taken_over_and_old_owner_cannot_finish(database: Database) -> None:
    [job_id] = await _voice_entries(database, 1)
    assert await _claim(database, "crashed", lease=0.05) is not None
    await asyncio.sleep(0.1)
    taken = await _claim(database, "rescuer")
    assert taken is not None and taken.id == job_id and taken.attempts == 2
    async with database.transaction() as session:
        stale = await jobs.finish(
            session=session, job_id=job_id, worker_id="crashed", status="done"
        )
        fresh = await jobs.finish(
            session=session, job_id=job_id, worker_id="rescuer", status="done"
        )
        again = await jobs.finish(
            session=session, job_id=job_id, worker_id="rescuer", status="done"
        )
    assert (stale, fresh, again) == (False, True, False)


async def test_renewed_lease_keeps_the_job(database: Database) -> None:
    await _voice_entries(database, 1)
    job = await _claim(database, "w1", lease=0.2)
    assert job is not None
    async with database.transaction() as session:
        assert await jobs.renew_lease(
            session=session, job_id=job.id, worker_id="w1", lease_seconds=60
        )
    await asyncio.sleep(0.3)
    assert await _claim(database, "w2") is None


async def test_retry_later_then_failed_then_tutor_retry(database: Database) -> None:
    [job_id] = await _voice_entries(database, 1)
    await _claim(database, "w1")
    async with database.transaction() as session:
        later = utcnow().replace(year=utcnow().year + 1)
        await jobs.finish(
            session=session,
            job_id=job_id,
            worker_id="w1",
            status="pending",
            error="boom",
            retry_at=later,
        )
    assert await _claim(database, "w1") is None, "a job waiting for its backoff is not due"
    async with database.transaction() as session:
        job = await jobs.get_job(session=session, job_id=job_id)
        assert job is not None and job.last_error == "boom"
        job.status, job.next_attempt_at = "failed", utcnow()
    async with database.transaction() as session:
        assert await jobs.retry_failed(session=session, job_id=job_id)
    retried = await _claim(database, "w1")
    assert retried is not None and retried.attempts == 1


async def test_requeue_running_after_restart(database: Database) -> None:
    await _voice_entries(database, 2)
    await _claim(database, "before-restart")
    async with database.transaction() as session:
        assert await jobs.requeue_running(session=session) == 1
    assert (await _claim(database, "after-restart")) is not None


@pytest.mark.parametrize("database", ["postgresql"], indirect=True)
async def test_concurrent_workers_skip_locked_rows(database: Database) -> None:
    """Two PostgreSQL workers claiming at once get different jobs and neither waits."""
    await _voice_entries(database, 2)
    async with database.transaction() as first, database.transaction() as second:
        one = await jobs.claim_next(session=first, worker_id="a", lease_seconds=60)
        two = await asyncio.wait_for(
            jobs.claim_next(session=second, worker_id="b", lease_seconds=60), timeout=5
        )
        assert one is not None and two is not None and one.id != two.id

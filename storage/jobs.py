"""The transcription queue: claim with SKIP LOCKED, lease while working, finish exactly once."""

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.base import affected, utcnow
from storage.models import Reflection, TranscriptionJob
from storage.upsert import insert_if_absent
from storage.vocabulary import FailureKind, JobStatus


async def enqueue(
    *,
    session: AsyncSession,
    reflection_id: int,
    chat_id: int,
    message_id: int,
    file_id: str,
    file_size: int | None,
    audio_duration_s: float | None,
    part_index: int | None = None,
) -> int | None:
    """Returns the new job's id, or None when this message already has a job."""
    now = utcnow()
    values: dict[str, Any] = {
        "reflection_id": reflection_id,
        "part_index": part_index,
        "chat_id": chat_id,
        "message_id": message_id,
        "file_id": file_id,
        "file_size": file_size,
        "audio_duration_s": audio_duration_s,
        "status": JobStatus.PENDING,
        "attempts": 0,
        "delivered": False,
        "delivery_attempts": 0,
        "undeliverable": False,
        "enqueued_at": now,
        "next_attempt_at": now,
    }
    return await insert_if_absent(
        session=session, model=TranscriptionJob, values=values, keys=["chat_id", "message_id"]
    )


def _claimable(now: datetime) -> Any:
    """Due pending jobs, and running jobs whose worker stopped renewing its lease."""
    return or_(
        (TranscriptionJob.status == JobStatus.PENDING) & (TranscriptionJob.next_attempt_at <= now),
        (TranscriptionJob.status == JobStatus.RUNNING) & (TranscriptionJob.lease_until < now),
    )


async def claim_next(
    *, session: AsyncSession, worker_id: str, lease_seconds: float
) -> TranscriptionJob | None:
    """Takes the oldest claimable job; other workers skip the locked row instead of waiting."""
    now = utcnow()
    result = await session.execute(
        select(TranscriptionJob)
        .where(_claimable(now))
        .order_by(TranscriptionJob.id)
        .limit(1)
        .with_for_update(skip_locked=True)
    )
    job = result.scalar_one_or_none()
    if job is None:
        return None
    job.status = JobStatus.RUNNING
    job.attempts += 1
    job.worker_id = worker_id
    job.started_at = now
    job.lease_until = now + timedelta(seconds=lease_seconds)
    await session.flush()
    return job


def _owned(job_id: int, worker_id: str) -> Any:
    """The job is still this worker's: nobody has taken it over since it was claimed."""
    return (
        (TranscriptionJob.id == job_id)
        & (TranscriptionJob.worker_id == worker_id)
        & (TranscriptionJob.status == JobStatus.RUNNING)
    )


async def renew_lease(
    *, session: AsyncSession, job_id: int, worker_id: str, lease_seconds: float
) -> bool:
    """False means another worker has taken the job over and ours must give up."""
    result = await session.execute(
        update(TranscriptionJob)
        .where(_owned(job_id, worker_id))
        .values(lease_until=utcnow() + timedelta(seconds=lease_seconds))
    )
    return affected(result) == 1


async def finish(
    *,
    session: AsyncSession,
    job_id: int,
    worker_id: str,
    status: JobStatus,
    error: str | None = None,
    failure_kind: FailureKind | None = None,
    retry_at: datetime | None = None,
    transcribe_seconds: float | None = None,
) -> bool:
    """Ends a job only if this worker still owns it, which is what makes completion exactly-once."""
    values: dict[str, Any] = {
        "status": status,
        "last_error": error,
        "failure_kind": failure_kind,
        "lease_until": None,
    }
    if status == JobStatus.PENDING:
        values["next_attempt_at"] = retry_at or utcnow()
    else:
        values["finished_at"] = utcnow()
        values["transcribe_seconds"] = transcribe_seconds
    result = await session.execute(
        update(TranscriptionJob).where(_owned(job_id, worker_id)).values(**values)
    )
    return affected(result) == 1


async def set_audio_path(*, session: AsyncSession, job_id: int, audio_path: str) -> bool:
    """Records where the audio will be, before it is written; False if the job is gone."""
    result = await session.execute(
        update(TranscriptionJob).where(TranscriptionJob.id == job_id).values(audio_path=audio_path)
    )
    return affected(result) == 1


async def clear_audio_path(*, session: AsyncSession, job_id: int) -> None:
    """The audio is gone from disk once transcribed, unless retention says otherwise."""
    await session.execute(
        update(TranscriptionJob).where(TranscriptionJob.id == job_id).values(audio_path=None)
    )


async def requeue_running(*, session: AsyncSession) -> int:
    """For the single embedded worker on start: anything 'running' was cut off by a restart."""
    result = await session.execute(
        update(TranscriptionJob)
        .where(TranscriptionJob.status == JobStatus.RUNNING)
        .values(status=JobStatus.PENDING, next_attempt_at=utcnow(), lease_until=None)
    )
    return affected(result)


async def retry_failed(*, session: AsyncSession, job_id: int) -> bool:
    """A tutor's retry gives a failed job a fresh set of attempts."""
    result = await session.execute(
        update(TranscriptionJob)
        .where(TranscriptionJob.id == job_id, TranscriptionJob.status == JobStatus.FAILED)
        .values(
            status=JobStatus.PENDING,
            attempts=0,
            next_attempt_at=utcnow(),
            delivered=False,
            delivery_attempts=0,
            deliver_after=None,
        )
    )
    return affected(result) == 1


async def audio_paths(*, session: AsyncSession, reflection_ids: Sequence[int]) -> list[str]:
    """Audio files still on disk for these entries, to delete once the entries are gone."""
    result = await session.execute(
        select(TranscriptionJob.audio_path).where(
            TranscriptionJob.reflection_id.in_(reflection_ids),
            TranscriptionJob.audio_path.is_not(None),
        )
    )
    return [path for path in result.scalars() if path]


async def kept_audio(
    *, session: AsyncSession, reflection_id: int
) -> Sequence[tuple[str, float | None]]:
    """The audio still on disk for one entry, with each recording's length."""
    result = await session.execute(
        select(TranscriptionJob.audio_path, TranscriptionJob.audio_duration_s)
        .where(
            TranscriptionJob.reflection_id == reflection_id,
            TranscriptionJob.audio_path.is_not(None),
        )
        .order_by(TranscriptionJob.id)
    )
    return [(str(path), seconds) for path, seconds in result.all()]


async def tutor_audio_paths(*, session: AsyncSession, tutor_id: int) -> list[str]:
    """Every audio file still on disk for one tutor's entries."""
    result = await session.execute(
        select(TranscriptionJob.audio_path)
        .join(Reflection, Reflection.id == TranscriptionJob.reflection_id)
        .where(Reflection.tutor_id == tutor_id, TranscriptionJob.audio_path.is_not(None))
    )
    return [path for path in result.scalars() if path]


async def get_job(*, session: AsyncSession, job_id: int) -> TranscriptionJob | None:
    return await session.get(TranscriptionJob, job_id)


async def jobs_for_reflection(
    *, session: AsyncSession, reflection_id: int
) -> Sequence[TranscriptionJob]:
    result = await session.execute(
        select(TranscriptionJob)
        .where(TranscriptionJob.reflection_id == reflection_id)
        .order_by(TranscriptionJob.id)
    )
    return result.scalars().all()


async def queue_position(*, session: AsyncSession, job_id: int) -> int:
    """How many jobs are ahead of this one, so the tutor knows how long to wait."""
    result = await session.execute(
        select(func.count())
        .select_from(TranscriptionJob)
        .where(
            TranscriptionJob.status.in_([JobStatus.PENDING, JobStatus.RUNNING]),
            TranscriptionJob.id < job_id,
        )
    )
    return int(result.scalar_one())


async def failed_jobs(*, session: AsyncSession, tutor_id: int) -> Sequence[TranscriptionJob]:
    result = await session.execute(
        select(TranscriptionJob)
        .join(Reflection, Reflection.id == TranscriptionJob.reflection_id)
        .where(Reflection.tutor_id == tutor_id, TranscriptionJob.status == JobStatus.FAILED)
        .order_by(TranscriptionJob.id)
    )
    return result.scalars().all()


async def expired_audio(
    *,
    session: AsyncSession,
    status: JobStatus,
    finished_before: datetime,
    limit: int = 100,
) -> Sequence[TranscriptionJob]:
    """Finished jobs of one status whose kept audio has outlived its period."""
    result = await session.execute(
        select(TranscriptionJob)
        .where(
            TranscriptionJob.status == status,
            TranscriptionJob.audio_path.is_not(None),
            TranscriptionJob.finished_at < finished_before,
        )
        .order_by(TranscriptionJob.id)
        .limit(limit)
    )
    return result.scalars().all()

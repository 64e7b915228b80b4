"""Finished transcriptions waiting to be shown: claimed one at a time, retried with backoff."""

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.base import affected
from storage.models import TranscriptionJob
from storage.vocabulary import JobStatus


def _due(now: datetime) -> Any:
    """Finished, not yet shown, not given up on, and not being shown by someone else now."""
    return (
        TranscriptionJob.status.in_([JobStatus.DONE, JobStatus.FAILED])
        & TranscriptionJob.delivered.is_(False)
        & TranscriptionJob.undeliverable.is_(False)
        & or_(TranscriptionJob.deliver_after.is_(None), TranscriptionJob.deliver_after <= now)
    )


async def due(*, session: AsyncSession, now: datetime, limit: int) -> Sequence[int]:
    """Oldest first; a chat that keeps failing waits out its backoff instead of blocking others."""
    result = await session.execute(
        select(TranscriptionJob.id).where(_due(now)).order_by(TranscriptionJob.id).limit(limit)
    )
    return result.scalars().all()


async def claim(*, session: AsyncSession, job_id: int, now: datetime, until: datetime) -> bool:
    """Takes the delivery for a while, so two workers never show the same result twice."""
    result = await session.execute(
        update(TranscriptionJob)
        .where(TranscriptionJob.id == job_id, _due(now))
        .values(deliver_after=until)
    )
    return affected(result) == 1


async def delivered(*, session: AsyncSession, job_id: int) -> None:
    await session.execute(
        update(TranscriptionJob).where(TranscriptionJob.id == job_id).values(delivered=True)
    )


async def failed(*, session: AsyncSession, job_id: int, retry_at: datetime) -> int:
    """Counts a failed attempt and says when to try again; returns the attempts so far."""
    job = await session.get(TranscriptionJob, job_id)
    if job is None:
        return 0
    job.delivery_attempts += 1
    job.deliver_after = retry_at
    return job.delivery_attempts


async def postpone(*, session: AsyncSession, job_id: int, until: datetime) -> None:
    """Not a failure: something else must happen first, so the sweep looks again later."""
    await session.execute(
        update(TranscriptionJob).where(TranscriptionJob.id == job_id).values(deliver_after=until)
    )


async def undeliverable(*, session: AsyncSession, job_id: int) -> None:
    """The tutor blocked the bot or the chat is gone; no retry will ever succeed."""
    await session.execute(
        update(TranscriptionJob).where(TranscriptionJob.id == job_id).values(undeliverable=True)
    )

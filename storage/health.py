"""What the health check reports: the inbox backlog, the queue, and which workers are alive."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.base import utcnow
from storage.models import InboxUpdate, TranscriptionJob, WorkerHeartbeat
from storage.upsert import insert_if_absent
from storage.vocabulary import JobStatus


@dataclass(frozen=True)
class Backlog:
    """Work waiting: updates not yet handled, and transcriptions not yet finished."""

    inbox: int
    queued: int
    oldest_queued_at: datetime | None


async def backlog(*, session: AsyncSession) -> Backlog:
    inbox = await session.scalar(
        select(func.count()).select_from(InboxUpdate).where(InboxUpdate.handled_at.is_(None))
    )
    waiting = TranscriptionJob.status.in_([JobStatus.PENDING, JobStatus.RUNNING])
    queued, oldest = (
        await session.execute(
            select(func.count(), func.min(TranscriptionJob.enqueued_at)).where(waiting)
        )
    ).one()
    return Backlog(int(inbox or 0), int(queued), oldest)


async def beat(*, session: AsyncSession, worker_id: str) -> None:
    """A worker is alive now; one row per worker, updated in place."""
    now = utcnow()
    inserted = await insert_if_absent(
        session=session,
        model=WorkerHeartbeat,
        values={"worker_id": worker_id, "seen_at": now},
        keys=["worker_id"],
        returning="worker_id",
    )
    if inserted is None:
        await session.execute(
            update(WorkerHeartbeat)
            .where(WorkerHeartbeat.worker_id == worker_id)
            .values(seen_at=now)
        )


async def heartbeats(*, session: AsyncSession, since: datetime) -> Sequence[WorkerHeartbeat]:
    """Workers seen since then, most recent first."""
    result = await session.execute(
        select(WorkerHeartbeat)
        .where(WorkerHeartbeat.seen_at >= since)
        .order_by(WorkerHeartbeat.seen_at.desc())
    )
    return result.scalars().all()

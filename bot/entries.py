"""What a tutor can do to one of their entries: keep, correct, delete, retry its transcription."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession

from storage import jobs, reflections, tutors
from storage.models import Reflection, Tutor

CORRECTING = "correct"


async def own_entry(
    session: AsyncSession, *, tutor: Tutor, reflection_id: int
) -> Reflection | None:
    return await reflections.get_reflection(session, reflection_id=reflection_id, tutor_id=tutor.id)


async def begin_correction(session: AsyncSession, *, tutor: Tutor, reflection_id: int) -> bool:
    """The tutor's next text message will replace this entry's text."""
    if await own_entry(session, tutor=tutor, reflection_id=reflection_id) is None:
        return False
    await tutors.set_awaiting(
        session, tutor_id=tutor.id, awaiting={"kind": CORRECTING, "reflection_id": reflection_id}
    )
    return True


async def apply_correction(session: AsyncSession, *, tutor: Tutor, text: str) -> Reflection | None:
    """Returns the corrected entry, or None when no correction was pending."""
    awaiting = tutor.awaiting or {}
    if awaiting.get("kind") != CORRECTING:
        return None
    tutor.awaiting = None
    entry = await own_entry(session, tutor=tutor, reflection_id=int(awaiting["reflection_id"]))
    if entry is not None:
        entry.text = text
        entry.status = "ready"
    return entry


async def delete_entry(session: AsyncSession, *, tutor: Tutor, reflection_id: int) -> list[Path]:
    """Deletes the entry (tags and jobs cascade); returns audio files to remove after commit."""
    entry = await own_entry(session, tutor=tutor, reflection_id=reflection_id)
    if entry is None:
        return []
    job_list = await jobs.jobs_for_reflection(session, reflection_id=entry.id)
    await session.delete(entry)
    return [Path(job.audio_path) for job in job_list if job.audio_path]


async def retry_transcription(session: AsyncSession, *, tutor: Tutor, job_id: int | None) -> int:
    """Retries one failed job of this tutor's, or all of them when no id is given."""
    failed = await jobs.failed_jobs(session, tutor_id=tutor.id)
    chosen = [job for job in failed if job_id is None or job.id == job_id]
    for job in chosen:
        await jobs.retry_failed(session, job_id=job.id)
        entry = await session.get(Reflection, job.reflection_id)
        if entry is not None:
            entry.status = "transcribing"
    return len(chosen)

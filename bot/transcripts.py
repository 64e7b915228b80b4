"""Writing a finished transcription back onto its entry (or onto one part of a guided entry)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Reflection, TranscriptionJob


async def store(session: AsyncSession, *, job: TranscriptionJob, text: str) -> Reflection | None:
    """The transcript becomes the entry's text; the entry is then ready for review."""
    reflection = await session.get(Reflection, job.reflection_id)
    if reflection is None:
        return None
    reflection.text = text.strip()
    reflection.status = "ready"
    return reflection


async def mark_failed(session: AsyncSession, *, job: TranscriptionJob) -> None:
    reflection = await session.get(Reflection, job.reflection_id)
    if reflection is not None:
        reflection.status = "failed"

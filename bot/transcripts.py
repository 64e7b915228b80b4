"""Writing a finished transcription back onto its entry (or onto one part of a guided entry)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from bot import tags
from bot.tagging.tagger import Tagger
from storage.models import Reflection, TranscriptionJob


async def store(
    session: AsyncSession, *, job: TranscriptionJob, text: str, tagger: Tagger
) -> Reflection | None:
    """The transcript becomes the entry's text, tagged and ready for the tutor's review."""
    reflection = await session.get(Reflection, job.reflection_id)
    if reflection is None:
        return None
    reflection.text = text.strip()
    reflection.status = "ready"
    await tags.auto_tag(session, reflection=reflection, tagger=tagger)
    return reflection


async def mark_failed(session: AsyncSession, *, job: TranscriptionJob) -> None:
    reflection = await session.get(Reflection, job.reflection_id)
    if reflection is not None:
        reflection.status = "failed"

"""Writing a finished transcription back onto its entry (or onto one part of a guided entry)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from bot import guided, tags
from bot.tagging.tagger import Tagger
from storage.models import Reflection, TranscriptionJob


async def store(
    session: AsyncSession, *, job: TranscriptionJob, text: str, tagger: Tagger
) -> Reflection | None:
    """The transcript becomes the entry's text, tagged and ready for the tutor's review."""
    reflection = await session.get(Reflection, job.reflection_id)
    if reflection is None:
        return None
    if job.part_index is not None:
        await guided.fill_voice_answer(
            session,
            reflection=reflection,
            part_index=job.part_index,
            text=text.strip(),
            tagger=tagger,
        )
        return reflection
    reflection.text = text.strip()
    reflection.status = "ready"
    await tags.auto_tag(session, reflection=reflection, tagger=tagger)
    return reflection


async def mark_failed(session: AsyncSession, *, job: TranscriptionJob, tagger: Tagger) -> None:
    """A failed guided answer leaves the rest of the entry usable; a whole note marks the entry."""
    reflection = await session.get(Reflection, job.reflection_id)
    if reflection is None:
        return
    if job.part_index is None:
        reflection.status = "failed"
        return
    await guided.mark_voice_failed(
        session, reflection=reflection, part_index=job.part_index, tagger=tagger
    )

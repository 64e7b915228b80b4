"""Voice notes: what we accept, queueing the entry and its job together, and storing transcripts."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from bot.services import guided
from bot.services.entries import auto_tag
from bot.services.identity import Identity
from bot.tagging.tagger import Tagger
from storage import jobs as job_store
from storage import reflections as store
from storage.base import utcnow
from storage.models import Reflection, TranscriptionJob
from storage.vocabulary import AnswerSource, EntrySource, ReflectionStatus

TELEGRAM_DOWNLOAD_LIMIT = 20 * 1024 * 1024


@dataclass(frozen=True)
class VoiceNote:
    """The parts of a Telegram voice, audio, video note or audio document that we need."""

    kind: EntrySource
    file_id: str
    file_size: int | None
    duration_s: float | None


@dataclass(frozen=True)
class CapturedVoice:
    """The entry and its job; `acknowledged` when our answer to it was sent, or may have been."""

    reflection: Reflection
    job_id: int | None
    acknowledged: bool
    queue_position: int


def rejection(note: VoiceNote, max_seconds: int) -> str | None:
    """The message key explaining why we cannot take this recording, or None if we can."""
    if note.file_size is not None and note.file_size > TELEGRAM_DOWNLOAD_LIMIT:
        return "voice_too_big"
    if note.duration_s is not None and note.duration_s > max_seconds:
        return "voice_too_long"
    return None


async def capture(
    session: AsyncSession, *, who: Identity, chat_id: int, message_id: int, note: VoiceNote
) -> CapturedVoice:
    """The entry and its job appear together or not at all; a redelivery finds both."""
    reflection, is_new = await store.add_reflection(
        session=session,
        tutor_id=who.tutor_id,
        chat_id=chat_id,
        message_id=message_id,
        source=note.kind,
        share_level=who.default_share_level,
        status=ReflectionStatus.TRANSCRIBING,
        extra={"audio_duration_s": note.duration_s},
    )
    job_id = None
    if is_new:
        job_id = await enqueue_note(
            session, reflection_id=reflection.id, chat_id=chat_id, message_id=message_id, note=note
        )
    position = await job_store.queue_position(session=session, job_id=job_id) if job_id else 0
    acknowledged = (
        reflection.reply_message_id is not None or reflection.reply_started_at is not None
    )
    if not acknowledged:
        reflection.reply_started_at = (
            utcnow()
        )  # committed before the send: see entries.release_reply
    return CapturedVoice(reflection, job_id, acknowledged, position)


async def enqueue_note(
    session: AsyncSession,
    *,
    reflection_id: int,
    chat_id: int,
    message_id: int,
    note: VoiceNote,
    part_index: int | None = None,
) -> int | None:
    """Queues a recording; with `part_index` its transcript fills one guided answer."""
    return await job_store.enqueue(
        session=session,
        reflection_id=reflection_id,
        chat_id=chat_id,
        message_id=message_id,
        file_id=note.file_id,
        file_size=note.file_size,
        audio_duration_s=note.duration_s,
        part_index=part_index,
    )


async def guided_answer(
    session: AsyncSession,
    *,
    who: Identity,
    config: guided.Settings,
    chat_id: int,
    message_id: int,
    note: VoiceNote,
) -> guided.Turn | None:
    """A spoken answer holds its question's place now; its transcript fills it in later."""
    turn = await guided.answer(
        session,
        who=who,
        config=config,
        text=None,
        source=AnswerSource.VOICE,
        message_id=message_id,
    )
    if turn is not None and turn.reflection_id is not None and turn.part_index is not None:
        await enqueue_note(
            session,
            reflection_id=turn.reflection_id,
            part_index=turn.part_index,
            chat_id=chat_id,
            message_id=message_id,
            note=note,
        )
    return turn


async def store_transcript(
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
    reflection.status = ReflectionStatus.READY
    await auto_tag(session, reflection=reflection, tagger=tagger)
    return reflection


async def mark_failed(session: AsyncSession, *, job: TranscriptionJob, tagger: Tagger) -> None:
    """A failed guided answer leaves the rest of the entry usable; a whole note marks the entry."""
    reflection = await session.get(Reflection, job.reflection_id)
    if reflection is None:
        return
    if job.part_index is None:
        reflection.status = ReflectionStatus.FAILED
        return
    await guided.mark_voice_failed(
        session, reflection=reflection, part_index=job.part_index, tagger=tagger
    )

"""Voice capture rules: what we accept, and storing the entry and its job in one transaction."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from bot.settings import Settings
from storage import jobs, reflections
from storage.models import Reflection, Tutor

TELEGRAM_DOWNLOAD_LIMIT = 20 * 1024 * 1024


@dataclass(frozen=True)
class VoiceNote:
    """The parts of a Telegram voice, audio, video note or audio document that we need."""

    kind: str
    file_id: str
    file_size: int | None
    duration_s: float | None


@dataclass(frozen=True)
class CapturedVoice:
    reflection: Reflection
    job_id: int | None
    is_new: bool
    queue_position: int


def rejection(note: VoiceNote, settings: Settings) -> str | None:
    """The message key explaining why we cannot take this recording, or None if we can."""
    if note.file_size is not None and note.file_size > TELEGRAM_DOWNLOAD_LIMIT:
        return "voice_too_big"
    if note.duration_s is not None and note.duration_s > settings.max_voice_seconds:
        return "voice_too_long"
    return None


async def capture(
    session: AsyncSession, *, tutor: Tutor, chat_id: int, message_id: int, note: VoiceNote
) -> CapturedVoice:
    """The entry and its job appear together or not at all; a redelivery finds both."""
    reflection, is_new = await reflections.add_reflection(
        session,
        tutor_id=tutor.id,
        chat_id=chat_id,
        message_id=message_id,
        source=note.kind,
        share_level=tutor.default_share_level,
        status="transcribing",
        extra={"audio_duration_s": note.duration_s},
    )
    job_id = None
    if is_new:
        job_id = await enqueue_note(
            session, reflection_id=reflection.id, chat_id=chat_id, message_id=message_id, note=note
        )
    position = await jobs.queue_position(session, job_id=job_id) if job_id else 0
    return CapturedVoice(reflection, job_id, is_new, position)


async def remember_status_message(
    session: AsyncSession, *, reflection_id: int, message_id: int
) -> None:
    """The worker edits this message into the transcript when it is ready."""
    reflection = await session.get(Reflection, reflection_id)
    if reflection is not None and reflection.reply_message_id is None:
        reflection.reply_message_id = message_id


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
    return await jobs.enqueue(
        session,
        reflection_id=reflection_id,
        chat_id=chat_id,
        message_id=message_id,
        file_id=note.file_id,
        file_size=note.file_size,
        audio_duration_s=note.duration_s,
        part_index=part_index,
    )

"""Shows a finished job to the tutor: the status message becomes the transcript or a plain apology."""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Bot, InlineKeyboardMarkup
from telegram.error import BadRequest, TelegramError

from bot.database import Database
from bot.services.entries import review_of
from bot.tagging.codes import Codebook
from bot.views import keyboards
from bot.views.texts import Texts
from storage import jobs
from storage.models import Reflection, TranscriptionJob
from storage.vocabulary import FailureKind, GuidedPart, JobStatus, ReflectionStatus

logger = logging.getLogger(__name__)

MESSAGE_LIMIT = 4096
PREVIEW_CHARS = 600
FAILURE_TEXTS = {
    FailureKind.NO_SPEECH: "voice_no_speech",
    FailureKind.UNREADABLE: "voice_unreadable",
    FailureKind.ERROR: "voice_failed",
}


@dataclass(frozen=True)
class View:
    """What the tutor should see: text, buttons and, for long transcripts, a file."""

    text: str
    buttons: InlineKeyboardMarkup | None
    attachment: str | None = None


class Deliverer:
    """Owns the bot and the wording, so the worker and the bot's start-up sweep deliver alike."""

    def __init__(self, *, db: Database, bot: Bot, texts: Texts, codebook: Codebook) -> None:
        self.db, self.bot, self.texts, self.codebook = db, bot, texts, codebook

    async def deliver(self, job_id: int) -> bool:
        """True once the tutor has the result; False leaves it for the next sweep."""
        async with self.db.transaction() as session:
            job = await jobs.get_job(session, job_id=job_id)
            reflection = await session.get(Reflection, job.reflection_id) if job else None
            if job is None or reflection is None:
                return False
            view = await self._view(session, job, reflection)
            status_message_id = _status_message_id(job, reflection)
            summarise = job.part_index is not None and _guided_entry_ready(reflection)
            chat_id, reflection_id = reflection.chat_id, reflection.id
        try:
            await self._show(chat_id, status_message_id, view)
            if summarise:
                await self.send_review(chat_id, reflection_id, self.texts("guided_saved"))
        except TelegramError as error:
            logger.warning("could not deliver job %d yet: %s", job_id, error)
            return False
        async with self.db.transaction() as session:
            await jobs.mark_delivered(session, job_id=job_id)
        return True

    async def send_review(self, chat_id: int, reflection_id: int, text: str) -> None:
        """A message with the entry's review keyboard, remembered so it is sent only once."""
        async with self.db.transaction() as session:
            reflection = await session.get(Reflection, reflection_id)
            if reflection is None or reflection.reply_message_id is not None:
                return
            state = await review_of(session, reflection=reflection)
        keyboard = keyboards.review_keyboard(self.texts, self.codebook, state)
        sent = await self.bot.send_message(chat_id, text, reply_markup=keyboard)
        async with self.db.transaction() as session:
            reflection = await session.get(Reflection, reflection_id)
            if reflection is not None:
                reflection.reply_message_id = sent.message_id

    async def deliver_pending(self) -> int:
        """Catches up on results that finished while Telegram or the bot was unavailable."""
        async with self.db.transaction() as session:
            pending = [job.id for job in await jobs.undelivered(session)]
        delivered = [await self.deliver(job_id) for job_id in pending]
        return sum(delivered)

    async def _view(
        self, session: AsyncSession, job: TranscriptionJob, reflection: Reflection
    ) -> View:
        if job.status != JobStatus.DONE:
            keyboard = keyboards.failed_keyboard(self.texts, job.id, reflection.id)
            failure = FAILURE_TEXTS[job.failure_kind or FailureKind.ERROR]
            return View(self.texts(failure), keyboard)
        if job.part_index is not None:
            return View(self.texts("transcript", transcript=_part_answer(job, reflection)), None)
        state = await review_of(session, reflection=reflection)
        buttons = keyboards.review_keyboard(self.texts, self.codebook, state)
        return self._transcript_view(reflection.text or "", buttons)

    def _transcript_view(self, text: str, buttons: InlineKeyboardMarkup) -> View:
        full = self.texts("transcript", transcript=text)
        if len(full) <= MESSAGE_LIMIT:
            return View(full, buttons)
        preview = text[:PREVIEW_CHARS].rsplit(" ", 1)[0] + "…"
        return View(self.texts("transcript_long", preview=preview), buttons, attachment=text)

    async def _show(self, chat_id: int, status_message_id: int | None, view: View) -> None:
        if status_message_id is None:
            await self.bot.send_message(chat_id, view.text, reply_markup=view.buttons)
        else:
            await self._edit(chat_id, status_message_id, view)
        if view.attachment is not None:
            document = io.BytesIO(view.attachment.encode("utf-8"))
            await self.bot.send_document(chat_id, document, filename="reflection.txt")

    async def _edit(self, chat_id: int, message_id: int, view: View) -> None:
        """A no-op edit is a success; a deleted status message gets a fresh one instead."""
        try:
            await self.bot.edit_message_text(
                view.text, chat_id=chat_id, message_id=message_id, reply_markup=view.buttons
            )
        except BadRequest as error:
            reason = error.message.lower()
            if "not found" in reason:
                await self.bot.send_message(chat_id, view.text, reply_markup=view.buttons)
            elif "not modified" not in reason:
                raise


def _part(job: TranscriptionJob, reflection: Reflection) -> GuidedPart | None:
    parts = reflection.parts or []
    index = job.part_index if job.part_index is not None else -1
    return parts[index] if 0 <= index < len(parts) else None


def _part_answer(job: TranscriptionJob, reflection: Reflection) -> str:
    part = _part(job, reflection)
    return (part["answer"] or "") if part else ""


def _status_message_id(job: TranscriptionJob, reflection: Reflection) -> int | None:
    """A guided voice answer has its own status message; a whole voice note uses the entry's."""
    if job.part_index is None:
        return reflection.reply_message_id
    part = _part(job, reflection)
    return part.get("status_message_id") if part else None


def _guided_entry_ready(reflection: Reflection) -> bool:
    return reflection.status == ReflectionStatus.READY and reflection.reply_message_id is None

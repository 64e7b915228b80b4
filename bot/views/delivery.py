"""Shows a finished job to the tutor: the status message becomes the transcript or a plain apology."""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Bot, InlineKeyboardMarkup, ReplyParameters
from telegram.error import BadRequest, Forbidden, RetryAfter, TelegramError

from bot.database import Database
from bot.services.entries import Review, remember_reply, review_of
from bot.tagging.codes import Codebook
from bot.telegram_errors import retry_after_seconds
from bot.views import keyboards
from bot.views.progress import PROGRESS_MIN_SECONDS, ProgressMessage
from bot.views.review import with_summary
from bot.views.texts import Texts
from storage import deliveries, jobs
from storage.base import utcnow
from storage.models import Reflection, TranscriptionJob
from storage.vocabulary import FailureKind, GuidedPart, JobStatus, ReflectionStatus

logger = logging.getLogger(__name__)

MESSAGE_LIMIT = 4096
PREVIEW_CHARS = 600
CLAIM_SECONDS = 120.0
MAX_BACKOFF_SECONDS = 3600.0
SWEEP_BATCH = 50
ACK_WAIT = timedelta(seconds=1)
CHAT_GONE = ("chat not found", "user is deactivated", "bot was kicked", "peer_id_invalid")
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


@dataclass(frozen=True)
class Prepared:
    """Everything needed to show one result, read in one transaction before Telegram is called."""

    view: View
    chat_id: int
    reflection_id: int
    status_message_id: int | None
    summarise: bool
    voice_message_id: int
    whole_note: bool
    awaiting_acknowledgement: bool


def chat_gone(error: TelegramError) -> bool:
    """Forbidden means blocked or removed; some Bad Requests mean the chat no longer exists."""
    if isinstance(error, Forbidden):
        return True
    return isinstance(error, BadRequest) and any(
        reason in error.message.lower() for reason in CHAT_GONE
    )


class Deliverer:
    """Owns the bot and the wording, so the worker and its sweep deliver alike."""

    def __init__(
        self,
        *,
        db: Database,
        bot: Bot,
        texts: Texts,
        codebook: Codebook,
        retry_seconds: float,
        ack_grace: timedelta,
    ) -> None:
        """`ack_grace`: a status message not remembered by then was lost to a crash or a
        timeout, so the result is sent as a fresh message instead."""
        self.db, self.bot, self.texts, self.codebook = db, bot, texts, codebook
        self.retry_seconds, self.ack_grace = retry_seconds, ack_grace

    async def deliver(self, job_id: int) -> bool:
        """True once the tutor has the result; otherwise the sweep tries again after a pause."""
        now = utcnow()
        async with self.db.transaction() as session:
            until = now + timedelta(seconds=CLAIM_SECONDS)
            if not await deliveries.claim(session=session, job_id=job_id, now=now, until=until):
                return False
            prepared = await self._prepare(session, job_id)
            if prepared is not None and prepared.awaiting_acknowledgement:
                await deliveries.postpone(session=session, job_id=job_id, until=now + ACK_WAIT)
                return False
        if prepared is None:
            return False
        try:
            await self._show(prepared)
            if prepared.summarise:
                text = self.texts("guided_saved")
                await self.send_review(prepared.chat_id, prepared.reflection_id, text)
        except TelegramError as error:
            await self._failed(job_id, error)
            return False
        async with self.db.transaction() as session:
            await deliveries.delivered(session=session, job_id=job_id)
        return True

    async def progress_message(self, job: TranscriptionJob) -> ProgressMessage | None:
        """Where a long note's progress goes: its "transcribing…" message, once that exists."""
        if (job.audio_duration_s or 0) < PROGRESS_MIN_SECONDS:
            return None
        async with self.db.transaction() as session:
            reflection = await session.get(Reflection, job.reflection_id)
            message_id = _status_message_id(job, reflection) if reflection else None
        if message_id is None:
            return None
        return ProgressMessage(self.bot, self.texts, chat_id=job.chat_id, message_id=message_id)

    async def sweep(self, limit: int = SWEEP_BATCH) -> int:
        """Delivers whatever is due: results Telegram refused earlier, or finished while we were down."""
        async with self.db.transaction() as session:
            due = await deliveries.due(session=session, now=utcnow(), limit=limit)
        return sum([await self.deliver(job_id) for job_id in due])

    async def _prepare(self, session: AsyncSession, job_id: int) -> Prepared | None:
        job = await jobs.get_job(session=session, job_id=job_id)
        reflection = await session.get(Reflection, job.reflection_id) if job else None
        if job is None or reflection is None:
            return None
        return Prepared(
            view=await self._view(session, job, reflection),
            chat_id=reflection.chat_id,
            reflection_id=reflection.id,
            status_message_id=_status_message_id(job, reflection),
            summarise=job.part_index is not None and _guided_entry_ready(reflection),
            voice_message_id=job.message_id,
            whole_note=job.part_index is None,
            awaiting_acknowledgement=job.part_index is None
            and _acknowledging(reflection, self.ack_grace),
        )

    async def _failed(self, job_id: int, error: TelegramError) -> None:
        """A blocked bot or a vanished chat is final; anything else waits and tries again."""
        async with self.db.transaction() as session:
            if chat_gone(error):
                logger.info("job %d cannot be shown: %s", job_id, error.message)
                await deliveries.undeliverable(session=session, job_id=job_id)
                return
            job = await jobs.get_job(session=session, job_id=job_id)
            attempts = job.delivery_attempts if job else 0
            wait = min(self.retry_seconds * 2**attempts, MAX_BACKOFF_SECONDS)
            if isinstance(error, RetryAfter):
                wait = max(wait, retry_after_seconds(error))
            await deliveries.failed(
                session=session, job_id=job_id, retry_at=utcnow() + timedelta(seconds=wait)
            )
        logger.warning("could not deliver job %d yet (%s); next try in %.1fs", job_id, error, wait)

    async def send_review(self, chat_id: int, reflection_id: int, text: str) -> None:
        """A message with the entry's review keyboard, remembered so it is sent only once."""
        async with self.db.transaction() as session:
            reflection = await session.get(Reflection, reflection_id)
            if reflection is None or reflection.reply_message_id is not None:
                return
            state = await review_of(session, reflection=reflection)
        keyboard = keyboards.review_keyboard(self.texts, self.codebook, state)
        text = with_summary(self.texts, self.codebook, text, state)
        sent = await self.bot.send_message(chat_id, text, reply_markup=keyboard)
        async with self.db.transaction() as session:
            reflection = await session.get(Reflection, reflection_id)
            if reflection is not None:
                reflection.reply_message_id = sent.message_id

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
        return self._transcript_view(reflection.text or "", state)

    def _transcript_view(self, text: str, state: Review) -> View:
        """The transcript with the words for its tags; a long one as a file, with its start."""
        buttons = keyboards.review_keyboard(self.texts, self.codebook, state)
        full = with_summary(
            self.texts, self.codebook, self.texts("transcript", transcript=text), state
        )
        if len(full) <= MESSAGE_LIMIT:
            return View(full, buttons)
        preview = text[:PREVIEW_CHARS].rsplit(" ", 1)[0] + "…"
        start = self.texts("transcript_long", preview=preview)
        return View(with_summary(self.texts, self.codebook, start, state), buttons, attachment=text)

    async def _show(self, prepared: Prepared) -> None:
        chat_id, view = prepared.chat_id, prepared.view
        if prepared.status_message_id is None:
            await self._send_fresh(prepared)
        else:
            await self._edit(chat_id, prepared.status_message_id, view)
        if view.attachment is not None:
            document = io.BytesIO(view.attachment.encode("utf-8"))
            await self.bot.send_document(chat_id, document, filename="reflection.txt")

    async def _send_fresh(self, prepared: Prepared) -> None:
        """No status message to edit (a crash mid-send, say): answer the recording itself,
        and remember the answer so that a retry edits it rather than sending another."""
        sent = await self.bot.send_message(
            prepared.chat_id,
            prepared.view.text,
            reply_markup=prepared.view.buttons,
            reply_parameters=ReplyParameters(
                prepared.voice_message_id, allow_sending_without_reply=True
            ),
        )
        if prepared.whole_note:
            async with self.db.transaction() as session:
                await remember_reply(
                    session, reflection_id=prepared.reflection_id, message_id=sent.message_id
                )

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


def _acknowledging(reflection: Reflection, grace: timedelta) -> bool:
    """The "transcribing…" message is on its way: edit it when it lands, rather than race it."""
    started = reflection.reply_started_at
    return (
        reflection.reply_message_id is None and started is not None and utcnow() - started < grace
    )


def _guided_entry_ready(reflection: Reflection) -> bool:
    return reflection.status == ReflectionStatus.READY and reflection.reply_message_id is None

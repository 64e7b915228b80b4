"""Voice notes, audio files and video notes: accept, queue, reply at once; /retry."""

import math
from datetime import timedelta

from telegram import Audio, Document, Message, Update, VideoNote, Voice
from telegram.error import TelegramError
from telegram.ext import CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot.services import entries, voice
from bot.services.identity import Identity
from bot.state import AppState, BotApplication, Context
from bot.telegram_errors import maybe_delivered
from handlers.common import PRIVATE, answer_tap, state
from handlers.gate import requires
from storage.vocabulary import EntrySource

RECORDINGS = filters.VOICE | filters.AUDIO | filters.VIDEO_NOTE | filters.Document.AUDIO


def voice_note(message: Message) -> voice.VoiceNote:
    """Telegram has four shapes for a recording; the rest of the bot sees one."""
    media: Voice | Audio | VideoNote | Document
    if message.voice:
        media, kind = message.voice, EntrySource.VOICE
    elif message.audio:
        media, kind = message.audio, EntrySource.AUDIO
    elif message.video_note:
        media, kind = message.video_note, EntrySource.VIDEO_NOTE
    else:
        assert message.document
        media, kind = message.document, EntrySource.AUDIO
    return voice.VoiceNote(kind, media.file_id, media.file_size, _seconds(media))


def _seconds(media: Voice | Audio | VideoNote | Document) -> float | None:
    duration = getattr(media, "duration", None)
    if isinstance(duration, timedelta):
        return duration.total_seconds()
    return float(duration) if duration is not None else None


async def accepted_note(app: AppState, message: Message) -> voice.VoiceNote | None:
    """The recording, or None after kindly explaining why we cannot take it."""
    note = voice_note(message)
    problem = voice.rejection(note, app.settings.max_voice_seconds)
    if problem:
        await message.reply_text(rejection_text(app, problem, note))
        return None
    return note


@requires()
async def on_recording(update: Update, context: Context, who: Identity) -> None:
    app = state(context)
    message = update.effective_message
    assert message
    note = await accepted_note(app, message)
    if note is None:
        return
    async with app.db.transaction() as session:
        captured = await voice.capture(
            session, who=who, chat_id=message.chat_id, message_id=message.message_id, note=note
        )
    if not captured.acknowledged:  # a redelivery after a crash may still need its answer
        await _acknowledge(app, message, captured)


async def _acknowledge(app: AppState, message: Message, captured: voice.CapturedVoice) -> None:
    """Sent at most once: a status message sent twice leaves one copy forever "in the queue"."""
    ahead = captured.queue_position
    text = app.texts("voice_queued", position=ahead + 1) if ahead else app.texts("voice_received")
    try:
        status = await message.reply_text(text)
    except TelegramError as error:
        if not maybe_delivered(error):
            async with app.db.transaction() as session:
                await entries.release_reply(session, reflection_id=captured.reflection.id)
        raise
    async with app.db.transaction() as session:
        await entries.remember_reply(
            session, reflection_id=captured.reflection.id, message_id=status.message_id
        )
    wake_worker(app)


def wake_worker(app: AppState) -> None:
    """A new job need not wait for the worker's next poll."""
    if app.worker is not None:
        app.worker.wake()


def rejection_text(app: AppState, problem: str, note: voice.VoiceNote) -> str:
    minutes = math.ceil((note.duration_s or 0) / 60)
    limit = app.settings.max_voice_seconds // 60
    return (
        app.texts(problem, minutes=minutes, limit=limit)
        if problem == "voice_too_long"
        else app.texts(problem)
    )


@requires()
async def retry_command(update: Update, context: Context, who: Identity) -> None:
    await _retry(update, context, who, job_id=None)


@requires()
async def retry_button(update: Update, context: Context, who: Identity) -> None:
    query = update.callback_query
    assert query and query.data
    await answer_tap(query)
    await _retry(update, context, who, job_id=int(query.data.rsplit(":", 1)[1]))


async def _retry(update: Update, context: Context, who: Identity, *, job_id: int | None) -> None:
    app = state(context)
    message = update.effective_message
    assert message
    async with app.db.transaction() as session:
        count = await entries.retry_transcription(session, who=who, job_id=job_id)
    if not count:
        await message.reply_text(app.texts("nothing_to_retry"))
        return
    if update.callback_query:
        await update.callback_query.edit_message_text(app.texts("retrying"))
    else:
        await message.reply_text(app.texts("retrying"))
    wake_worker(app)


def register(app: BotApplication) -> None:
    app.add_handler(MessageHandler(PRIVATE & RECORDINGS, on_recording))
    app.add_handler(CommandHandler("retry", retry_command, filters=PRIVATE))
    app.add_handler(CallbackQueryHandler(retry_button, pattern=r"^vc:retry:\d+$"))

"""Typed reflections, their edits, and /history."""

import contextlib
from collections.abc import Awaitable, Callable
from typing import TypeVar
from zoneinfo import ZoneInfo

from telegram import Message, Update
from telegram.error import BadRequest
from telegram.ext import CommandHandler, MessageHandler, filters

from bot.services import edits, entries
from bot.services.identity import Identity
from bot.state import AppState, BotApplication, Context
from bot.views import keyboards
from handlers.common import EDITED, PRIVATE, state
from handlers.gate import requires

T = TypeVar("T")
TextService = Callable[..., Awaitable[T]]


async def _take_text(app: AppState, who: Identity, message: Message, service: TextService[T]) -> T:
    """A typed or edited message handed to its service in one transaction."""
    async with app.db.transaction() as session:
        return await service(
            session,
            who=who,
            chat_id=message.chat_id,
            message_id=message.message_id,
            text=message.text,
            tagger=app.tagger,
        )


@requires()
async def on_text(update: Update, context: Context, who: Identity) -> None:
    app = state(context)
    message = update.effective_message
    assert message and message.text
    outcome = await _take_text(app, who, message, entries.receive_text)
    if outcome.review is None:
        return  # Telegram delivered it again; the tutor already has our answer
    if outcome.kind == entries.TextKind.CORRECTED:
        text = app.texts("corrected")
    else:
        text = app.texts("reflection_saved", name=who.display_name, count=outcome.count_this_week)
    keyboard = keyboards.review_keyboard(app.texts, app.codebook, outcome.review)
    sent = await message.reply_text(text, reply_markup=keyboard)
    async with app.db.transaction() as session:
        await entries.remember_reply(
            session, reflection_id=outcome.reflection.id, message_id=sent.message_id
        )


@requires()
async def show_history(update: Update, context: Context, who: Identity) -> None:
    app = state(context)
    message = update.effective_message
    assert message
    async with app.db.transaction() as session:
        recent = await entries.history(session, who=who)
    zone = ZoneInfo(who.timezone)
    lines = [
        app.texts(
            "history_item",
            when=entry.created_at.astimezone(zone).strftime("%a %d %b %H:%M"),
            icon=entries.SOURCE_ICONS.get(entry.source, "•"),
            preview=entries.preview(entry.text) or "(transcribing…)",
            share=entry.share_level.replace("_", " "),
        )
        for entry in recent
    ]
    if not lines:
        await message.reply_text(app.texts("history_empty"))
        return
    header = app.texts("history_header", count=len(lines))
    await message.reply_text("\n".join([header, *lines]))


@requires()
async def on_edit(update: Update, context: Context, who: Identity) -> None:
    """An edited entry or guided answer is updated; other edits change nothing."""
    app = state(context)
    message = update.edited_message
    assert message and message.text
    outcome = await _take_text(app, who, message, edits.apply_edit)
    if outcome.kind == edits.EditKind.NOTHING:
        return
    if outcome.review is not None and outcome.reply_message_id is not None:
        keyboard = keyboards.review_keyboard(app.texts, app.codebook, outcome.review)
        # Unchanged tags, or the message is gone: the reply below still says it worked.
        with contextlib.suppress(BadRequest):
            await context.bot.edit_message_reply_markup(
                message.chat_id, outcome.reply_message_id, reply_markup=keyboard
            )
    key = "entry_edited" if outcome.kind == edits.EditKind.ENTRY else "answer_edited"
    await message.reply_text(app.texts(key))


def register(app: BotApplication) -> None:
    app.add_handler(MessageHandler(PRIVATE & filters.TEXT & ~filters.COMMAND, on_text))
    app.add_handler(MessageHandler(EDITED & filters.TEXT & ~filters.COMMAND, on_edit))
    app.add_handler(CommandHandler("history", show_history, filters=PRIVATE))

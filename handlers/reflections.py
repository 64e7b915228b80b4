"""Typed reflections, their edits, and /history."""

import contextlib
import re
from collections.abc import Awaitable, Callable
from typing import TypeVar

from telegram import Message, Update
from telegram.error import BadRequest
from telegram.ext import CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot.services import corrections, edits, entries
from bot.services.identity import Identity
from bot.state import AppState, BotApplication, Context
from bot.views import history, keyboards
from bot.views.review import with_summary
from handlers.common import EDITED, PRIVATE, answer_tap, state
from handlers.gate import requires

T = TypeVar("T")
ENTRY_NUMBER = re.compile(r"^/entry(?:@\w+)?[_ ]+#?(\d+)")
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
    if outcome.kind == entries.TextKind.FIX_NOT_FOUND:
        fix = corrections.as_fix(message.text)
        phrase = fix.old if fix else message.text[:40]
        await message.reply_text(app.texts("fix_not_found", phrase=phrase))
        return
    if outcome.review is None:
        return  # Telegram delivered it again; the tutor already has our answer
    if outcome.kind == entries.TextKind.CORRECTED:
        text = app.texts("corrected")
    else:
        text = app.texts("reflection_saved", name=who.display_name, count=outcome.count_this_week)
    keyboard = keyboards.review_keyboard(app.texts, app.codebook, outcome.review)
    text = with_summary(app.texts, app.codebook, text, outcome.review)
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
        items = await entries.history(session, who=who)
    if not items:
        await message.reply_text(app.texts("history_empty"))
        return
    await message.reply_text(
        history.history_text(app.texts, app.codebook, items, who.timezone),
        reply_markup=history.history_keyboard(items),
    )


@requires()
async def open_from_history(update: Update, context: Context, who: Identity) -> None:
    query = update.callback_query
    assert query and query.data
    await answer_tap(query)
    await _reopen(update, context, who, int(query.data.split(":")[1]))


@requires()
async def open_entry(update: Update, context: Context, who: Identity) -> None:
    """`/entry 12` or the tappable `/entry_12` that /history prints beside each entry."""
    message = update.effective_message
    assert message and message.text
    found = ENTRY_NUMBER.search(message.text)
    if found is None:
        await message.reply_text(state(context).texts("entry_usage"))
        return
    await _reopen(update, context, who, int(found.group(1)))


async def _reopen(update: Update, context: Context, who: Identity, reflection_id: int) -> None:
    """A fresh message with the entry and its buttons: tags, sharing and words fixable later."""
    app, chat = state(context), update.effective_chat
    assert chat
    async with app.db.transaction() as session:
        found = await entries.reopen(session, who=who, reflection_id=reflection_id)
    if found is None:
        await chat.send_message(app.texts("not_found"))
        return
    entry, review = found
    await chat.send_message(
        history.entry_text(app.texts, app.codebook, entry, review, who.timezone),
        reply_markup=history.entry_keyboard(app.texts, app.codebook, review),
    )


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
    app.add_handler(CommandHandler("entry", open_entry, filters=PRIVATE))
    app.add_handler(MessageHandler(PRIVATE & filters.Regex(r"^/entry_\d+(@\w+)?$"), open_entry))
    app.add_handler(CallbackQueryHandler(open_from_history, pattern=r"^hs:\d+$"))

"""Buttons under an entry: keep it, correct its text, or delete it (after a confirming tap)."""

from pathlib import Path

from telegram import Update
from telegram.ext import CallbackQueryHandler

from bot import entries, review
from bot.state import BotApplication, Context
from handlers.common import sender_tutor, state


def _reflection_id(update: Update) -> int:
    assert update.callback_query and update.callback_query.data
    return int(update.callback_query.data.rsplit(":", 1)[1])


async def keep(update: Update, context: Context) -> None:
    query = update.callback_query
    assert query
    await query.answer(state(context).texts("kept"))
    await query.edit_message_reply_markup(reply_markup=None)


async def correct(update: Update, context: Context) -> None:
    app = state(context)
    query = update.callback_query
    assert query and query.message
    async with app.db.transaction() as session:
        tutor = await sender_tutor(session, update)
        ok = tutor is not None and await entries.begin_correction(
            session, tutor=tutor, reflection_id=_reflection_id(update)
        )
    await query.answer()
    await context.bot.send_message(
        query.message.chat.id, app.texts("correct_prompt" if ok else "not_found")
    )


async def ask_delete(update: Update, context: Context) -> None:
    query = update.callback_query
    assert query
    await query.answer()
    keyboard = review.delete_keyboard(state(context).texts, _reflection_id(update))
    await query.edit_message_reply_markup(reply_markup=keyboard)


async def confirm_delete(update: Update, context: Context) -> None:
    app = state(context)
    query = update.callback_query
    assert query
    async with app.db.transaction() as session:
        tutor = await sender_tutor(session, update)
        files: list[Path] = []
        if tutor is not None:
            files = await entries.delete_entry(
                session, tutor=tutor, reflection_id=_reflection_id(update)
            )
    for path in files:
        path.unlink(missing_ok=True)
    await query.answer()
    await query.edit_message_text(app.texts("deleted"))


def register(app: BotApplication) -> None:
    app.add_handler(CallbackQueryHandler(keep, pattern=r"^rv:keep:\d+$"))
    app.add_handler(CallbackQueryHandler(correct, pattern=r"^rv:fix:\d+$"))
    app.add_handler(CallbackQueryHandler(ask_delete, pattern=r"^rv:del:\d+$"))
    app.add_handler(CallbackQueryHandler(confirm_delete, pattern=r"^rv:delok:\d+$"))

"""Typed reflections and /history."""

from zoneinfo import ZoneInfo

from telegram import Update
from telegram.ext import CommandHandler, MessageHandler, filters

from bot import entries, reflections
from bot.state import BotApplication, Context
from handlers.common import PRIVATE, sender_tutor, state


async def on_text(update: Update, context: Context) -> None:
    app = state(context)
    message = update.effective_message
    assert message and message.text
    async with app.db.transaction() as session:
        tutor = await sender_tutor(session, update)
        assert tutor is not None  # the onboarding gate let this through
        corrected = await entries.apply_correction(session, tutor=tutor, text=message.text)
        saved = None
        if corrected is None:
            saved = await reflections.save_text(
                session,
                tutor=tutor,
                chat_id=message.chat_id,
                message_id=message.message_id,
                text=message.text,
            )
        name = tutor.display_name
    if saved is None:
        await message.reply_text(app.texts("corrected"))
    elif saved.is_new:
        await message.reply_text(
            app.texts("reflection_saved", name=name, count=saved.count_this_week)
        )
    else:
        await message.reply_text(app.texts("reflection_duplicate"))


async def show_history(update: Update, context: Context) -> None:
    app = state(context)
    message = update.effective_message
    assert message
    async with app.db.transaction() as session:
        tutor = await sender_tutor(session, update)
        assert tutor is not None
        entries = await reflections.history(session, tutor=tutor)
        zone = ZoneInfo(tutor.timezone)
        lines = [
            app.texts(
                "history_item",
                when=entry.created_at.astimezone(zone).strftime("%a %d %b %H:%M"),
                icon=reflections.SOURCE_ICONS.get(entry.source, "•"),
                preview=reflections.preview(entry.text) or "(transcribing…)",
                share=entry.share_level.replace("_", " "),
            )
            for entry in entries
        ]
    if not lines:
        await message.reply_text(app.texts("history_empty"))
        return
    header = app.texts("history_header", count=len(lines))
    await message.reply_text("\n".join([header, *lines]))


def register(app: BotApplication) -> None:
    app.add_handler(MessageHandler(PRIVATE & filters.TEXT & ~filters.COMMAND, on_text))
    app.add_handler(CommandHandler("history", show_history, filters=PRIVATE))

"""Typed reflections and /history."""

from zoneinfo import ZoneInfo

from telegram import Update
from telegram.ext import CommandHandler, MessageHandler, filters

from bot import reflections, review, voice
from bot.state import BotApplication, Context
from handlers.common import PRIVATE, sender_tutor, state


async def on_text(update: Update, context: Context) -> None:
    app = state(context)
    message = update.effective_message
    assert message and message.text
    async with app.db.transaction() as session:
        tutor = await sender_tutor(session, update)
        assert tutor is not None  # the onboarding gate let this through
        outcome = await reflections.receive_text(
            session,
            tutor=tutor,
            chat_id=message.chat_id,
            message_id=message.message_id,
            text=message.text,
            tagger=app.tagger,
        )
        name = tutor.display_name
    if outcome.review is None:
        await message.reply_text(app.texts("reflection_duplicate"))
        return
    if outcome.kind == "corrected":
        text = app.texts("corrected")
    else:
        text = app.texts("reflection_saved", name=name, count=outcome.count_this_week)
    keyboard = review.review_keyboard(app.texts, app.codebook, outcome.review)
    sent = await message.reply_text(text, reply_markup=keyboard)
    async with app.db.transaction() as session:
        await voice.remember_status_message(
            session, reflection_id=outcome.reflection.id, message_id=sent.message_id
        )


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

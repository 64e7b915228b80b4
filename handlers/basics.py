"""/help, and kind answers to unknown commands and message types we cannot keep."""

from telegram import Update
from telegram.ext import CommandHandler, MessageHandler, filters

from bot.state import BotApplication, Context
from handlers.common import PRIVATE, state

UNSUPPORTED = (
    filters.Sticker.ALL
    | filters.PHOTO
    | filters.LOCATION
    | filters.CONTACT
    | filters.VIDEO
    | filters.ANIMATION
    | filters.POLL
    | filters.Dice.ALL
    | filters.VENUE
    | filters.Document.ALL
)


async def show_help(update: Update, context: Context) -> None:
    assert update.effective_message
    await update.effective_message.reply_text(state(context).texts("help"))


async def show_privacy(update: Update, context: Context) -> None:
    """Open to anyone, consented or not: people should know before they agree."""
    assert update.effective_message
    app = state(context)
    settings = app.settings
    audio = (
        app.texts("privacy_audio_kept", days=settings.audio_retention_days)
        if settings.audio_retention_days
        else app.texts("privacy_audio_deleted")
    )
    retention = (
        app.texts("privacy_keep_days", days=settings.reflection_retention_days)
        if settings.reflection_retention_days
        else app.texts("privacy_keep_until_deleted")
    )
    await update.effective_message.reply_text(
        app.texts("privacy", audio=audio, retention=retention)
    )


async def unknown_command(update: Update, context: Context) -> None:
    message = update.effective_message
    assert message and message.text
    command = message.text.split()[0].split("@")[0][:40]
    await message.reply_text(state(context).texts("unknown_command", command=command))


async def unsupported(update: Update, context: Context) -> None:
    assert update.effective_message
    await update.effective_message.reply_text(state(context).texts("unsupported_message"))


def register(app: BotApplication) -> None:
    app.add_handler(CommandHandler("help", show_help, filters=PRIVATE))
    app.add_handler(CommandHandler("privacy", show_privacy, filters=PRIVATE))
    app.add_handler(MessageHandler(PRIVATE & filters.COMMAND, unknown_command))
    app.add_handler(MessageHandler(PRIVATE & UNSUPPORTED, unsupported))

"""Small helpers every handler module shares: the typed state, chat filters, tap answers."""

import logging

from telegram import CallbackQuery
from telegram.error import TelegramError
from telegram.ext import filters

from bot.state import AppState, Context

logger = logging.getLogger(__name__)

# New messages in a private chat; an edit is its own kind of update, handled on purpose.
PRIVATE = filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE
EDITED = filters.ChatType.PRIVATE & filters.UpdateType.EDITED_MESSAGE


def state(context: Context) -> AppState:
    return context.bot_data


async def answer_tap(query: CallbackQuery, text: str | None = None, *, alert: bool = False) -> None:
    """Stops the button's spinner; if Telegram fails us, the tap's real work still goes ahead."""
    try:
        await query.answer(text, show_alert=alert)
    except TelegramError as error:
        logger.info("could not answer a button tap (%s); carrying on", type(error).__name__)

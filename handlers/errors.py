"""The one error handler: log with context, never the reflection text, and tell the user kindly."""

import logging

from telegram import Update
from telegram.error import Forbidden, NetworkError

from bot.state import BotApplication, Context
from handlers.common import state

logger = logging.getLogger(__name__)


async def on_error(update: object, context: Context) -> None:
    error = context.error
    details = _describe(update)
    if isinstance(error, Forbidden):
        logger.info("user blocked the bot or left the chat (%s)", details)
        return
    if isinstance(error, NetworkError) and not isinstance(update, Update):
        logger.warning("network trouble talking to Telegram: %s", error)
        return
    logger.error("error handling update (%s)", details, exc_info=error)
    if isinstance(update, Update) and update.effective_chat:
        await _apologise(update, context)


async def _apologise(update: Update, context: Context) -> None:
    """Best effort: if even the apology fails, the log already has what we need."""
    assert update.effective_chat
    try:
        await update.effective_chat.send_message(state(context).texts("error"))
    except Exception:
        logger.warning("could not send the apology to chat %s", update.effective_chat.id)


def _describe(update: object) -> str:
    """Ids and kinds only: reflection text must never reach the logs."""
    if not isinstance(update, Update):
        return "no update"
    kind = "callback" if update.callback_query else "message"
    chat = update.effective_chat.id if update.effective_chat else None
    user = update.effective_user.id if update.effective_user else None
    return f"update_id={update.update_id} kind={kind} chat={chat} user={user}"


def register(app: BotApplication) -> None:
    app.add_error_handler(on_error)

"""The one error handler: log with context, never the reflection text, and tell the user kindly."""

import logging

from telegram import Update
from telegram.error import Forbidden
from telegram.ext import ApplicationHandlerStop

from bot.services import entries
from bot.state import BotApplication, Context
from bot.telegram_errors import maybe_delivered, transient
from handlers.common import state

logger = logging.getLogger(__name__)


async def on_error(update: object, context: Context) -> None:
    error = context.error
    details = _describe(update)
    if not isinstance(update, Update):
        logger.warning("trouble outside any update: %s", type(error).__name__, exc_info=error)
        return
    if isinstance(error, Forbidden):
        logger.info("user blocked the bot or left the chat (%s)", details)
        raise ApplicationHandlerStop
    if maybe_delivered(error):
        logger.warning(
            "Telegram answered too late (%s); it most likely arrived, so not repeated", details
        )
        raise ApplicationHandlerStop
    retrying = transient(error) and update.message is not None
    retrying = retrying and state(context).inbox.try_again(update)
    if retrying:
        logger.warning("Telegram failed mid-update (%s): %s; running it again", details, error)
    else:
        logger.error("error handling update (%s)", details, exc_info=error)
    if update.effective_chat:
        await _apologise(update, context, retrying=retrying)
    # A failed guided answer must not go on to be stored as an entry of its own as well.
    raise ApplicationHandlerStop


async def _apologise(update: Update, context: Context, *, retrying: bool) -> None:
    """Best effort, and never "try again" when the tutor's words are already safe."""
    assert update.effective_chat
    try:
        key = await _apology_key(update, context, retrying=retrying)
        await update.effective_chat.send_message(state(context).texts(key))
    except Exception:
        logger.warning("could not send the apology to chat %s", update.effective_chat.id)


async def _apology_key(update: Update, context: Context, *, retrying: bool) -> str:
    message = update.message
    if message is not None:
        async with state(context).db.transaction() as session:
            saved = await entries.is_saved(
                session, chat_id=message.chat_id, message_id=message.message_id
            )
        if saved:
            return "error_saved_retrying" if retrying else "error_but_saved"
    return "error_retrying" if retrying else "error"


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

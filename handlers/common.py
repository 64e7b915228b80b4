"""Small helpers every handler module shares: the typed state and the private-chat filter."""

from telegram.ext import filters

from bot.state import AppState, Context

# New messages in a private chat; an edit is its own kind of update, handled on purpose.
PRIVATE = filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE
EDITED = filters.ChatType.PRIVATE & filters.UpdateType.EDITED_MESSAGE


def state(context: Context) -> AppState:
    return context.bot_data

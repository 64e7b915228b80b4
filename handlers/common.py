"""Small helpers every handler module shares: the typed state and the private-chat filter."""

from telegram.ext import filters

from bot.state import AppState, Context

PRIVATE = filters.ChatType.PRIVATE


def state(context: Context) -> AppState:
    return context.bot_data

"""Small helpers every handler module shares: the typed state and the sender's tutor row."""

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Update
from telegram.ext import filters

from bot.state import AppState, Context
from storage import tutors
from storage.models import Tutor

PRIVATE = filters.ChatType.PRIVATE


def state(context: Context) -> AppState:
    return context.bot_data


async def sender_tutor(session: AsyncSession, update: Update) -> Tutor | None:
    """The tutor row of whoever sent this update, if they have consented."""
    user = update.effective_user
    if user is None:
        return None
    return await tutors.get_tutor(session, telegram_user_id=user.id)

"""Check-ins as they go out: after a session, or a daily or weekly reminder.

Each is weighed again just before it goes: a tutor who has paused since it was planned, or
has already reflected, is left in peace.
"""

from __future__ import annotations

from functools import partial

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Bot, InlineKeyboardMarkup
from telegram.error import TelegramError

from bot.services.prompt_schedule import is_paused
from bot.services.prompt_sets import PromptSet
from bot.telegram_errors import maybe_delivered
from bot.views.keyboards import button
from bot.views.schedule import session_name
from bot.views.scheduled_sender import Delivery
from bot.views.texts import Texts
from storage import reflections
from storage.base import utcnow
from storage.models import ScheduledSend, TeachingSession, Tutor
from storage.vocabulary import SendKind

QUICK_SET, FULL_SET, WEEKLY_SET = "quick", "session", "weekly"


class NudgeOutgoing:
    """Prompts and reminders: one short message, answered by simply replying."""

    def __init__(self, *, bot: Bot, texts: Texts, prompt_sets: dict[str, PromptSet]) -> None:
        self.bot, self.texts, self.prompt_sets = bot, texts, prompt_sets

    async def prepare(self, session: AsyncSession, row: ScheduledSend) -> Delivery | None:
        tutor = await session.get(Tutor, row.tutor_id) if row.tutor_id else None
        if tutor is None or is_paused(tutor, utcnow()) or await _reflected(session, row, tutor):
            return None
        text = await self._text(session, row)
        if text is None:
            return None
        return partial(self._deliver, row.chat_id, text, self._keyboard(row.kind))

    async def _text(self, session: AsyncSession, row: ScheduledSend) -> str | None:
        if row.kind == SendKind.DAILY_REMINDER:
            return self.texts("prompt_daily")
        if row.kind == SendKind.WEEKLY_REMINDER:
            return self.texts("prompt_weekly")
        taught = await session.get(TeachingSession, int(row.key.split(":")[1]))
        if taught is None:
            return None
        question = self.prompt_sets[QUICK_SET].questions[0]
        return self.texts(
            "prompt_after_session",
            session=session_name(taught),
            question=question.text,
            hint=question.hint or "",
        ).strip()

    def _keyboard(self, kind: SendKind) -> InlineKeyboardMarkup:
        weekly = kind == SendKind.WEEKLY_REMINDER
        label = "prompt_weekly_button" if weekly else "prompt_full_button"
        set_id = WEEKLY_SET if weekly else FULL_SET
        return InlineKeyboardMarkup(
            [
                [button(self.texts(label), f"nd:set:{set_id}")],
                [button(self.texts("prompt_pause_button"), "nd:pause")],
            ]
        )

    async def _deliver(self, chat_id: int, text: str, keyboard: InlineKeyboardMarkup) -> None:
        try:
            await self.bot.send_message(chat_id, text, reply_markup=keyboard)
        except TelegramError as error:
            if not maybe_delivered(error):
                raise


async def _reflected(session: AsyncSession, row: ScheduledSend, tutor: Tutor) -> bool:
    since = row.quiet_if_reflected_since
    return (
        since is not None
        and await reflections.count_since(session=session, tutor_id=tutor.id, since=since) > 0
    )

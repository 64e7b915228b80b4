"""Shows how far a long voice note's transcription has got, on its "transcribing…" message."""

from __future__ import annotations

import logging

from telegram import Bot
from telegram.error import TelegramError

from bot.views.texts import Texts

logger = logging.getLogger(__name__)

PROGRESS_MIN_SECONDS = 20.0  # a shorter note is done before a percentage would help
STEP_PERCENT = 10  # each edit must say something new, and Telegram limits edits per chat


class ProgressMessage:
    """Fed from the transcribing thread, shown from the event loop; never raises."""

    def __init__(self, bot: Bot, texts: Texts, *, chat_id: int, message_id: int) -> None:
        self.bot, self.texts = bot, texts
        self.chat_id, self.message_id = chat_id, message_id
        self._done = 0.0  # written by one thread, read by the loop: a float swap is atomic
        self._shown = 0

    def update(self, done: float) -> None:
        """The transcriber's callback: only remembers, so the model never waits on Telegram."""
        self._done = done

    async def show(self) -> None:
        """Edits the message when the rounded share has moved on; 100% is left to delivery."""
        percent = int(self._done * 100) // STEP_PERCENT * STEP_PERCENT
        if percent < self._shown + STEP_PERCENT or percent >= 100:
            return
        self._shown = percent
        try:
            await self.bot.edit_message_text(
                self.texts("voice_progress", percent=percent),
                chat_id=self.chat_id,
                message_id=self.message_id,
            )
        except TelegramError as error:  # progress is a courtesy; the transcript still comes
            logger.info("progress edit skipped: %s", type(error).__name__)

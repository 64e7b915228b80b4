"""Button taps waiting for the bot's answerCallbackQuery, kept so the page can show the toast."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets

from bot.sandbox.models import CallbackRecord

logger = logging.getLogger(__name__)

MAX_CALLBACKS = 1000


class CallbackBook:
    """Recent taps by query id; the oldest are forgotten past the cap."""

    def __init__(self) -> None:
        self._records: dict[str, CallbackRecord] = {}
        self._base = secrets.randbelow(10**12) * 10**6

    def record(self, user_id: int, chat_id: int, message_id: int, data: str) -> CallbackRecord:
        self._base += 1
        record = CallbackRecord(str(self._base), user_id, chat_id, message_id, data)
        self._records[record.id] = record
        if len(self._records) > MAX_CALLBACKS:
            del self._records[next(iter(self._records))]
        return record

    def get(self, query_id: str) -> CallbackRecord | None:
        return self._records.get(query_id)

    async def wait_answer(self, record: CallbackRecord, seconds: float) -> None:
        """Let the page hold one request open until the bot answers, instead of polling."""
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(seconds):
                await record.answered.wait()

    def clear(self) -> None:
        self._records.clear()

"""Updates from different chats run concurrently; updates within one chat keep their order."""

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from telegram.ext import BaseUpdateProcessor


class PerChatUpdateProcessor(BaseUpdateProcessor):
    """A tutor's name must be saved before their time zone, but tutors need not wait for each other."""

    def __init__(
        self,
        max_concurrent_updates: int = 64,
        *,
        on_handled: Callable[[object], Awaitable[None]] | None = None,
    ) -> None:
        super().__init__(max_concurrent_updates)
        self._locks: dict[int, asyncio.Lock] = {}
        self._waiting: dict[int, int] = {}
        self._on_handled = on_handled

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        key = _chat_key(update)
        lock = self._locks.setdefault(key, asyncio.Lock())
        self._waiting[key] = self._waiting.get(key, 0) + 1
        try:
            async with lock:
                await coroutine
                if self._on_handled is not None:
                    await self._on_handled(update)
        finally:
            self._release(key)

    def _release(self, key: int) -> None:
        """Forgets a chat's lock once nobody waits on it, so memory stays bounded."""
        self._waiting[key] -= 1
        if self._waiting[key] == 0:
            del self._waiting[key]
            del self._locks[key]

    async def initialize(self) -> None:
        """Nothing to set up; the locks are made on demand."""

    async def shutdown(self) -> None:
        """Nothing to tear down; PTB waits for running updates itself."""


def _chat_key(update: object) -> int:
    chat = getattr(update, "effective_chat", None)
    return int(chat.id) if chat is not None else 0

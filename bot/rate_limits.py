"""Telegram's flood limits, waited out per chat: one tutor's 429 never stalls everyone else."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Coroutine
from datetime import timedelta
from typing import Any

from telegram.error import RetryAfter
from telegram.ext import AIORateLimiter

logger = logging.getLogger(__name__)

JSONResult = bool | dict[str, Any] | list[dict[str, Any]]
MAX_REMEMBERED_CHATS = 1000


class PerChatRateLimiter(AIORateLimiter):
    """PTB's limiter, except that a 429 pauses only the chat it was about.

    PTB's own limiter holds back every request until any chat's `retry_after` has passed, so a
    20-second wait for one tutor froze all of them. An absurd `retry_after` is not waited for
    at all: the call fails, and the update or delivery is tried again later.
    """

    def __init__(self, *, max_retries: int = 3, max_wait_seconds: float = 30.0) -> None:
        super().__init__(max_retries=max_retries)
        self.max_wait_seconds = max_wait_seconds
        self._free_at: dict[object, float] = {}

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, JSONResult]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> JSONResult:
        chat_id = data.get("chat_id")
        retries = rate_limit_args or self._max_retries
        for attempt in range(retries + 1):
            await self._wait_for(chat_id)
            try:
                return await self._run_request(  # PTB's overall and per-group limits
                    chat=chat_id is not None,
                    group=_group(chat_id),
                    allow_paid_broadcast=bool(data.get("allow_paid_broadcast", False)),
                    callback=callback,
                    args=args,
                    kwargs=kwargs,
                )
            except RetryAfter as error:
                wait = retry_after_seconds(error)
                if attempt == retries or wait > self.max_wait_seconds:
                    raise
                self._pause(chat_id, wait)
                logger.info("flood limit on %s: that chat waits %.1fs", endpoint, wait)
        raise AssertionError("unreachable: the last attempt returns or raises")

    async def _wait_for(self, chat_id: object) -> None:
        free_at = self._free_at.get(chat_id)
        if free_at is not None:
            await asyncio.sleep(max(0.0, free_at - asyncio.get_running_loop().time()))

    def _pause(self, chat_id: object, seconds: float) -> None:
        now = asyncio.get_running_loop().time()
        if len(self._free_at) > MAX_REMEMBERED_CHATS:
            self._free_at = {key: at for key, at in self._free_at.items() if at > now}
        self._free_at[chat_id] = now + seconds + 0.1


def _group(chat_id: object) -> int | str | bool:
    """PTB's per-group limit applies to negative ids and @channel names."""
    with contextlib.suppress(ValueError, TypeError):
        chat_id = int(chat_id)  # type: ignore[call-overload]
    if isinstance(chat_id, str) or (isinstance(chat_id, int) and chat_id < 0):
        return chat_id
    return False


def retry_after_seconds(error: RetryAfter) -> float:
    """PTB gives `retry_after` as seconds or as a timedelta, depending on its settings."""
    value: int | timedelta = error.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)

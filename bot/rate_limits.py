"""How every Bot API call is made: flood waits per chat, and safe calls tried again."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Coroutine
from typing import Any

from telegram.error import BadRequest, RetryAfter, TelegramError
from telegram.ext import AIORateLimiter

from bot.telegram_errors import retry_after_seconds, transient

logger = logging.getLogger(__name__)

JSONResult = bool | dict[str, Any] | list[dict[str, Any]]
MAX_REMEMBERED_CHATS = 1000
# Calls that change nothing when made twice, so a 5xx or a timeout can simply be tried again.
# Sends are not here: a send that may have landed is the update's to retry, not ours.
REPEATABLE = frozenset(
    {"editMessageText", "editMessageReplyMarkup", "getFile", "setMyCommands", "sendChatAction"}
)
REPEAT_PAUSES = (0.5, 1.0, 2.0)


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
        repeated = False
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
            except BadRequest as error:
                if repeated and "not modified" in error.message.lower():
                    return True  # the first try had worked after all
                raise
            except TelegramError as error:
                if attempt == retries or not _repeatable(endpoint, error):
                    raise
                repeated = True
                logger.info("%s failed (%s); trying again", endpoint, type(error).__name__)
                await asyncio.sleep(REPEAT_PAUSES[min(attempt, len(REPEAT_PAUSES) - 1)])
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


def _repeatable(endpoint: str, error: TelegramError) -> bool:
    return endpoint in REPEATABLE and transient(error) and not isinstance(error, RetryAfter)

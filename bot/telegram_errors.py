"""What a failed Bot API call tells us: try again, give up, or assume it arrived."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta

import httpx
from telegram.error import BadRequest, NetworkError, RetryAfter, TelegramError, TimedOut

logger = logging.getLogger(__name__)


def retry_after_seconds(error: RetryAfter) -> float:
    """PTB gives `retry_after` as seconds or as a timedelta, depending on its settings."""
    value: int | timedelta = error.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


def transient(error: object) -> bool:
    """Telegram down, slow or asking us to wait: the same call will likely work shortly.

    PTB files a Bad Request under NetworkError too; that one would fail again, so it is final.
    """
    return isinstance(error, NetworkError | RetryAfter) and not isinstance(error, BadRequest)


def maybe_delivered(error: object) -> bool:
    """Telegram took the whole request but answered too late: it most likely acted on it.

    Telegram has no idempotency keys, so sending again would show the tutor the same message
    twice. A connect or pool timeout, by contrast, means the request never left us.
    """
    return isinstance(error, TimedOut) and isinstance(error.__cause__, httpx.ReadTimeout)


async def patiently(
    action: Callable[[], Awaitable[object]], *, what: str, max_wait: float = 30.0
) -> None:
    """Start-up calls wait for Telegram to come back; only a refusal stops the bot."""
    wait = 1.0
    while True:
        try:
            await action()
            return
        except RetryAfter as error:
            pause, reason = min(retry_after_seconds(error), 10 * max_wait), "flood wait"
        except TelegramError as error:
            if not transient(error):
                raise
            pause, reason, wait = wait, type(error).__name__, min(wait * 2, max_wait)
        logger.warning(
            "Telegram did not answer %s (%s); trying again in %.0fs", what, reason, pause
        )
        await asyncio.sleep(pause)

"""Injected failures: the next calls of a method fail the way Telegram would fail them."""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from dataclasses import dataclass

from bot.sandbox.errors import ApiError

logger = logging.getLogger(__name__)

MAX_FAULTS_PER_METHOD = 1000
FILE_DOWNLOAD = "file"  # not a Bot API method: the download a bot makes after getFile


@dataclass(frozen=True)
class Fault:
    """One planned failure: a slow answer, an error, or both (a slow error is a timeout).

    `retry_after` adds Telegram's flood-wait parameter to an error.
    """

    error_code: int | None
    description: str
    retry_after: int | None = None
    delay_seconds: float = 0.0

    async def strike(self) -> None:
        """Waits as planned, then raises the planned error, if there is one."""
        if self.delay_seconds:
            await asyncio.sleep(self.delay_seconds)
        if self.error_code is not None:
            raise ApiError(self.error_code, self.description, self.retry_after)


class FaultBook:
    """Planned failures per method name; Telegram method names ignore case."""

    def __init__(self) -> None:
        self._planned: dict[str, deque[Fault]] = {}

    def plan(self, method: str, fault: Fault, count: int) -> None:
        queue = self._planned.setdefault(method.lower(), deque(maxlen=MAX_FAULTS_PER_METHOD))
        queue.extend([fault] * count)

    def take(self, method: str) -> Fault | None:
        queue = self._planned.get(method.lower())
        return queue.popleft() if queue else None

    def clear(self) -> None:
        self._planned.clear()

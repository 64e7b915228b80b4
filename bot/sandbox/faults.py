"""Injected failures: the next calls of a method fail the way Telegram would fail them."""

from __future__ import annotations

import logging
from collections import deque
from dataclasses import dataclass

from bot.sandbox.errors import ApiError

logger = logging.getLogger(__name__)

MAX_FAULTS_PER_METHOD = 1000


@dataclass(frozen=True)
class Fault:
    """One planned failure; `retry_after` adds Telegram's flood-wait parameter."""

    error_code: int
    description: str
    retry_after: int | None = None

    def error(self) -> ApiError:
        return ApiError(self.error_code, self.description, self.retry_after)


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

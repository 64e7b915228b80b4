"""Telegram's flood limits: a bot that sends faster than Telegram allows is told to wait (429)."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

from bot.sandbox.errors import ApiError
from bot.sandbox.models import Chat

MAX_BUCKETS = 10_000


@dataclass(frozen=True)
class FloodLimits:
    """About one message a second per private chat (a burst of ten is tolerated), 20 a minute
    per group, and 30 a second over all chats, as Telegram documents for bots."""

    private_per_second: float = 1.0
    private_burst: int = 10
    group_per_minute: int = 20
    overall_per_second: int = 30


class Bucket:
    """A token bucket: `capacity` sends at once, refilled at `rate` a second."""

    def __init__(self, capacity: float, rate: float) -> None:
        self.capacity, self.rate = capacity, rate
        self.tokens, self.updated = capacity, time.monotonic()

    def wait_needed(self) -> float:
        """Seconds until a send is allowed; takes the token when it is allowed now."""
        now = time.monotonic()
        self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        if self.tokens >= 1:
            self.tokens -= 1
            return 0.0
        return (1 - self.tokens) / self.rate


class FloodGate:
    """Buckets per chat and one overall; `limits = None` switches flood control off."""

    def __init__(self, limits: FloodLimits | None = FloodLimits()) -> None:
        self.limits = limits
        self._chats: dict[int, Bucket] = {}
        self._overall: Bucket | None = None

    def check(self, chat: Chat) -> None:
        """Raises Telegram's 429, with the whole seconds to wait, when a send comes too soon."""
        if self.limits is None:
            return
        wait = max(self._overall_bucket().wait_needed(), self._chat_bucket(chat).wait_needed())
        if wait > 0:
            seconds = max(1, math.ceil(wait))
            raise ApiError(429, f"Too Many Requests: retry after {seconds}", seconds)

    def _overall_bucket(self) -> Bucket:
        assert self.limits is not None
        if self._overall is None:
            rate = self.limits.overall_per_second
            self._overall = Bucket(rate, rate)
        return self._overall

    def _chat_bucket(self, chat: Chat) -> Bucket:
        assert self.limits is not None
        bucket = self._chats.get(chat.id)
        if bucket is None:
            if len(self._chats) >= MAX_BUCKETS:
                self._chats.clear()
            if chat.is_group:
                per_minute = self.limits.group_per_minute
                bucket = Bucket(per_minute, per_minute / 60)
            else:
                bucket = Bucket(self.limits.private_burst, self.limits.private_per_second)
            self._chats[chat.id] = bucket
        return bucket

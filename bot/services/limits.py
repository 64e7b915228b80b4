"""Per-person rate limits, so one account cannot flood the bot with commands or recordings."""

from __future__ import annotations

import time
from collections import deque
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Limit:
    """At most `count` actions of one kind in any `seconds`-long window."""

    count: int
    seconds: float


COMMANDS = Limit(count=30, seconds=60)
RECORDINGS = Limit(count=20, seconds=600)
MAX_PEOPLE = 10_000


@dataclass
class RateLimits:
    """Sliding windows per (person, kind); lives in the bot process, forgets idle people."""

    _seen: dict[tuple[int, str], deque[float]] = field(default_factory=dict)
    _warned: set[tuple[int, str]] = field(default_factory=set)

    def allow(self, user_id: int, kind: str, limit: Limit) -> bool:
        """Records the action and says whether it is within the limit."""
        now = time.monotonic()
        key = (user_id, kind)
        window = self._seen.setdefault(key, deque())
        while window and now - window[0] > limit.seconds:
            window.popleft()
        if len(window) >= limit.count:
            return False
        window.append(now)
        self._warned.discard(key)
        self._forget_idle(now, limit.seconds)
        return True

    def first_refusal(self, user_id: int, kind: str) -> bool:
        """True once per burst, so the person is told to slow down once, not on every message."""
        key = (user_id, kind)
        if key in self._warned:
            return False
        self._warned.add(key)
        return True

    def _forget_idle(self, now: float, seconds: float) -> None:
        if len(self._seen) > MAX_PEOPLE:
            self._seen = {k: w for k, w in self._seen.items() if w and now - w[-1] <= seconds}

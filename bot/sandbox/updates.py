"""The bot's update queue with real long polling, confirmed by offset exactly like Telegram."""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from bot.sandbox.errors import ApiError
from bot.sandbox.models import JsonDict

logger = logging.getLogger(__name__)

MAX_PENDING_UPDATES = 10_000
MAX_POLL_SECONDS = 50.0
DEFAULT_ALLOWED = frozenset(
    {"message", "edited_message", "callback_query", "my_chat_member", "channel_post"}
)
CONFLICT = (
    "Conflict: terminated by other getUpdates request; "
    "make sure that only one bot instance is running"
)


@dataclass(frozen=True)
class Update:
    """One update; `kind` is its payload's key, used for allowed_updates."""

    update_id: int
    kind: str
    payload: JsonDict

    def to_json(self) -> JsonDict:
        return {"update_id": self.update_id, self.kind: self.payload}


class UpdateQueue:
    """Pending updates; ids keep growing across resets so a running bot's offset stays valid."""

    def __init__(self) -> None:
        self._pending: deque[Update] = deque(maxlen=MAX_PENDING_UPDATES)
        self._next_id = 1
        self._allowed: frozenset[str] = DEFAULT_ALLOWED
        self._changed = asyncio.Condition()
        self._poll_ticket = 0
        self._released = False

    async def push(self, kind: str, payload: JsonDict) -> int:
        update = Update(self._next_id, kind, payload)
        self._next_id += 1
        async with self._changed:
            self._pending.append(update)
            self._changed.notify_all()
        return update.update_id

    def set_allowed(self, allowed: list[str] | None) -> None:
        """An omitted list keeps the previous choice; an empty one means the default set."""
        if allowed is not None:
            self._allowed = frozenset(allowed) if allowed else DEFAULT_ALLOWED

    def confirm(self, offset: int | None) -> None:
        """Forget what the bot has seen; a negative offset keeps only the last few."""
        if offset is None or offset == 0:
            return
        if offset < 0:
            keep = list(self._pending)[offset:]
            self._pending.clear()
            self._pending.extend(keep)
            return
        while self._pending and self._pending[0].update_id < offset:
            self._pending.popleft()

    async def poll(self, limit: int, wait_seconds: float) -> list[JsonDict]:
        """Wait until something is pending or the timeout passes; a newer poll ends this one."""
        self._drop_unwanted()
        async with self._changed:
            self._poll_ticket += 1
            ticket = self._poll_ticket
            self._changed.notify_all()
            await self._wait(lambda: self._ready() or ticket != self._poll_ticket, wait_seconds)
            if ticket != self._poll_ticket:
                raise ApiError(409, CONFLICT)
        self._drop_unwanted()
        return [update.to_json() for update in list(self._pending)[:limit]]

    def _ready(self) -> bool:
        return bool(self._pending) or self._released

    async def _wait(self, ready: Callable[[], bool], wait_seconds: float) -> None:
        try:
            async with asyncio.timeout(min(wait_seconds, MAX_POLL_SECONDS)):
                await self._changed.wait_for(ready)
        except TimeoutError:
            pass

    def _drop_unwanted(self) -> None:
        """Telegram never keeps updates of kinds the bot did not ask for."""
        if any(update.kind not in self._allowed for update in self._pending):
            kept = [update for update in self._pending if update.kind in self._allowed]
            self._pending.clear()
            self._pending.extend(kept)

    def pending_count(self) -> int:
        return len(self._pending)

    async def clear(self) -> None:
        """Drop everything and wake pollers so they answer at once."""
        async with self._changed:
            self._pending.clear()
            self._changed.notify_all()

    async def release_pollers(self) -> None:
        """At shutdown, answer waiting polls at once so the server can stop promptly."""
        async with self._changed:
            self._released = True
            self._changed.notify_all()

    def resume_waiting(self) -> None:
        """A server starting again may hold polls open once more."""
        self._released = False

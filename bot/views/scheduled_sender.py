"""Sends what the bot owes people on a schedule: digests, prompts and reminders.

The database, not the scheduler, remembers what was planned and sent: each tick plans what
has fallen due under unique keys, then claims and sends one row at a time, so restarts,
moved clocks and a second process by mistake never send anything twice.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession
from telegram.error import RetryAfter, TelegramError

from bot.database import Database
from bot.telegram_errors import retry_after_seconds
from bot.views.delivery import chat_gone
from storage import sends
from storage.base import utcnow
from storage.models import ScheduledSend
from storage.vocabulary import SendKind, SendStatus

logger = logging.getLogger(__name__)

BATCH = 50
CLAIM = timedelta(minutes=2)
MAX_BACKOFF = timedelta(hours=1)

Planner = Callable[[AsyncSession, datetime], Awaitable[int]]
Delivery = Callable[[], Awaitable[None]]


class Outgoing(Protocol):
    """One kind of scheduled message: decides, inside a transaction, whether it still goes
    and what it says; the returned delivery then talks to Telegram outside it."""

    async def prepare(self, session: AsyncSession, row: ScheduledSend) -> Delivery | None: ...


class ScheduledSender:
    """Run by the JobQueue every few seconds, so a restart just carries on."""

    def __init__(
        self,
        *,
        db: Database,
        planners: Sequence[Planner],
        outgoing: Mapping[SendKind, Outgoing],
        retry_seconds: float,
    ) -> None:
        self.db, self.planners, self.outgoing = db, planners, outgoing
        self.retry_seconds = retry_seconds

    async def tick(self) -> int:
        """Plans whatever has fallen due, then sends it; returns how many went out."""
        async with self.db.transaction() as session:
            for plan in self.planners:
                await plan(session, utcnow())
            due = await sends.due(session=session, now=utcnow(), limit=BATCH)
        return sum([await self.send(send_id) for send_id in due])

    async def send(self, send_id: int) -> bool:
        now = utcnow()
        async with self.db.transaction() as session:
            if not await sends.claim(session=session, send_id=send_id, now=now, until=now + CLAIM):
                return False
            row = await sends.get(session=session, send_id=send_id)
            delivery = await self.outgoing[row.kind].prepare(session, row) if row else None
        if row is None or delivery is None:
            await self._finish(send_id, SendStatus.SKIPPED)
            return False
        try:
            await delivery()
        except TelegramError as error:
            await self._failed(row, error)
            return False
        await self._finish(send_id, SendStatus.SENT)
        return True

    async def _finish(self, send_id: int, status: SendStatus) -> None:
        async with self.db.transaction() as session:
            await sends.mark(session=session, send_id=send_id, status=status, sent_at=utcnow())

    async def _failed(self, row: ScheduledSend, error: TelegramError) -> None:
        """A blocked bot or a vanished chat is final; anything else waits and tries again."""
        if chat_gone(error):
            logger.info(
                "%s send %d cannot be delivered: %s", row.kind, row.id, type(error).__name__
            )
            await self._finish(row.id, SendStatus.UNDELIVERABLE)
            return
        wait = timedelta(seconds=self.retry_seconds * 2**row.attempts)
        if isinstance(error, RetryAfter):
            wait = max(wait, timedelta(seconds=retry_after_seconds(error)))
        async with self.db.transaction() as session:
            await sends.mark(
                session=session,
                send_id=row.id,
                attempts=row.attempts + 1,
                retry_at=utcnow() + min(wait, MAX_BACKOFF),
            )
        logger.warning(
            "%s send %d failed (%s); trying again", row.kind, row.id, type(error).__name__
        )

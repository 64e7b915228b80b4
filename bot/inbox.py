"""The durable inbox: PTB confirms an update to Telegram only after it sits in our database."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

from telegram import Bot, Update

from bot.database import Database
from storage import inbox
from storage.base import utcnow

logger = logging.getLogger(__name__)

# Telegram keeps an unconfirmed update for a day; until then it may send a handled one again.
REMEMBER_HANDLED = timedelta(days=1)
STORE_ATTEMPTS = 6


class DurableUpdateQueue(asyncio.Queue[object]):
    """PTB's update queue, written through to the database.

    Polling puts every update here before its next getUpdates confirms the batch, and the
    webhook puts it here before answering 200, so a stored update is never lost to a crash.
    """

    def __init__(self, *, retry_seconds: float = 5.0, max_retries: int = 3) -> None:
        super().__init__()
        self.db: Database | None = None
        self.retry_seconds, self.max_retries = retry_seconds, max_retries
        self._retries: dict[int, int] = {}
        self._again: set[int] = set()

    async def put(self, item: object) -> None:
        if isinstance(item, Update) and self.db is not None and not await self._keep(item):
            return  # already waiting in the inbox, and replayed from there
        await super().put(item)

    async def _keep(self, update: Update) -> bool:
        """Stores the update, waiting out a database hiccup (polling waits too, so nothing is
        confirmed to Telegram meanwhile); past that, it is handled unstored rather than lost."""
        for attempt in range(STORE_ATTEMPTS):
            try:
                return await self._store(update)
            except Exception as error:
                logger.warning(
                    "inbox write failed for update %d: %s", update.update_id, type(error).__name__
                )
                await asyncio.sleep(min(0.2 * 2**attempt, 5.0))
        logger.error(
            "update %d handled without the inbox after %d failed writes",
            update.update_id,
            STORE_ATTEMPTS,
        )
        return True

    async def _store(self, update: Update) -> bool:
        assert self.db is not None
        chat = update.effective_chat
        async with self.db.transaction() as session:
            return await inbox.accept(
                session=session,
                update_id=update.update_id,
                chat_id=chat.id if chat else None,
                payload=update.to_dict(),
            )

    async def replay(self, bot: Bot) -> int:
        """Updates received before a crash but never handled go to the front of the queue."""
        assert self.db is not None
        async with self.db.transaction() as session:
            await inbox.forget_handled(session=session, before=utcnow() - REMEMBER_HANDLED)
            payloads = [row.payload for row in await inbox.waiting(session=session) if row.payload]
        for payload in payloads:
            update = Update.de_json(payload, bot)
            if update is not None:
                await super().put(update)
        if payloads:
            logger.info("replaying %d update(s) received before the last stop", len(payloads))
        return len(payloads)

    def try_again(self, update: Update) -> bool:
        """Telegram failed us mid-update: keep it and run it again shortly; False if given up."""
        attempts = self._retries.get(update.update_id, 0) + 1
        if attempts > self.max_retries:
            return False
        self._retries[update.update_id] = attempts
        self._again.add(update.update_id)
        return True

    async def handled(self, update: object) -> None:
        """The update's handlers have all run: it leaves the inbox, or waits for another go."""
        if not isinstance(update, Update) or self.db is None:
            return
        if update.update_id in self._again:
            self._again.discard(update.update_id)
            delay = self.retry_seconds * 2 ** (self._retries[update.update_id] - 1)
            asyncio.get_running_loop().call_later(delay, super().put_nowait, update)
            logger.info("update %d will run again in %.1fs", update.update_id, delay)
            return
        self._retries.pop(update.update_id, None)
        async with self.db.transaction() as session:
            await inbox.finish(session=session, update_ids=[update.update_id])
        logger.debug("update %d handled", update.update_id)

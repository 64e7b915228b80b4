"""The durable inbox: PTB confirms an update to Telegram only after it sits in our database."""

from __future__ import annotations

import asyncio
import logging

from telegram import Bot, Update

from bot.database import Database
from storage import inbox

logger = logging.getLogger(__name__)


class DurableUpdateQueue(asyncio.Queue[object]):
    """PTB's update queue, written through to the database.

    Polling puts every update here before its next getUpdates confirms the batch, and the
    webhook puts it here before answering 200, so a stored update is never lost to a crash.
    """

    def __init__(self) -> None:
        super().__init__()
        self.db: Database | None = None

    async def put(self, item: object) -> None:
        if isinstance(item, Update) and self.db is not None and not await self._store(item):
            return  # already waiting in the inbox, and replayed from there
        await super().put(item)

    async def _store(self, update: Update) -> bool:
        assert self.db is not None
        chat = update.effective_chat
        async with self.db.transaction() as session:
            return await inbox.accept(
                session,
                update_id=update.update_id,
                chat_id=chat.id if chat else None,
                payload=update.to_dict(),
            )

    async def replay(self, bot: Bot) -> int:
        """Updates received before a crash but never handled go to the front of the queue."""
        assert self.db is not None
        async with self.db.transaction() as session:
            payloads = [row.payload for row in await inbox.waiting(session)]
        for payload in payloads:
            update = Update.de_json(payload, bot)
            if update is not None:
                await super().put(update)
        if payloads:
            logger.info("replaying %d update(s) received before the last stop", len(payloads))
        return len(payloads)

    async def handled(self, update: object) -> None:
        """The update's handlers have all run; it can leave the inbox."""
        if isinstance(update, Update) and self.db is not None:
            async with self.db.transaction() as session:
                await inbox.finish(session, update_ids=[update.update_id])
            logger.debug("update %d handled", update.update_id)

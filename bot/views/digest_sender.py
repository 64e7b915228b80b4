"""Sends planned digests: chart first, then text, each step remembered so nothing goes twice."""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Bot
from telegram.error import RetryAfter, TelegramError

from bot.database import Database
from bot.services import digest_schedule, digests
from bot.services.digest_questions import DigestQuestions
from bot.tagging.codes import Codebook
from bot.telegram_errors import maybe_delivered, retry_after_seconds
from bot.views.delivery import chat_gone
from bot.views.digest import digest_text, outcome_chart, outcome_line
from bot.views.texts import Texts
from storage import sends
from storage.base import utcnow
from storage.models import ScheduledSend
from storage.vocabulary import SendStatus

logger = logging.getLogger(__name__)

BATCH = 50
CLAIM = timedelta(minutes=2)
MAX_BACKOFF = timedelta(hours=1)


@dataclass(frozen=True)
class Rendered:
    chart: bytes
    caption: str
    text: str


class DigestSender:
    """Plans what is due and sends it; run by the JobQueue, so a restart just carries on."""

    def __init__(
        self,
        *,
        db: Database,
        bot: Bot,
        texts: Texts,
        codebook: Codebook,
        questions: DigestQuestions,
        retry_seconds: float,
    ) -> None:
        self.db, self.bot, self.texts, self.codebook = db, bot, texts, codebook
        self.questions, self.retry_seconds = questions, retry_seconds

    async def tick(self) -> int:
        """Plans newly due digests, then sends whatever is due; returns how many went out."""
        async with self.db.transaction() as session:
            await digest_schedule.plan_due(session, now=utcnow())
            due = await sends.due(session, now=utcnow(), limit=BATCH)
        return sum([await self.send(send_id) for send_id in due])

    async def send(self, send_id: int) -> bool:
        now = utcnow()
        async with self.db.transaction() as session:
            if not await sends.claim(session, send_id=send_id, now=now, until=now + CLAIM):
                return False
            row = await sends.get(session, send_id=send_id)
            rendered = await self._render(session, row) if row else None
        if row is None or rendered is None:
            await self._finish(send_id, SendStatus.SKIPPED)
            return False
        try:
            await self._deliver(row, rendered)
        except TelegramError as error:
            await self._failed(row, error)
            return False
        await self._finish(send_id, SendStatus.SENT)
        return True

    async def _render(self, session: AsyncSession, row: ScheduledSend) -> Rendered | None:
        assert row.group_id is not None
        digest = await digests.build(
            session,
            group_id=row.group_id,
            week=digests.Week.parse(row.period),
            for_lead=row.for_lead,
            codebook=self.codebook,
        )
        if digest is None:
            return None
        question = self.questions.for_challenge(digests.main_challenge(digest))
        return Rendered(
            chart=outcome_chart(self.codebook, digest),
            caption=outcome_line(self.texts, self.codebook, digest),
            text=digest_text(self.texts, self.codebook, digest, question),
        )

    async def _deliver(self, row: ScheduledSend, rendered: Rendered) -> None:
        if not row.photo_sent:
            try:
                await self.bot.send_photo(
                    row.chat_id, io.BytesIO(rendered.chart), caption=rendered.caption
                )
            except TelegramError as error:
                if not maybe_delivered(error):
                    raise
            async with self.db.transaction() as session:
                await sends.mark(session, send_id=row.id, photo_sent=True)
        try:
            await self.bot.send_message(row.chat_id, rendered.text)
        except TelegramError as error:
            if not maybe_delivered(error):
                raise

    async def _finish(self, send_id: int, status: SendStatus) -> None:
        async with self.db.transaction() as session:
            await sends.mark(session, send_id=send_id, status=status, sent_at=utcnow())

    async def _failed(self, row: ScheduledSend, error: TelegramError) -> None:
        """A blocked bot or a vanished chat is final; anything else waits and tries again."""
        if chat_gone(error):
            logger.info("digest send %d cannot be delivered: %s", row.id, type(error).__name__)
            await self._finish(row.id, SendStatus.UNDELIVERABLE)
            return
        wait = timedelta(seconds=self.retry_seconds * 2**row.attempts)
        if isinstance(error, RetryAfter):
            wait = max(wait, timedelta(seconds=retry_after_seconds(error)))
        async with self.db.transaction() as session:
            await sends.mark(
                session,
                send_id=row.id,
                attempts=row.attempts + 1,
                retry_at=utcnow() + min(wait, MAX_BACKOFF),
            )
        logger.warning("digest send %d failed (%s); trying again", row.id, type(error).__name__)

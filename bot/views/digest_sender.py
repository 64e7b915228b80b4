"""A planned digest as it goes out: chart first, then text, each step remembered."""

from __future__ import annotations

import io
from functools import partial

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Bot
from telegram.error import TelegramError

from bot.database import Database
from bot.services import digests
from bot.services.digest_questions import DigestQuestions
from bot.tagging.codes import Codebook
from bot.telegram_errors import maybe_delivered
from bot.views.digest import digest_text, outcome_chart, outcome_line
from bot.views.scheduled_sender import Delivery
from bot.views.texts import Texts
from storage import sends
from storage.models import ScheduledSend


class DigestOutgoing:
    """Renders a group's week for one recipient; an empty week is skipped."""

    def __init__(
        self,
        *,
        db: Database,
        bot: Bot,
        texts: Texts,
        codebook: Codebook,
        questions: DigestQuestions,
    ) -> None:
        self.db, self.bot, self.texts, self.codebook = db, bot, texts, codebook
        self.questions = questions

    async def prepare(self, session: AsyncSession, row: ScheduledSend) -> Delivery | None:
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
        return partial(
            self._deliver,
            row,
            chart=outcome_chart(self.codebook, digest),
            caption=outcome_line(self.texts, self.codebook, digest),
            text=digest_text(self.texts, self.codebook, digest, question),
        )

    async def _deliver(self, row: ScheduledSend, *, chart: bytes, caption: str, text: str) -> None:
        """A send that timed out after Telegram had it is not sent again."""
        if not row.photo_sent:
            try:
                await self.bot.send_photo(row.chat_id, io.BytesIO(chart), caption=caption)
            except TelegramError as error:
                if not maybe_delivered(error):
                    raise
            async with self.db.transaction() as session:
                await sends.mark(session=session, send_id=row.id, photo_sent=True)
        try:
            await self.bot.send_message(row.chat_id, text)
        except TelegramError as error:
            if not maybe_delivered(error):
                raise

"""Saving and listing reflections; handlers call these inside one transaction."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot import entries, tags
from bot.review import Review
from bot.tagging.tagger import Tagger
from storage import reflections
from storage.base import utcnow
from storage.models import Reflection, Tutor

SOURCE_ICONS = {"text": "✍️", "voice": "🎙", "audio": "🎧", "video_note": "📹", "guided": "🧭"}


@dataclass(frozen=True)
class TextOutcome:
    """What became of a typed message: a new entry, a duplicate, or a correction."""

    kind: str
    reflection: Reflection
    count_this_week: int
    review: Review | None


async def receive_text(
    session: AsyncSession, *, tutor: Tutor, chat_id: int, message_id: int, text: str, tagger: Tagger
) -> TextOutcome:
    """A pending correction takes the text; otherwise it is a new entry, tagged at once."""
    corrected = await entries.apply_correction(session, tutor=tutor, text=text)
    if corrected is not None:
        review = await tags.auto_tag(session, reflection=corrected, tagger=tagger)
        return TextOutcome("corrected", corrected, 0, review)
    saved = await save_text(session, tutor=tutor, chat_id=chat_id, message_id=message_id, text=text)
    if not saved.is_new:
        return TextOutcome("duplicate", saved.reflection, saved.count_this_week, None)
    review = await tags.auto_tag(session, reflection=saved.reflection, tagger=tagger)
    return TextOutcome("saved", saved.reflection, saved.count_this_week, review)


@dataclass(frozen=True)
class SavedReflection:
    """What the acknowledgement needs: the entry, whether it was new, and this week's count."""

    reflection: Reflection
    is_new: bool
    count_this_week: int


async def save_text(
    session: AsyncSession, *, tutor: Tutor, chat_id: int, message_id: int, text: str
) -> SavedReflection:
    reflection, is_new = await reflections.add_reflection(
        session,
        tutor_id=tutor.id,
        chat_id=chat_id,
        message_id=message_id,
        source="text",
        share_level=tutor.default_share_level,
        text=text,
    )
    count = await count_since(session, tutor=tutor, since=start_of_week(tutor.timezone))
    return SavedReflection(reflection, is_new, count)


async def count_since(session: AsyncSession, *, tutor: Tutor, since: datetime) -> int:
    result = await session.execute(
        select(func.count())
        .select_from(Reflection)
        .where(Reflection.tutor_id == tutor.id, Reflection.created_at >= since)
    )
    return int(result.scalar_one())


def start_of_week(timezone: str, now: datetime | None = None) -> datetime:
    """Monday 00:00 in the tutor's own zone, so "this week" means their week."""
    local = (now or utcnow()).astimezone(ZoneInfo(timezone))
    monday = (local - timedelta(days=local.weekday())).replace(
        hour=0, minute=0, second=0, microsecond=0
    )
    return monday


async def history(session: AsyncSession, *, tutor: Tutor, limit: int = 5) -> Sequence[Reflection]:
    return await reflections.recent_reflections(session, tutor_id=tutor.id, limit=limit)


def preview(text: str | None, width: int = 70) -> str:
    """A one-line glimpse of an entry for lists; full text stays in the entry itself."""
    flat = " ".join((text or "").split())
    return flat if len(flat) <= width else flat[: width - 1].rstrip() + "…"

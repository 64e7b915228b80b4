"""A tutor's entries: saving, listing, tagging, correcting, sharing and deleting them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.identity import Identity
from bot.tagging.codes import Codebook
from bot.tagging.tagger import Tagger
from storage import jobs as job_store
from storage import reflections as store
from storage import tags as tag_store
from storage import tutors as tutor_store
from storage.base import utcnow
from storage.models import Reflection, Tutor
from storage.vocabulary import AwaitingKind, EntrySource, ReflectionStatus, ShareLevel

SOURCE_ICONS = {
    EntrySource.TEXT: "✍️",
    EntrySource.VOICE: "🎙",
    EntrySource.AUDIO: "🎧",
    EntrySource.VIDEO_NOTE: "📹",
    EntrySource.GUIDED: "🧭",
    EntrySource.WHATSAPP: "💬",
}


@dataclass(frozen=True)
class Review:
    """What the review keyboard shows for one entry."""

    reflection_id: int
    applied: frozenset[str]
    share_level: ShareLevel
    expanded: bool = False


class TextKind(StrEnum):
    """What became of a typed message."""

    SAVED = "saved"
    DUPLICATE = "duplicate"
    CORRECTED = "corrected"


@dataclass(frozen=True)
class TextOutcome:
    """A typed message's fate, with what the acknowledgement needs."""

    kind: TextKind
    reflection: Reflection
    count_this_week: int
    review: Review | None


async def receive_text(
    session: AsyncSession,
    *,
    who: Identity,
    chat_id: int,
    message_id: int,
    text: str,
    tagger: Tagger,
) -> TextOutcome:
    """A pending correction takes the text; otherwise it is a new entry, tagged at once."""
    if who.is_awaiting(AwaitingKind.CORRECTION):
        tutor = await tutor_store.require(session, tutor_id=who.tutor_id)
        corrected = await apply_correction(session, tutor=tutor, text=text)
        if corrected is not None:
            review = await auto_tag(session, reflection=corrected, tagger=tagger)
            return TextOutcome(TextKind.CORRECTED, corrected, 0, review)
    reflection, is_new = await store.add_reflection(
        session,
        tutor_id=who.tutor_id,
        chat_id=chat_id,
        message_id=message_id,
        source=EntrySource.TEXT,
        share_level=who.default_share_level,
        text=text,
    )
    since = start_of_week(who.timezone)
    count = await store.count_since(session, tutor_id=who.tutor_id, since=since)
    if not is_new and reflection.reply_message_id is not None:
        return TextOutcome(TextKind.DUPLICATE, reflection, count, None)
    # New, or redelivered after a crash that came before the tutor saw our answer.
    review = await auto_tag(session, reflection=reflection, tagger=tagger)
    return TextOutcome(TextKind.SAVED, reflection, count, review)


def start_of_week(timezone: str, now: datetime | None = None) -> datetime:
    """Monday 00:00 in the tutor's own zone, so "this week" means their week."""
    local = (now or utcnow()).astimezone(ZoneInfo(timezone))
    monday = (local - timedelta(days=local.weekday())).replace(
        hour=0, minute=0, second=0, microsecond=0
    )
    return monday


async def history(session: AsyncSession, *, who: Identity, limit: int = 5) -> Sequence[Reflection]:
    return await store.recent_reflections(session, tutor_id=who.tutor_id, limit=limit)


def preview(text: str | None, width: int = 70) -> str:
    """A one-line glimpse of an entry for lists; full text stays in the entry itself."""
    flat = " ".join((text or "").split())
    return flat if len(flat) <= width else flat[: width - 1].rstrip() + "…"


async def is_saved(session: AsyncSession, *, chat_id: int, message_id: int) -> bool:
    """Whether this message became an entry, so an apology never asks for it again."""
    return await store.get_by_message(session, chat_id=chat_id, message_id=message_id) is not None


async def remember_reply(session: AsyncSession, *, reflection_id: int, message_id: int) -> None:
    """The message with the entry's buttons; the worker edits it into the transcript later."""
    reflection = await session.get(Reflection, reflection_id)
    if reflection is not None and reflection.reply_message_id is None:
        reflection.reply_message_id = message_id


async def release_reply(session: AsyncSession, *, reflection_id: int) -> None:
    """Telegram certainly refused the status message, so the retried update may send it again."""
    reflection = await session.get(Reflection, reflection_id)
    if reflection is not None and reflection.reply_message_id is None:
        reflection.reply_started_at = None


# Tags and the review keyboard's state


async def auto_tag(session: AsyncSession, *, reflection: Reflection, tagger: Tagger) -> Review:
    """Tags the entry's current text; returns the review it now needs, saving a second read."""
    result = tagger.tag(reflection.text or "")
    suggestions = [
        tag_store.Suggestion(
            code=match.code,
            kind=match.kind,
            confidence=round(match.confidence, 3),
            evidence=[[start, end] for start, end in match.evidence],
        )
        for match in result.codes.values()
        if match.applies
    ]
    await tag_store.replace_suggestions(
        session, reflection_id=reflection.id, suggestions=suggestions
    )
    return await review_of(session, reflection=reflection)


async def review_of(
    session: AsyncSession, *, reflection: Reflection, expanded: bool = False
) -> Review:
    """The review keyboard's state, read fresh so every tap shows the truth."""
    rows = await tag_store.tags_for(session, reflection_id=reflection.id)
    codes = frozenset(tag_store.applied_codes(rows))
    return Review(reflection.id, codes, reflection.share_level, expanded)


@dataclass(frozen=True)
class ReviewChange:
    """One tap on the review keyboard: a tag to flip, the share level to move on, or neither."""

    code: str | None = None
    cycle_share: bool = False
    expanded: bool = False


async def change_review(
    session: AsyncSession,
    *,
    who: Identity,
    reflection_id: int,
    change: ReviewChange,
    codebook: Codebook,
) -> Review | None:
    """Applies the tap as the entry's author; None when the entry is not theirs (or is gone)."""
    entry = await own_entry(session, who=who, reflection_id=reflection_id)
    if entry is None:
        return None
    known = codebook.get(change.code) if change.code else None
    if known is not None:
        await tag_store.toggle(session, reflection_id=entry.id, code=known.id, kind=known.kind)
    if change.cycle_share:
        entry.share_level = entry.share_level.next()
    return await review_of(session, reflection=entry, expanded=change.expanded)


async def confirm_tags(session: AsyncSession, *, who: Identity, reflection_id: int) -> bool:
    """The tutor is happy with the tags; False when the entry is not theirs."""
    entry = await own_entry(session, who=who, reflection_id=reflection_id)
    if entry is not None:
        entry.tags_confirmed = True
    return entry is not None


# One entry's lifecycle: correct, delete, retry


async def own_entry(
    session: AsyncSession, *, who: Identity, reflection_id: int
) -> Reflection | None:
    return await store.get_reflection(session, reflection_id=reflection_id, tutor_id=who.tutor_id)


async def begin_correction(session: AsyncSession, *, who: Identity, reflection_id: int) -> bool:
    """The tutor's next text message will replace this entry's text."""
    if await own_entry(session, who=who, reflection_id=reflection_id) is None:
        return False
    await tutor_store.set_awaiting(
        session,
        tutor_id=who.tutor_id,
        awaiting={"kind": AwaitingKind.CORRECTION, "reflection_id": reflection_id},
    )
    return True


async def apply_correction(session: AsyncSession, *, tutor: Tutor, text: str) -> Reflection | None:
    """Returns the corrected entry, or None when no correction was pending."""
    awaiting = tutor.awaiting
    if awaiting is None or awaiting["kind"] != AwaitingKind.CORRECTION:
        return None
    tutor.awaiting = None
    entry = await store.get_reflection(
        session, reflection_id=int(awaiting["reflection_id"]), tutor_id=tutor.id
    )
    if entry is not None:
        entry.text = text
        entry.status = ReflectionStatus.READY
    return entry


async def delete_entry(
    session: AsyncSession, *, who: Identity, reflection_id: int
) -> list[Path] | None:
    """Deletes the entry (tags and jobs cascade); returns audio files to remove after commit.

    None means there was nothing of this tutor's to delete.
    """
    entry = await own_entry(session, who=who, reflection_id=reflection_id)
    if entry is None:
        return None
    paths = await job_store.audio_paths(session, reflection_ids=[entry.id])
    await session.delete(entry)
    return [Path(path) for path in paths]


async def retry_transcription(session: AsyncSession, *, who: Identity, job_id: int | None) -> int:
    """Retries one failed job of this tutor's, or all of them when no id is given."""
    failed = await job_store.failed_jobs(session, tutor_id=who.tutor_id)
    chosen = [job for job in failed if job_id is None or job.id == job_id]
    for job in chosen:
        await job_store.retry_failed(session, job_id=job.id)
        entry = await session.get(Reflection, job.reflection_id)
        if entry is not None:
            entry.status = ReflectionStatus.TRANSCRIBING
    return len(chosen)

"""A tutor's entries: saving, listing, tagging, correcting, sharing and deleting them."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.services import corrections
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


class ReviewPanel(StrEnum):
    """What the buttons under an entry are showing: its tags, the share picker, or a question."""

    TAGS = "tags"
    SHARE = "share"
    CONFIRM_SHARE = "confirm_share"
    CONFIRM_DELETE = "confirm_delete"


@dataclass(frozen=True)
class Review:
    """What the review keyboard shows for one entry."""

    reflection_id: int
    applied: frozenset[str]
    share_level: ShareLevel
    expanded: bool = False
    suggested: frozenset[str] = frozenset()  # every code the entry ever had, ticked or not
    panel: ReviewPanel = ReviewPanel.TAGS
    pending_share: ShareLevel | None = None  # the level a confirmation is asking about
    preview: str = ""  # the entry's first words, for the delete question


def needs_confirmation(current: ShareLevel, wanted: ShareLevel) -> bool:
    """Widening beyond the lead to the group is asked about once, in words, before it happens."""
    return wanted.reaches_group and wanted.openness > current.openness


class TextKind(StrEnum):
    """What became of a typed message."""

    SAVED = "saved"
    DUPLICATE = "duplicate"
    CORRECTED = "corrected"
    FIX_NOT_FOUND = "fix_not_found"  # "old → new", but the entry has no "old"


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
        tutor = await tutor_store.require(session=session, tutor_id=who.tutor_id)
        corrected = await apply_correction(session, tutor=tutor, text=text)
        if corrected is not None and corrected.missed:
            return TextOutcome(TextKind.FIX_NOT_FOUND, corrected.entry, 0, None)
        if corrected is not None:
            review = await auto_tag(session, reflection=corrected.entry, tagger=tagger)
            return TextOutcome(TextKind.CORRECTED, corrected.entry, 0, review)
    reflection, is_new = await store.add_reflection(
        session=session,
        tutor_id=who.tutor_id,
        chat_id=chat_id,
        message_id=message_id,
        source=EntrySource.TEXT,
        share_level=who.default_share_level,
        text=text,
    )
    since = start_of_week(who.timezone)
    count = await store.count_since(session=session, tutor_id=who.tutor_id, since=since)
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


async def history(
    session: AsyncSession, *, who: Identity, limit: int = 5
) -> list[tuple[Reflection, Review]]:
    """The latest entries, each with its tags and sharing as the review shows them."""
    recent = await store.recent_reflections(session=session, tutor_id=who.tutor_id, limit=limit)
    return [(entry, await review_of(session, reflection=entry)) for entry in recent]


async def reopen(
    session: AsyncSession, *, who: Identity, reflection_id: int
) -> tuple[Reflection, Review] | None:
    """One of the tutor's own entries, to show again with its buttons; None if not theirs."""
    entry = await own_entry(session, who=who, reflection_id=reflection_id)
    if entry is None:
        return None
    return entry, await review_of(session, reflection=entry)


def preview(text: str | None, width: int = 70) -> str:
    """A one-line glimpse of an entry for lists; full text stays in the entry itself."""
    flat = " ".join((text or "").split())
    return flat if len(flat) <= width else flat[: width - 1].rstrip() + "…"


async def is_saved(session: AsyncSession, *, chat_id: int, message_id: int) -> bool:
    """Whether this message became an entry, so an apology never asks for it again."""
    return (
        await store.get_by_message(session=session, chat_id=chat_id, message_id=message_id)
        is not None
    )


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
    """Tags (in a thread when the model's CPU time would hold up the event loop); returns the
    review the entry now needs, saving a second read."""
    text = reflection.text or ""
    result = await asyncio.to_thread(tagger.tag, text) if tagger.off_loop else tagger.tag(text)
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
        session=session, reflection_id=reflection.id, suggestions=suggestions
    )
    return await review_of(session, reflection=reflection)


async def review_of(
    session: AsyncSession, *, reflection: Reflection, expanded: bool = False
) -> Review:
    """The review keyboard's state, read fresh so every tap shows the truth."""
    rows = await tag_store.tags_for(session=session, reflection_id=reflection.id)
    codes = frozenset(tag_store.applied_codes(rows))
    seen = frozenset(row.code for row in rows)
    return Review(
        reflection.id,
        codes,
        reflection.share_level,
        expanded,
        suggested=seen,
        preview=preview(reflection.text, 60),
    )


@dataclass(frozen=True)
class ReviewChange:
    """One tap on the review keyboard: a tag to flip, a share level, or another panel."""

    code: str | None = None
    share: ShareLevel | None = None
    confirmed: bool = False
    expanded: bool = False
    panel: ReviewPanel = ReviewPanel.TAGS


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
        await tag_store.toggle(
            session=session, reflection_id=entry.id, code=known.id, kind=known.kind
        )
    review = await review_of(session, reflection=entry, expanded=change.expanded)
    wanted = change.share
    if (
        wanted is not None
        and needs_confirmation(entry.share_level, wanted)
        and not change.confirmed
    ):
        return replace(review, panel=ReviewPanel.CONFIRM_SHARE, pending_share=wanted)
    if wanted is not None:
        entry.share_level = wanted
        return replace(review, share_level=wanted)
    return replace(review, panel=change.panel)


async def confirm_tags(
    session: AsyncSession, *, who: Identity, reflection_id: int
) -> Review | None:
    """The tutor is happy with the tags; None when the entry is not theirs."""
    entry = await own_entry(session, who=who, reflection_id=reflection_id)
    if entry is None:
        return None
    entry.tags_confirmed = True
    return await review_of(session, reflection=entry)


# One entry's lifecycle: correct, delete, retry


async def own_entry(
    session: AsyncSession, *, who: Identity, reflection_id: int
) -> Reflection | None:
    return await store.get_reflection(
        session=session, reflection_id=reflection_id, tutor_id=who.tutor_id
    )


async def begin_correction(
    session: AsyncSession, *, who: Identity, reflection_id: int
) -> str | None:
    """The tutor's next text message corrects this entry; returns its text to copy from,
    or None when it is not theirs."""
    entry = await own_entry(session, who=who, reflection_id=reflection_id)
    if entry is None:
        return None
    await tutor_store.set_awaiting(
        session=session,
        tutor_id=who.tutor_id,
        awaiting={"kind": AwaitingKind.CORRECTION, "reflection_id": reflection_id},
    )
    return entry.text or ""


@dataclass(frozen=True)
class Correction:
    entry: Reflection
    missed: bool = False  # a phrase fix whose phrase is not in the entry; nothing changed


async def apply_correction(session: AsyncSession, *, tutor: Tutor, text: str) -> Correction | None:
    """A phrase fix ("gem → djembe") or a whole new text; None when no correction was pending
    (or the entry has gone). A fix that finds nothing keeps the correction open."""
    awaiting = tutor.awaiting
    if awaiting is None or awaiting["kind"] != AwaitingKind.CORRECTION:
        return None
    entry = await store.get_reflection(
        session=session, reflection_id=int(awaiting["reflection_id"]), tutor_id=tutor.id
    )
    fix = corrections.as_fix(text)
    new_text = corrections.applied(entry.text or "", fix) if entry and fix else text
    if entry is not None and new_text is None:
        return Correction(entry, missed=True)
    tutor.awaiting = None
    if entry is None or new_text is None:
        return None
    entry.text = new_text
    entry.status = ReflectionStatus.READY
    return Correction(entry)


async def delete_entry(
    session: AsyncSession, *, who: Identity, reflection_id: int
) -> list[Path] | None:
    """Deletes the entry (tags and jobs cascade); returns audio files to remove after commit.

    None means there was nothing of this tutor's to delete.
    """
    entry = await own_entry(session, who=who, reflection_id=reflection_id)
    if entry is None:
        return None
    paths = await job_store.audio_paths(session=session, reflection_ids=[entry.id])
    await session.delete(entry)
    return [Path(path) for path in paths]


async def retry_transcription(session: AsyncSession, *, who: Identity, job_id: int | None) -> int:
    """Retries one failed job of this tutor's, or all of them when no id is given."""
    failed = await job_store.failed_jobs(session=session, tutor_id=who.tutor_id)
    chosen = [job for job in failed if job_id is None or job.id == job_id]
    for job in chosen:
        await job_store.retry_failed(session=session, job_id=job.id)
        entry = await session.get(Reflection, job.reflection_id)
        if entry is not None:
            entry.status = ReflectionStatus.TRANSCRIBING
    return len(chosen)

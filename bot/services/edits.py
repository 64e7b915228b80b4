"""A tutor edits a message they sent: the entry or guided answer it made changes with it."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy.ext.asyncio import AsyncSession

from bot.services import guided
from bot.services.entries import Review, auto_tag
from bot.services.identity import Identity
from bot.tagging.tagger import Tagger
from storage import audit
from storage import reflections as store
from storage.vocabulary import EntrySource, ReflectionStatus


class EditKind(StrEnum):
    """What the edited message had become."""

    ENTRY = "entry"
    GUIDED_ANSWER = "guided_answer"
    NOTHING = "nothing"


@dataclass(frozen=True)
class EditOutcome:
    """The edit's effect, and for a whole entry the keyboard to redraw."""

    kind: EditKind
    review: Review | None = None
    reply_message_id: int | None = None


async def apply_edit(
    session: AsyncSession,
    *,
    who: Identity,
    chat_id: int,
    message_id: int,
    text: str,
    tagger: Tagger,
) -> EditOutcome:
    """Re-tags an edited entry (the tutor's own tag choices stay); the audit notes only the fact."""
    entry = await store.get_by_message(session=session, chat_id=chat_id, message_id=message_id)
    if entry is not None and entry.tutor_id == who.tutor_id and entry.source == EntrySource.TEXT:
        entry.text, entry.status = text, ReflectionStatus.READY
        review = await auto_tag(session, reflection=entry, tagger=tagger)
        await _audit(session, who, entry.id)
        return EditOutcome(EditKind.ENTRY, review, entry.reply_message_id)
    edited = await guided.edit_answer(
        session, who=who, message_id=message_id, text=text, tagger=tagger
    )
    if edited is None:
        return EditOutcome(EditKind.NOTHING)
    await _audit(session, who, edited)
    return EditOutcome(EditKind.GUIDED_ANSWER)


async def _audit(session: AsyncSession, who: Identity, reflection_id: int) -> None:
    await audit.record(
        session=session,
        action="entry_edited",
        actor_telegram_id=who.telegram_user_id,
        detail={"reflection_id": reflection_id},
    )

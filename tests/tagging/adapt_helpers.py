"""A small service whose tutors have confirmed or corrected their entries' tags, in a real database."""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from bot.database import Database
from bot.services import entries
from bot.services.identity import Identity, identity_of
from storage import reflections, tutors
from storage import tags as tag_store
from storage.base import utcnow
from storage.vocabulary import EntrySource, ShareLevel, TagKind

NAMES = ("Maya", "Leo", "Sam", "Priya", "Jonah", "Ella", "Kai", "Zara", "Finn", "Ruby")
INSTRUMENTS = ("ukulele", "djembe", "keyboard", "glockenspiel", "cajon", "recorder")
OPENERS = (
    "We worked on a new {instrument} piece today.",
    "Spent the session on {instrument} rhythms.",
    "Started a call and response on the {instrument}.",
    "The group practised the {instrument} part for the concert.",
)
# This service's tutors count a fire drill that cuts the session short as a planning challenge;
# the packaged tagger, trained on other writers, almost never does.
DRILLS = (
    "The fire alarm went off halfway through with {name} mid-song.",
    "A fire drill cut the session short just as {name} was getting going.",
    "The alarm test at eleven stopped us while {name} was playing.",
    "We lost twenty minutes to a fire drill; {name} took it in their stride.",
)
PATTERN_CODES = frozenset({"musical", "planning"})


def drill_entries(count: int, seed: int = 1) -> list[str]:
    """Entries about a music session that a fire drill interrupted."""
    rng = random.Random(seed)
    return [
        rng.choice(OPENERS).format(instrument=rng.choice(INSTRUMENTS))
        + " "
        + rng.choice(DRILLS).format(name=rng.choice(NAMES))
        for _ in range(count)
    ]


async def add_tutor(db: Database, telegram_user_id: int) -> Identity:
    async with db.transaction() as session:
        tutor = await tutors.create_tutor(
            session=session,
            telegram_user_id=telegram_user_id,
            display_name=f"Tutor {telegram_user_id}",
            timezone="Europe/London",
            consent_version="1",
            consented_at=utcnow(),
        )
        return identity_of(tutor)


async def confirmed(
    db: Database, who: Identity, labelled: Iterable[tuple[str, Iterable[str]]], first: int = 1
) -> list[int]:
    """Each entry with exactly these codes suggested, then confirmed by its tutor."""
    ids = []
    async with db.transaction() as session:
        for message_id, (text, codes) in enumerate(labelled, first):
            entry_id = await _entry(session, who, message_id, text, codes)
            await entries.confirm_tags(session, who=who, reflection_id=entry_id)
            ids.append(entry_id)
    return ids


async def unconfirmed(db: Database, who: Identity, text: str, message_id: int) -> int:
    async with db.transaction() as session:
        return await _entry(session, who, message_id, text, ["social"])


async def corrected(db: Database, who: Identity, text: str, message_id: int, code: str) -> int:
    """An entry the tutor didn't confirm but ticked one more code on: a correction is a label too."""
    async with db.transaction() as session:
        entry_id = await _entry(session, who, message_id, text, ["social"])
        await tag_store.toggle(
            session=session, reflection_id=entry_id, code=code, kind=TagKind.CHALLENGE
        )
        return entry_id


async def _entry(
    session: AsyncSession, who: Identity, message_id: int, text: str, codes: Sequence[str]
) -> int:
    entry, _ = await reflections.add_reflection(
        session=session,
        tutor_id=who.tutor_id,
        chat_id=who.telegram_user_id,
        message_id=message_id,
        source=EntrySource.TEXT,
        share_level=ShareLevel.PRIVATE,
        text=text,
    )
    suggestions = [tag_store.Suggestion(code, TagKind.OUTCOME, 0.9, []) for code in codes]
    await tag_store.replace_suggestions(
        session=session, reflection_id=entry.id, suggestions=suggestions
    )
    return entry.id

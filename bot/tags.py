"""Running the tagger on an entry and keeping the tutor's own choices on top."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from bot.review import Review
from bot.tagging.tagger import Tagger
from storage import tags
from storage.models import Reflection

SHARE_LEVELS = ("private", "lead", "group", "group_anonymous")


async def auto_tag(session: AsyncSession, *, reflection: Reflection, tagger: Tagger) -> Review:
    """Tags the entry's current text; returns the review it now needs, saving a second read."""
    result = tagger.tag(reflection.text or "")
    suggestions = [
        tags.Suggestion(
            code=match.code,
            kind=match.kind,
            confidence=round(match.confidence, 3),
            evidence=[[start, end] for start, end in match.evidence],
        )
        for match in result.codes.values()
        if match.applies
    ]
    await tags.replace_suggestions(session, reflection_id=reflection.id, suggestions=suggestions)
    return await review_of(session, reflection=reflection)


async def applied(session: AsyncSession, *, reflection_id: int) -> set[str]:
    return tags.applied_codes(await tags.tags_for(session, reflection_id=reflection_id))


def next_share_level(current: str) -> str:
    """The share button cycles from most private to most open and back."""
    index = SHARE_LEVELS.index(current) if current in SHARE_LEVELS else -1
    return SHARE_LEVELS[(index + 1) % len(SHARE_LEVELS)]


async def review_of(
    session: AsyncSession, *, reflection: Reflection, expanded: bool = False
) -> Review:
    """The review keyboard's state, read fresh so every tap shows the truth."""
    codes = await applied(session, reflection_id=reflection.id)
    return Review(reflection.id, frozenset(codes), reflection.share_level, expanded)


async def toggle_tag(
    session: AsyncSession, *, reflection: Reflection, code: str, kind: str
) -> bool:
    """The tutor's tap; from now on the tagger never changes this code on this entry."""
    return await tags.toggle(session, reflection_id=reflection.id, code=code, kind=kind)

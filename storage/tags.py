"""Tags on entries: the tagger's suggestions and the tutor's own choices, which always win."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import ReflectionTag
from storage.vocabulary import TagKind, TagSource


@dataclass(frozen=True)
class Suggestion:
    """One code the tagger thinks applies, with the character spans that made it think so."""

    code: str
    kind: TagKind
    confidence: float
    evidence: list[list[int]]


async def tags_for(*, session: AsyncSession, reflection_id: int) -> Sequence[ReflectionTag]:
    result = await session.execute(
        select(ReflectionTag)
        .where(ReflectionTag.reflection_id == reflection_id)
        .order_by(ReflectionTag.id)
    )
    return result.scalars().all()


async def replace_suggestions(
    *, session: AsyncSession, reflection_id: int, suggestions: Iterable[Suggestion]
) -> None:
    """Swaps the tagger's rows for new ones; codes the tutor has set are left alone."""
    await session.execute(
        delete(ReflectionTag).where(
            ReflectionTag.reflection_id == reflection_id, ReflectionTag.source == TagSource.AUTO
        )
    )
    chosen = {tag.code for tag in await tags_for(session=session, reflection_id=reflection_id)}
    for suggestion in suggestions:
        if suggestion.code in chosen:
            continue
        session.add(
            ReflectionTag(
                reflection_id=reflection_id,
                code=suggestion.code,
                kind=suggestion.kind,
                applied=True,
                source=TagSource.AUTO,
                confidence=suggestion.confidence,
                evidence=suggestion.evidence,
            )
        )
    await session.flush()


async def toggle(*, session: AsyncSession, reflection_id: int, code: str, kind: TagKind) -> bool:
    """Flips a code on or off as the tutor's own choice; returns whether it now applies."""
    existing = next(
        (
            tag
            for tag in await tags_for(session=session, reflection_id=reflection_id)
            if tag.code == code
        ),
        None,
    )
    if existing is None:
        session.add(
            ReflectionTag(
                reflection_id=reflection_id,
                code=code,
                kind=kind,
                applied=True,
                source=TagSource.TUTOR,
            )
        )
        await session.flush()
        return True
    existing.applied = not existing.applied
    existing.source = TagSource.TUTOR
    return existing.applied


def applied_codes(tags: Iterable[ReflectionTag]) -> set[str]:
    return {tag.code for tag in tags if tag.applied}

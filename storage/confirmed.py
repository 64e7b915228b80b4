"""Entries whose tags a tutor confirmed or changed: the service's own labelled examples."""

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Reflection, ReflectionTag, Tutor
from storage.vocabulary import ReflectionStatus, TagSource


@dataclass(frozen=True)
class ConfirmedEntry:
    """One entry's id, its text and the codes that apply to it now."""

    entry_id: int
    text: str
    codes: frozenset[str]


def _confirmed() -> ColumnElement[bool]:
    """Ready entries with words, whose tutor ticked "tags are right" or set a tag themselves."""
    set_by_tutor = select(ReflectionTag.reflection_id).where(
        ReflectionTag.source == TagSource.TUTOR
    )
    return and_(
        Reflection.status == ReflectionStatus.READY,
        Reflection.text.is_not(None),
        Reflection.text != "",
        or_(Reflection.tags_confirmed.is_(True), Reflection.id.in_(set_by_tutor)),
    )


async def count_confirmed(*, session: AsyncSession) -> int:
    """How many labelled examples the service's tutors have given so far."""
    query = select(func.count(Reflection.id)).join(Tutor).where(_confirmed())
    return int((await session.execute(query)).scalar_one())


async def confirmed_entries(*, session: AsyncSession) -> list[ConfirmedEntry]:
    """Every confirmed entry of a tutor who still exists (an erased tutor's entries are gone)."""
    query = select(Reflection.id, Reflection.text).join(Tutor).where(_confirmed())
    texts = {row.id: row.text for row in await session.execute(query.order_by(Reflection.id))}
    tags = await session.execute(
        select(ReflectionTag.reflection_id, ReflectionTag.code).where(
            ReflectionTag.applied.is_(True),
            ReflectionTag.reflection_id.in_(query.with_only_columns(Reflection.id)),
        )
    )
    codes: dict[int, set[str]] = defaultdict(set)
    for reflection_id, code in tags:
        codes[reflection_id].add(code)
    return [ConfirmedEntry(i, text, frozenset(codes[i])) for i, text in texts.items()]

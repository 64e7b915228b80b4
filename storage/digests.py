"""What a weekly digest is made of: the week's entries by a group's members, with their tags."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Membership, Reflection, ReflectionTag, Tutor
from storage.vocabulary import ReflectionStatus, ShareLevel


@dataclass(frozen=True)
class WeekEntry:
    """One finished entry of the week; its text is read only if its share level allows."""

    reflection_id: int
    tutor_id: int
    author: str
    share_level: ShareLevel
    text: str | None
    codes: frozenset[str]


async def week_entries(
    *, session: AsyncSession, group_id: int, start: datetime, end: datetime
) -> list[WeekEntry]:
    """Finished entries made in [start, end) by the group's members, oldest first."""
    result = await session.execute(
        select(
            Reflection.id,
            Reflection.tutor_id,
            Tutor.display_name,
            Reflection.share_level,
            Reflection.text,
        )
        .join(Tutor, Tutor.id == Reflection.tutor_id)
        .join(Membership, Membership.tutor_id == Reflection.tutor_id)
        .where(
            Membership.group_id == group_id,
            Reflection.created_at >= start,
            Reflection.created_at < end,
            Reflection.status == ReflectionStatus.READY,
        )
        .order_by(Reflection.created_at, Reflection.id)
    )
    rows = result.all()
    codes = await _applied_codes(session=session, ids=[int(row[0]) for row in rows])
    return [
        WeekEntry(
            int(rid), int(tid), str(name), ShareLevel(level), text, codes.get(int(rid), frozenset())
        )
        for rid, tid, name, level, text in rows
    ]


async def _applied_codes(*, session: AsyncSession, ids: list[int]) -> dict[int, frozenset[str]]:
    if not ids:
        return {}
    result = await session.execute(
        select(ReflectionTag.reflection_id, ReflectionTag.code).where(
            ReflectionTag.reflection_id.in_(ids), ReflectionTag.applied.is_(True)
        )
    )
    found: dict[int, set[str]] = {}
    for reflection_id, code in result.all():
        found.setdefault(int(reflection_id), set()).add(str(code))
    return {key: frozenset(value) for key, value in found.items()}


async def member_count(*, session: AsyncSession, group_id: int) -> int:
    result = await session.execute(select(Membership.id).where(Membership.group_id == group_id))
    return len(result.all())

"""Queries for coordinators' exports: shared entries a page at a time, with their tags and groups."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Membership, PeerGroup, Reflection, ReflectionTag, Tutor
from storage.vocabulary import ReflectionStatus, ShareLevel


@dataclass(frozen=True)
class Selection:
    """Which entries an export covers; `private` and unfinished entries never qualify."""

    since: datetime | None = None
    before: datetime | None = None
    group_id: int | None = None
    code: str | None = None


# A result row of one of the column tuples below (SQLAlchemy types rows by every column).
Columns = Any

# Plain columns, not ORM objects: an export reads every row once and changes none, and
# building entities was over half its time.
ENTRY_COLUMNS = (
    Reflection.id,
    Reflection.created_at,
    Reflection.source,
    Reflection.share_level,
    Reflection.text,
    Reflection.parts,
    Reflection.tags_confirmed,
    Tutor.id.label("tutor_id"),
    Tutor.pseudonym,
    Tutor.display_name,
    Tutor.timezone,
)
TAG_COLUMNS = (
    ReflectionTag.reflection_id,
    ReflectionTag.code,
    ReflectionTag.kind,
    ReflectionTag.source,
    ReflectionTag.evidence,
)


async def page(
    *, session: AsyncSession, selection: Selection, after_id: int, limit: int
) -> Sequence[Columns]:
    """The next `limit` entries after `after_id`, oldest first: keyset paging keeps memory flat."""
    query = (
        select(*ENTRY_COLUMNS)
        .join(Tutor, Tutor.id == Reflection.tutor_id)
        .where(
            Reflection.id > after_id,
            Reflection.share_level != ShareLevel.PRIVATE,
            Reflection.status == ReflectionStatus.READY,
            Reflection.text.is_not(None),
        )
        .order_by(Reflection.id)
        .limit(limit)
    )
    if selection.since is not None:
        query = query.where(Reflection.created_at >= selection.since)
    if selection.before is not None:
        query = query.where(Reflection.created_at < selection.before)
    if selection.group_id is not None:
        members = select(Membership.tutor_id).where(Membership.group_id == selection.group_id)
        query = query.where(Reflection.tutor_id.in_(members))
    if selection.code is not None:
        coded = select(ReflectionTag.reflection_id).where(
            ReflectionTag.code == selection.code, ReflectionTag.applied.is_(True)
        )
        query = query.where(Reflection.id.in_(coded))
    return (await session.execute(query)).all()


async def applied_tags(
    *, session: AsyncSession, reflection_ids: Sequence[int]
) -> dict[int, list[Columns]]:
    """Each entry's applied codes, read for a whole page at once."""
    by_entry: dict[int, list[Columns]] = {rid: [] for rid in reflection_ids}
    result = await session.execute(
        select(*TAG_COLUMNS)
        .where(ReflectionTag.reflection_id.in_(reflection_ids), ReflectionTag.applied.is_(True))
        .order_by(ReflectionTag.id)
    )
    for tag in result.all():
        by_entry[tag.reflection_id].append(tag)
    return by_entry


async def group_names(*, session: AsyncSession, tutor_ids: Sequence[int]) -> dict[int, list[str]]:
    """The groups each tutor belongs to, by name."""
    names: dict[int, list[str]] = {tid: [] for tid in tutor_ids}
    result = await session.execute(
        select(Membership.tutor_id, PeerGroup.name)
        .join(PeerGroup, PeerGroup.id == Membership.group_id)
        .where(Membership.tutor_id.in_(tutor_ids))
        .order_by(PeerGroup.name)
    )
    for tutor_id, name in result.all():
        names[tutor_id].append(str(name))
    return names

"""Queries about reflections, keyed on the Telegram message that made them."""

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.base import utcnow
from storage.models import Reflection
from storage.upsert import insert_if_absent
from storage.vocabulary import EntrySource, ReflectionStatus, ShareLevel


async def add_reflection(
    *,
    session: AsyncSession,
    tutor_id: int,
    chat_id: int,
    message_id: int,
    source: EntrySource,
    share_level: ShareLevel,
    text: str | None = None,
    status: ReflectionStatus = ReflectionStatus.READY,
    extra: dict[str, Any] | None = None,
) -> tuple[Reflection, bool]:
    """Returns the entry and whether it is new; a redelivered update finds the first one."""
    now = utcnow()
    values: dict[str, Any] = {
        "tutor_id": tutor_id,
        "chat_id": chat_id,
        "message_id": message_id,
        "source": source,
        "share_level": share_level,
        "text": text,
        "status": status,
        "tags_confirmed": False,
        "created_at": now,
        "updated_at": now,
        **(extra or {}),
    }
    new_id = await insert_if_absent(
        session=session, model=Reflection, values=values, keys=["chat_id", "message_id"]
    )
    reflection = await get_by_message(session=session, chat_id=chat_id, message_id=message_id)
    assert reflection is not None
    return reflection, new_id is not None


async def get_by_message(
    *, session: AsyncSession, chat_id: int, message_id: int
) -> Reflection | None:
    result = await session.execute(
        select(Reflection).where(Reflection.chat_id == chat_id, Reflection.message_id == message_id)
    )
    return result.scalar_one_or_none()


async def get_reflection(
    *, session: AsyncSession, reflection_id: int, tutor_id: int
) -> Reflection | None:
    """Only ever hands an entry to its author."""
    result = await session.execute(
        select(Reflection).where(Reflection.id == reflection_id, Reflection.tutor_id == tutor_id)
    )
    return result.scalar_one_or_none()


async def recent_reflections(
    *, session: AsyncSession, tutor_id: int, limit: int = 5
) -> Sequence[Reflection]:
    result = await session.execute(
        select(Reflection)
        .where(Reflection.tutor_id == tutor_id)
        .order_by(Reflection.created_at.desc(), Reflection.id.desc())
        .limit(limit)
    )
    return result.scalars().all()


async def count_reflections(*, session: AsyncSession, tutor_id: int) -> int:
    result = await session.execute(
        select(func.count()).select_from(Reflection).where(Reflection.tutor_id == tutor_id)
    )
    return int(result.scalar_one())


async def count_since(*, session: AsyncSession, tutor_id: int, since: datetime) -> int:
    result = await session.execute(
        select(func.count())
        .select_from(Reflection)
        .where(Reflection.tutor_id == tutor_id, Reflection.created_at >= since)
    )
    return int(result.scalar_one())


async def all_reflections(*, session: AsyncSession, tutor_id: int) -> Sequence[Reflection]:
    """Oldest first, for a tutor taking all their data away."""
    result = await session.execute(
        select(Reflection).where(Reflection.tutor_id == tutor_id).order_by(Reflection.id)
    )
    return result.scalars().all()


async def recent_by_source(
    *, session: AsyncSession, tutor_id: int, source: EntrySource, limit: int
) -> Sequence[Reflection]:
    """A tutor's latest entries of one kind, newest first."""
    result = await session.execute(
        select(Reflection)
        .where(Reflection.tutor_id == tutor_id, Reflection.source == source)
        .order_by(Reflection.id.desc())
        .limit(limit)
    )
    return result.scalars().all()


async def ids_created_before(
    *, session: AsyncSession, before: datetime, limit: int
) -> Sequence[int]:
    """The oldest entries past a retention limit, a bounded batch at a time."""
    result = await session.execute(
        select(Reflection.id)
        .where(Reflection.created_at < before)
        .order_by(Reflection.id)
        .limit(limit)
    )
    return result.scalars().all()


async def delete_many(*, session: AsyncSession, reflection_ids: Sequence[int]) -> None:
    """Tags and jobs go with them (ON DELETE CASCADE)."""
    await session.execute(delete(Reflection).where(Reflection.id.in_(reflection_ids)))

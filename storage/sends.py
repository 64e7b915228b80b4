"""Scheduled sends: planned under unique keys, claimed one at a time, retried with backoff."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import ScheduledSend
from storage.upsert import insert_if_absent
from storage.vocabulary import SendKind, SendStatus


async def planned(*, session: AsyncSession, key: str) -> bool:
    result = await session.execute(select(ScheduledSend.id).where(ScheduledSend.key == key))
    return result.first() is not None


async def plan(
    *,
    session: AsyncSession,
    key: str,
    kind: SendKind,
    chat_id: int,
    due_at: datetime,
    period: str,
    group_id: int | None = None,
    tutor_id: int | None = None,
    quiet_if_reflected_since: datetime | None = None,
    for_lead: bool = False,
    status: SendStatus = SendStatus.PENDING,
) -> bool:
    """True when this is new; the same key planned again, by anyone, changes nothing."""
    values: dict[str, Any] = {
        "key": key,
        "kind": kind,
        "group_id": group_id,
        "tutor_id": tutor_id,
        "quiet_if_reflected_since": quiet_if_reflected_since,
        "chat_id": chat_id,
        "for_lead": for_lead,
        "period": period,
        "due_at": due_at,
        "status": status,
        "attempts": 0,
        "photo_sent": False,
        "created_at": due_at,
    }
    return (
        await insert_if_absent(session=session, model=ScheduledSend, values=values, keys=["key"])
        is not None
    )


async def keys_since(
    *, session: AsyncSession, kinds: Sequence[SendKind], since: datetime
) -> set[str]:
    """The keys already planned lately, read at once so a planner asks the database once."""
    result = await session.execute(
        select(ScheduledSend.key).where(
            ScheduledSend.kind.in_(kinds), ScheduledSend.due_at >= since
        )
    )
    return set(result.scalars())


async def drop_pending(*, session: AsyncSession, key_prefix: str) -> None:
    """Forgets sends not yet made, e.g. the prompt for a session the tutor just removed."""
    await session.execute(
        delete(ScheduledSend).where(
            ScheduledSend.key.startswith(key_prefix, autoescape=True),
            ScheduledSend.status == SendStatus.PENDING,
        )
    )


def _due(now: datetime) -> Any:
    return (ScheduledSend.status == SendStatus.PENDING) & or_(
        ScheduledSend.retry_at.is_(None), ScheduledSend.retry_at <= now
    )


async def due(*, session: AsyncSession, now: datetime, limit: int) -> Sequence[int]:
    result = await session.execute(
        select(ScheduledSend.id).where(_due(now)).order_by(ScheduledSend.id).limit(limit)
    )
    return result.scalars().all()


async def claim(*, session: AsyncSession, send_id: int, now: datetime, until: datetime) -> bool:
    """Takes a send for a while, so two processes never send the same one together."""
    result = await session.execute(
        update(ScheduledSend).where(ScheduledSend.id == send_id, _due(now)).values(retry_at=until)
    )
    return int(getattr(result, "rowcount", 0)) == 1


async def get(*, session: AsyncSession, send_id: int) -> ScheduledSend | None:
    return await session.get(ScheduledSend, send_id)


async def mark(*, session: AsyncSession, send_id: int, **values: Any) -> None:
    await session.execute(update(ScheduledSend).where(ScheduledSend.id == send_id).values(**values))

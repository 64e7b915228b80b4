"""The durable inbox: updates stored before they are confirmed, deleted once handled."""

from collections.abc import Sequence
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.base import utcnow
from storage.models import InboxUpdate
from storage.upsert import insert_if_absent


async def accept(
    session: AsyncSession, *, update_id: int, chat_id: int | None, payload: dict[str, Any]
) -> bool:
    """False when this update is already waiting, as one Telegram sends again after a restart."""
    values = {
        "update_id": update_id,
        "chat_id": chat_id,
        "payload": payload,
        "received_at": utcnow(),
    }
    new = await insert_if_absent(
        session, InboxUpdate, values, keys=["update_id"], returning="update_id"
    )
    return new is not None


async def finish(session: AsyncSession, *, update_ids: Sequence[int]) -> None:
    """Handled updates leave the inbox; their text lives on only in the entries they made."""
    await session.execute(delete(InboxUpdate).where(InboxUpdate.update_id.in_(update_ids)))


async def waiting(session: AsyncSession) -> Sequence[InboxUpdate]:
    """Everything received but not yet handled, oldest first."""
    result = await session.execute(select(InboxUpdate).order_by(InboxUpdate.update_id))
    return result.scalars().all()


async def backlog(session: AsyncSession) -> int:
    result = await session.execute(select(func.count()).select_from(InboxUpdate))
    return int(result.scalar_one())

"""The durable inbox: updates stored before they are confirmed, emptied once handled."""

import hashlib
import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.base import affected, utcnow
from storage.models import InboxUpdate
from storage.upsert import insert_if_absent


async def accept(
    *, session: AsyncSession, update_id: int, chat_id: int | None, payload: dict[str, Any]
) -> bool:
    """False when this very update is known already: waiting, or handled in the last day.

    The same id with different content is a new update (a sandbox started afresh, or
    Telegram's ids starting again after a quiet week), so it replaces the remembered one.
    """
    digest = _digest(payload)
    values = {
        "update_id": update_id,
        "chat_id": chat_id,
        "payload": payload,
        "digest": digest,
        "received_at": utcnow(),
    }
    new = await insert_if_absent(
        session=session, model=InboxUpdate, values=values, keys=["update_id"], returning="update_id"
    )
    if new is not None:
        return True
    known = await session.get(InboxUpdate, update_id)
    if known is None or known.digest == digest:
        return False
    known.chat_id, known.payload, known.digest = chat_id, payload, digest
    known.received_at, known.handled_at = utcnow(), None
    return True


def _digest(payload: dict[str, Any]) -> str:
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"))  # ASCII: any text
    return hashlib.sha256(canonical.encode("ascii")).hexdigest()


async def finish(*, session: AsyncSession, update_ids: Sequence[int]) -> None:
    """Handled: the payload goes (its text lives on only in the entries it made), the id stays."""
    await session.execute(
        update(InboxUpdate)
        .where(InboxUpdate.update_id.in_(update_ids))
        .values(payload=None, handled_at=utcnow())
    )


async def waiting(*, session: AsyncSession) -> Sequence[InboxUpdate]:
    """Everything received but not yet handled, oldest first."""
    result = await session.execute(
        select(InboxUpdate).where(InboxUpdate.handled_at.is_(None)).order_by(InboxUpdate.update_id)
    )
    return result.scalars().all()


async def backlog(*, session: AsyncSession) -> int:
    result = await session.execute(
        select(func.count()).select_from(InboxUpdate).where(InboxUpdate.handled_at.is_(None))
    )
    return int(result.scalar_one())


async def forget_handled(*, session: AsyncSession, before: datetime) -> int:
    """Ids older than Telegram keeps an update (a day) can no longer come back."""
    result = await session.execute(delete(InboxUpdate).where(InboxUpdate.handled_at < before))
    return affected(result)

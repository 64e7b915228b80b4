"""The audit trail: every export, erasure and role change leaves a row."""

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import AuditEvent


async def record(
    *,
    session: AsyncSession,
    action: str,
    actor_telegram_id: int | None,
    detail: dict[str, Any] | None = None,
) -> None:
    """Never put reflection text in `detail`; it is for who, what and which filter."""
    session.add(AuditEvent(action=action, actor_telegram_id=actor_telegram_id, detail=detail))


async def by_actor(*, session: AsyncSession, telegram_user_id: int) -> Sequence[AuditEvent]:
    """What one person did that was audited, oldest first, for their own data export."""
    result = await session.execute(
        select(AuditEvent)
        .where(AuditEvent.actor_telegram_id == telegram_user_id)
        .order_by(AuditEvent.id)
    )
    return result.scalars().all()

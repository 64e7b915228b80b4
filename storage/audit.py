"""The audit trail: every export, erasure and role change leaves a row."""

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import AuditEvent


async def record(
    session: AsyncSession,
    *,
    action: str,
    actor_telegram_id: int | None,
    detail: dict[str, Any] | None = None,
) -> None:
    """Never put reflection text in `detail`; it is for who, what and which filter."""
    session.add(AuditEvent(action=action, actor_telegram_id=actor_telegram_id, detail=detail))

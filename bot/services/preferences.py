"""A tutor's own defaults: who sees a new reflection unless they choose otherwise."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.identity import Identity
from storage import tutors as tutor_store
from storage.vocabulary import ShareLevel


async def set_default_share(session: AsyncSession, *, who: Identity, level: ShareLevel) -> None:
    tutor = await tutor_store.require(session=session, tutor_id=who.tutor_id)
    tutor.default_share_level = level

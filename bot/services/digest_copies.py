"""Which digest a caller may read: a lead's copy of a group they lead, or any for a coordinator."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from bot.services import digests, groups
from bot.services.identity import Identity
from bot.tagging.codes import Codebook
from storage.base import utcnow


async def week_so_far(
    session: AsyncSession, *, who: Identity, codebook: Codebook
) -> list[digests.Digest]:
    """The lead's copy of this week's digest for every group they may run."""
    copies = []
    for group in await groups.manageable(session, who=who):
        week = digests.Week.containing(utcnow(), group.timezone)
        digest = await digests.build(
            session, group_id=group.id, week=week, for_lead=True, codebook=codebook
        )
        copies += [digest] if digest else []
    return copies

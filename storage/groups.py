"""Queries about peer groups: the groups, their members and leads, invite codes, linked chats."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.base import affected
from storage.models import InviteCode, Membership, PeerGroup, PendingLead, Reflection, Tutor


@dataclass(frozen=True)
class Member:
    """One person in a group as the group view shows them: counts, never words."""

    tutor_id: int
    display_name: str
    is_lead: bool
    reflections_this_week: int


async def create_group(*, session: AsyncSession, name: str, timezone: str) -> PeerGroup:
    group = PeerGroup(name=name, timezone=timezone)
    session.add(group)
    await session.flush()
    return group


async def all_groups(*, session: AsyncSession) -> Sequence[PeerGroup]:
    return (await session.execute(select(PeerGroup).order_by(PeerGroup.name))).scalars().all()


async def get_group(*, session: AsyncSession, group_id: int) -> PeerGroup | None:
    return await session.get(PeerGroup, group_id)


async def group_for_chat(*, session: AsyncSession, chat_id: int) -> PeerGroup | None:
    result = await session.execute(select(PeerGroup).where(PeerGroup.telegram_chat_id == chat_id))
    return result.scalar_one_or_none()


async def groups_of(*, session: AsyncSession, tutor_id: int) -> Sequence[tuple[PeerGroup, bool]]:
    """The tutor's groups, each with whether they lead it."""
    result = await session.execute(
        select(PeerGroup, Membership.is_lead)
        .join(Membership, Membership.group_id == PeerGroup.id)
        .where(Membership.tutor_id == tutor_id)
        .order_by(PeerGroup.name)
    )
    return [(group, bool(is_lead)) for group, is_lead in result.all()]


async def membership(*, session: AsyncSession, group_id: int, tutor_id: int) -> Membership | None:
    result = await session.execute(
        select(Membership).where(Membership.group_id == group_id, Membership.tutor_id == tutor_id)
    )
    return result.scalar_one_or_none()


async def add_member(
    *, session: AsyncSession, group_id: int, tutor_id: int, is_lead: bool = False
) -> bool:
    """True when they were not a member before; joining twice changes nothing."""
    existing = await membership(session=session, group_id=group_id, tutor_id=tutor_id)
    if existing is not None:
        existing.is_lead = existing.is_lead or is_lead
        return False
    session.add(Membership(group_id=group_id, tutor_id=tutor_id, is_lead=is_lead))
    await session.flush()
    return True


async def remove_member(*, session: AsyncSession, group_id: int, tutor_id: int) -> bool:
    result = await session.execute(
        delete(Membership).where(Membership.group_id == group_id, Membership.tutor_id == tutor_id)
    )
    return affected(result) > 0


async def leads_any_group(*, session: AsyncSession, tutor_id: int) -> bool:
    result = await session.execute(
        select(func.count())
        .select_from(Membership)
        .where(Membership.tutor_id == tutor_id, Membership.is_lead.is_(True))
    )
    return int(result.scalar_one()) > 0


async def members(*, session: AsyncSession, group_id: int, since: datetime) -> list[Member]:
    """Everyone in the group with how many entries each has made since `since`."""
    counted = (
        select(Reflection.tutor_id, func.count().label("n"))
        .where(Reflection.created_at >= since)
        .group_by(Reflection.tutor_id)
        .subquery()
    )
    result = await session.execute(
        select(Tutor.id, Tutor.display_name, Membership.is_lead, func.coalesce(counted.c.n, 0))
        .join(Membership, Membership.tutor_id == Tutor.id)
        .outerjoin(counted, counted.c.tutor_id == Tutor.id)
        .where(Membership.group_id == group_id)
        .order_by(Membership.is_lead.desc(), Tutor.display_name)
    )
    return [Member(int(i), str(name), bool(lead), int(n)) for i, name, lead, n in result.all()]


async def add_invite(
    *, session: AsyncSession, group_id: int, code: str, expires_at: datetime, max_uses: int | None
) -> InviteCode:
    invite = InviteCode(group_id=group_id, code=code, expires_at=expires_at, max_uses=max_uses)
    session.add(invite)
    await session.flush()
    return invite


async def find_invite(*, session: AsyncSession, code: str) -> InviteCode | None:
    result = await session.execute(select(InviteCode).where(InviteCode.code == code))
    return result.scalar_one_or_none()


async def live_invite(*, session: AsyncSession, group_id: int, now: datetime) -> InviteCode | None:
    """The newest code of the group that still works, if any."""
    result = await session.execute(
        select(InviteCode)
        .where(
            InviteCode.group_id == group_id,
            InviteCode.revoked_at.is_(None),
            InviteCode.expires_at > now,
        )
        .order_by(InviteCode.id.desc())
    )
    for invite in result.scalars():
        if invite.max_uses is None or invite.uses < invite.max_uses:
            return invite
    return None


async def revoke_invites(*, session: AsyncSession, group_id: int, now: datetime) -> int:
    result = await session.execute(
        update(InviteCode)
        .where(InviteCode.group_id == group_id, InviteCode.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    return affected(result)


async def link_chat(*, session: AsyncSession, group_id: int, chat_id: int) -> None:
    """One chat belongs to one group: linking it here unlinks it anywhere else."""
    await session.execute(
        update(PeerGroup).where(PeerGroup.telegram_chat_id == chat_id).values(telegram_chat_id=None)
    )
    await session.flush()
    await session.execute(
        update(PeerGroup).where(PeerGroup.id == group_id).values(telegram_chat_id=chat_id)
    )


async def add_pending_lead(*, session: AsyncSession, group_id: int, telegram_user_id: int) -> None:
    exists = await session.execute(
        select(PendingLead.id).where(
            PendingLead.group_id == group_id, PendingLead.telegram_user_id == telegram_user_id
        )
    )
    if exists.first() is None:
        session.add(PendingLead(group_id=group_id, telegram_user_id=telegram_user_id))


async def claim_pending_leads(
    *, session: AsyncSession, telegram_user_id: int, named_after: datetime
) -> list[int]:
    """The groups this person was named lead of before they consented; claimed only once."""
    result = await session.execute(
        select(PendingLead.group_id).where(
            PendingLead.telegram_user_id == telegram_user_id, PendingLead.named_at >= named_after
        )
    )
    group_ids = [int(group_id) for group_id in result.scalars()]
    await session.execute(
        delete(PendingLead).where(PendingLead.telegram_user_id == telegram_user_id)
    )
    return group_ids


async def drop_pending_leads(*, session: AsyncSession, telegram_user_id: int) -> int:
    """They said no to the bot: nothing of theirs is kept, not even a coordinator's naming."""
    result = await session.execute(
        delete(PendingLead).where(PendingLead.telegram_user_id == telegram_user_id)
    )
    return affected(result)


async def expire_pending_leads(*, session: AsyncSession, named_before: datetime) -> int:
    """Namings nobody answered in time: the person never consented, so their id goes."""
    result = await session.execute(delete(PendingLead).where(PendingLead.named_at < named_before))
    return affected(result)


async def member_chats(*, session: AsyncSession, group_id: int) -> list[tuple[int, bool]]:
    """Each member's private chat (their Telegram id) and whether they lead the group."""
    result = await session.execute(
        select(Tutor.telegram_user_id, Membership.is_lead)
        .join(Membership, Membership.tutor_id == Tutor.id)
        .where(Membership.group_id == group_id)
        .order_by(Tutor.id)
    )
    return [(int(chat), bool(lead)) for chat, lead in result.all()]

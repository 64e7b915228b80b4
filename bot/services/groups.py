"""Peer groups: who may run them, invite codes, joining and leaving, linking a group chat."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.entries import start_of_week
from bot.services.identity import Identity
from storage import digests as digest_store
from storage import groups as store
from storage import tutors as tutor_store
from storage.base import utcnow
from storage.models import InviteCode, PeerGroup
from storage.vocabulary import Role

INVITE_LIFETIME = timedelta(days=30)
INVITE_BYTES = 12  # 16 URL-safe characters: 96 bits, and fits a t.me deep link
MAX_NAME = 120


class JoinOutcome(StrEnum):
    """What came of a code, which decides what the person is told."""

    JOINED = "joined"
    ALREADY = "already"
    UNKNOWN = "unknown"
    EXPIRED = "expired"
    USED_UP = "used_up"


@dataclass(frozen=True)
class Joined:
    outcome: JoinOutcome
    group_name: str | None = None


@dataclass(frozen=True)
class NewGroup:
    id: int
    name: str
    invite_code: str


@dataclass(frozen=True)
class GroupView:
    """Everything `/group` shows: settings and, per member, a count of this week's entries."""

    id: int
    name: str
    timezone: str
    digest_weekday: int
    digest_minute: int
    linked: bool
    invite_code: str | None
    members: list[store.Member]


def clean_name(name: str) -> str:
    return " ".join(name.split())[:MAX_NAME]


def new_code() -> str:
    return secrets.token_urlsafe(INVITE_BYTES)


async def create(
    session: AsyncSession, *, name: str, timezone: str, lead_user_ids: tuple[int, ...] = ()
) -> NewGroup:
    """A group with a fresh invite; named leads who have not consented yet are kept waiting."""
    group = await store.create_group(session=session, name=clean_name(name), timezone=timezone)
    invite = await issue_invite(session, group_id=group.id)
    for user_id in lead_user_ids:
        tutor = await tutor_store.get_tutor(session=session, telegram_user_id=user_id)
        if tutor is None:
            await store.add_pending_lead(
                session=session, group_id=group.id, telegram_user_id=user_id
            )
        else:
            await store.add_member(
                session=session, group_id=group.id, tutor_id=tutor.id, is_lead=True
            )
            await refresh_role(session, tutor_id=tutor.id)
    return NewGroup(group.id, group.name, invite.code)


async def issue_invite(
    session: AsyncSession, *, group_id: int, max_uses: int | None = None
) -> InviteCode:
    expires = utcnow() + INVITE_LIFETIME
    return await store.add_invite(
        session=session, group_id=group_id, code=new_code(), expires_at=expires, max_uses=max_uses
    )


async def check_invite(
    session: AsyncSession, *, code: str
) -> tuple[JoinOutcome, InviteCode | None]:
    """Whether a code would let someone in now; a revoked code reads as unknown."""
    invite = await store.find_invite(session=session, code=code.strip())
    if invite is None or invite.revoked_at is not None:
        return JoinOutcome.UNKNOWN, None
    if invite.expires_at <= utcnow():
        return JoinOutcome.EXPIRED, None
    if invite.max_uses is not None and invite.uses >= invite.max_uses:
        return JoinOutcome.USED_UP, None
    return JoinOutcome.JOINED, invite


async def join(session: AsyncSession, *, who: Identity, code: str) -> Joined:
    outcome, invite = await check_invite(session, code=code)
    if invite is None:
        return Joined(outcome)
    group = await store.get_group(session=session, group_id=invite.group_id)
    assert group is not None  # the invite row cascades with its group
    if not await store.add_member(session=session, group_id=group.id, tutor_id=who.tutor_id):
        return Joined(JoinOutcome.ALREADY, group.name)
    invite.uses += 1
    return Joined(JoinOutcome.JOINED, group.name)


async def after_onboarding(session: AsyncSession, *, who: Identity) -> list[str]:
    """Joins the group a deep link named, and any group a coordinator made them lead of."""
    tutor = await tutor_store.require(session=session, tutor_id=who.tutor_id)
    joined: list[str] = []
    for group_id in await store.claim_pending_leads(
        session=session,
        telegram_user_id=who.telegram_user_id,
        named_after=_oldest_live_naming(),
    ):
        await store.add_member(session=session, group_id=group_id, tutor_id=tutor.id, is_lead=True)
        group = await store.get_group(session=session, group_id=group_id)
        joined += [group.name] if group else []
    await refresh_role(session, tutor_id=tutor.id)
    if tutor.pending_invite:
        result = await join(session, who=who, code=tutor.pending_invite)
        tutor.pending_invite = None
        joined += [result.group_name] if result.group_name else []
    return joined


async def forget_naming(session: AsyncSession, *, telegram_user_id: int) -> int:
    """Someone said no at the consent step: a coordinator's naming of them as lead goes too."""
    return await store.drop_pending_leads(session=session, telegram_user_id=telegram_user_id)


async def expire_namings(session: AsyncSession) -> int:
    """A named lead who never consented is forgotten when an invite would have expired."""
    return await store.expire_pending_leads(session=session, named_before=_oldest_live_naming())


def _oldest_live_naming() -> datetime:
    """A lead's naming lasts as long as an invite code."""
    return utcnow() - INVITE_LIFETIME


async def remember_invite(session: AsyncSession, *, who: Identity, code: str) -> None:
    """A deep link opened before setting up is done: used once the last step is answered."""
    tutor = await tutor_store.require(session=session, tutor_id=who.tutor_id)
    tutor.pending_invite = code.strip()[:32]


async def refresh_role(session: AsyncSession, *, tutor_id: int) -> None:
    """Lead while they lead any group; a coordinator stays a coordinator."""
    tutor = await tutor_store.require(session=session, tutor_id=tutor_id)
    if tutor.role == Role.COORDINATOR:
        return
    leads = await store.leads_any_group(session=session, tutor_id=tutor_id)
    tutor.role = Role.LEAD if leads else Role.TUTOR


async def manageable(session: AsyncSession, *, who: Identity) -> list[PeerGroup]:
    """Every group for a coordinator; the groups they lead for a lead."""
    if who.role == Role.COORDINATOR:
        return list(await store.all_groups(session=session))
    return [
        group
        for group, lead in await store.groups_of(session=session, tutor_id=who.tutor_id)
        if lead
    ]


async def may_manage(session: AsyncSession, *, who: Identity, group_id: int) -> bool:
    if who.role == Role.COORDINATOR:
        return await store.get_group(session=session, group_id=group_id) is not None
    member = await store.membership(session=session, group_id=group_id, tutor_id=who.tutor_id)
    return member is not None and member.is_lead


async def view(session: AsyncSession, *, who: Identity, group_id: int) -> GroupView | None:
    """The group as its lead or a coordinator sees it; None for anyone else."""
    if not await may_manage(session, who=who, group_id=group_id):
        return None
    group = await store.get_group(session=session, group_id=group_id)
    assert group is not None
    week_start = start_of_week(group.timezone)
    invite = await store.live_invite(session=session, group_id=group_id, now=utcnow())
    return GroupView(
        id=group.id,
        name=group.name,
        timezone=group.timezone,
        digest_weekday=group.digest_weekday,
        digest_minute=group.digest_minute,
        linked=group.telegram_chat_id is not None,
        invite_code=invite.code if invite else None,
        members=await store.members(session=session, group_id=group_id, since=week_start),
    )


async def leave(session: AsyncSession, *, who: Identity, group_id: int) -> bool:
    removed = await store.remove_member(session=session, group_id=group_id, tutor_id=who.tutor_id)
    await refresh_role(session, tutor_id=who.tutor_id)
    return removed


async def remove(session: AsyncSession, *, who: Identity, group_id: int, tutor_id: int) -> bool:
    """A lead or coordinator takes someone out of the group."""
    if not await may_manage(session, who=who, group_id=group_id):
        return False
    removed = await store.remove_member(session=session, group_id=group_id, tutor_id=tutor_id)
    await refresh_role(session, tutor_id=tutor_id)
    return removed


async def make_lead(session: AsyncSession, *, who: Identity, group_id: int, tutor_id: int) -> bool:
    """Only a coordinator appoints leads, and only from the group's members."""
    if who.role != Role.COORDINATOR:
        return False
    member = await store.membership(session=session, group_id=group_id, tutor_id=tutor_id)
    if member is None:
        return False
    member.is_lead = True
    await refresh_role(session, tutor_id=tutor_id)
    return True


async def new_invite(session: AsyncSession, *, who: Identity, group_id: int) -> str | None:
    """Revokes the old codes and issues a fresh one."""
    if not await may_manage(session, who=who, group_id=group_id):
        return None
    await store.revoke_invites(session=session, group_id=group_id, now=utcnow())
    return (await issue_invite(session, group_id=group_id)).code


async def link(
    session: AsyncSession, *, who: Identity | None, code: str, chat_id: int
) -> PeerGroup | None:
    """A group chat becomes the group's, if the sender leads that group or is a coordinator."""
    if who is None:
        return None
    _, invite = await check_invite(session, code=code)
    if invite is None or not await may_manage(session, who=who, group_id=invite.group_id):
        return None
    await store.link_chat(session=session, group_id=invite.group_id, chat_id=chat_id)
    return await store.get_group(session=session, group_id=invite.group_id)


async def change_digest(
    session: AsyncSession, *, who: Identity, group_id: int, weekday: int, minute: int
) -> bool:
    if not await may_manage(session, who=who, group_id=group_id):
        return False
    group = await store.get_group(session=session, group_id=group_id)
    assert group is not None
    group.digest_weekday, group.digest_minute = weekday % 7, minute % (24 * 60)
    return True


async def change_timezone(
    session: AsyncSession, *, who: Identity, group_id: int, timezone: str
) -> bool:
    """The digest's day and time then follow that zone's clock."""
    if not await may_manage(session, who=who, group_id=group_id):
        return False
    group = await store.get_group(session=session, group_id=group_id)
    assert group is not None
    group.timezone = timezone
    return True


async def mine(session: AsyncSession, *, who: Identity) -> list[tuple[int, str]]:
    """The groups someone belongs to, as (id, name)."""
    return [
        (group.id, group.name)
        for group, _ in await store.groups_of(session=session, tutor_id=who.tutor_id)
    ]


async def name_of(session: AsyncSession, *, group_id: int) -> str | None:
    group = await store.get_group(session=session, group_id=group_id)
    return group.name if group else None


async def is_linked(session: AsyncSession, *, chat_id: int) -> bool:
    return await store.group_for_chat(session=session, chat_id=chat_id) is not None


async def summaries(session: AsyncSession) -> list[dict[str, object]]:
    """Every group in one line each, for the command line: no names of members, only counts."""
    now, rows = utcnow(), []
    for group in await store.all_groups(session=session):
        invite = await store.live_invite(session=session, group_id=group.id, now=now)
        rows.append(
            {
                "id": group.id,
                "name": group.name,
                "timezone": group.timezone,
                "members": await digest_store.member_count(session=session, group_id=group.id),
                "invite_code": invite.code if invite else None,
                "linked_chat": group.telegram_chat_id is not None,
            }
        )
    return rows


async def by_name(session: AsyncSession, *, name: str) -> PeerGroup | None:
    """Exact name first, then ignoring case; the command line names groups this way."""
    everyone = await store.all_groups(session=session)
    wanted = clean_name(name)
    exact = [group for group in everyone if group.name == wanted]
    loose = [group for group in everyone if group.name.lower() == wanted.lower()]
    found = exact or loose
    return found[0] if found else None

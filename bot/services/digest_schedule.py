"""When each group's digest falls due, and who it goes to, planned once per group and week.

A digest missed while the bot was down goes out on start if it is less than a day late;
later than that it is skipped, with a log line, rather than arriving out of the blue.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.digests import Week
from storage import groups as group_store
from storage import sends
from storage.models import PeerGroup
from storage.vocabulary import SendKind, SendStatus

logger = logging.getLogger(__name__)

TOO_LATE = timedelta(days=1)


@dataclass(frozen=True)
class Recipient:
    chat_id: int
    for_lead: bool


def last_due(group: PeerGroup, now: datetime) -> datetime:
    """The latest digest time at or before `now`, on the group's day and clock."""
    zone = ZoneInfo(group.timezone)
    local = now.astimezone(zone)
    days_back = (local.weekday() - group.digest_weekday) % 7
    day = (local - timedelta(days=days_back)).date()
    hour, minute = divmod(group.digest_minute, 60)
    due = datetime(day.year, day.month, day.day, hour, minute, tzinfo=zone)
    return due if due <= now else due - timedelta(days=7)


async def recipients(session: AsyncSession, *, group: PeerGroup) -> list[Recipient]:
    """The linked chat gets the group's copy and each lead their own privately; with no chat
    linked, every member gets theirs privately."""
    people = await group_store.member_chats(session=session, group_id=group.id)
    leads = [Recipient(chat, True) for chat, is_lead in people if is_lead]
    if group.telegram_chat_id is not None:
        return [Recipient(group.telegram_chat_id, False), *leads]
    return leads + [Recipient(chat, False) for chat, is_lead in people if not is_lead]


async def plan_due(session: AsyncSession, *, now: datetime) -> int:
    """Plans every digest now due; returns how many sends were added."""
    added = 0
    for group in await group_store.all_groups(session=session):
        due = last_due(group, now)
        marker = f"digest:{group.id}:{due:%Y%m%dT%H%MZ}"
        if due >= group.created_at and not await sends.planned(session=session, key=marker):
            added += await _plan_group(session, group, due, marker, late=now - due > TOO_LATE)
    return added


async def _plan_group(
    session: AsyncSession, group: PeerGroup, due: datetime, marker: str, *, late: bool
) -> int:
    """One send per recipient, each under its own key, and a marker saying the week is planned."""
    week = Week.containing(due, group.timezone)
    added = 0
    if late:
        logger.info("digest for group %d (%s) is over a day late; skipped", group.id, week)
    else:
        added = await _plan_copies(session, group, week, due, key=marker)
    await sends.plan(
        session=session,
        key=marker,
        kind=SendKind.DIGEST,
        chat_id=0,
        due_at=due,
        period=str(week),
        group_id=group.id,
        status=SendStatus.SKIPPED if late else SendStatus.SENT,
    )
    return added


async def plan_now(session: AsyncSession, *, group: PeerGroup, week: Week, now: datetime) -> int:
    """A digest asked for by hand: queued for the running bot, once per recipient and week."""
    return await _plan_copies(session, group, week, now, key=f"digest:{group.id}:by-hand:{week}")


async def _plan_copies(
    session: AsyncSession, group: PeerGroup, week: Week, due: datetime, *, key: str
) -> int:
    added = 0
    for person in await recipients(session, group=group):
        added += await sends.plan(
            session=session,
            key=f"{key}:{person.chat_id}",
            kind=SendKind.DIGEST,
            chat_id=person.chat_id,
            due_at=due,
            period=str(week),
            group_id=group.id,
            for_lead=person.for_lead,
        )
    return added

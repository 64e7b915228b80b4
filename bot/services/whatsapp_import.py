"""Reflections from a WhatsApp group's exported chat: matched to tutors, grouped, stored once.

Each run of messages that one person sent within `RUN_GAP` of each other becomes one entry,
shared with the group (it already was), dated at the run's first message read in the group's
time zone. Only senders who are tutors (they consented) are imported; nobody else's words are
stored. Entries are keyed like any other on (chat_id, message_id): chat_id is
`WHATSAPP_CHAT_ID` and message_id is `message_key(...)`, so importing a file again adds nothing.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.imports.whatsapp import ChatExport, ChatMessage
from bot.services import groups
from bot.services.entries import auto_tag
from bot.tagging.tagger import Tagger
from storage import audit
from storage import groups as group_store
from storage import reflections as reflection_store
from storage import tutors as tutor_store
from storage.models import PeerGroup, Tutor
from storage.vocabulary import EntrySource, ShareLevel

# No Telegram chat has id 0, so an imported entry's key can never meet a real message's.
WHATSAPP_CHAT_ID = 0
RUN_GAP = timedelta(minutes=5)
AUDIT_ACTION = "whatsapp_import"


class ImportProblem(Exception):
    """Something the coordinator must fix before anything is imported, worded as one line."""


@dataclass(frozen=True)
class Run:
    """Consecutive messages by one sender, each within `RUN_GAP` of the one before."""

    sender: str
    sent_at: datetime
    last_at: datetime
    texts: tuple[str, ...]

    @property
    def text(self) -> str:
        """The words of the run; empty when it was only photos, stickers or deletions."""
        return "\n".join(text for text in self.texts if text)


@dataclass(frozen=True)
class Planned:
    """One entry to store: whose, when (UTC), its key and its words."""

    tutor_id: int
    author: str
    created_at: datetime
    message_id: int
    text: str


@dataclass(frozen=True)
class ImportPlan:
    """What an import would store, and whom it leaves out (names and counts, never words)."""

    group_id: int
    group_name: str
    timezone: str
    entries: tuple[Planned, ...]
    unmatched: dict[str, int]
    outside_group: tuple[str, ...]

    def per_author(self) -> dict[str, int]:
        counts = Counter(entry.author for entry in self.entries)
        return dict(sorted(counts.items(), key=lambda item: item[0].casefold()))

    def span(self) -> tuple[datetime, datetime] | None:
        """The first and last entry's time, UTC; None when there is nothing to store."""
        times = [entry.created_at for entry in self.entries]
        return (min(times), max(times)) if times else None


@dataclass(frozen=True)
class Outcome:
    stored: int
    already: int


def runs(messages: Sequence[ChatMessage], gap: timedelta = RUN_GAP) -> list[Run]:
    """Messages folded into runs: a thought typed as several quick messages is one entry."""
    folded: list[Run] = []
    for message in messages:
        last = folded[-1] if folded else None
        if last and last.sender == message.sender and abs(message.sent_at - last.last_at) <= gap:
            folded[-1] = replace(last, last_at=message.sent_at, texts=(*last.texts, message.text))
        else:
            folded.append(Run(message.sender, message.sent_at, message.sent_at, (message.text,)))
    return folded


def message_key(*, group_id: int, tutor_id: int, sent_at: datetime, text: str) -> int:
    """The entry's message_id: the first 63 bits of SHA-256 over group, author, the file's
    wall-clock time and the words, so the same run always gets the same positive BIGINT."""
    material = "\x1f".join((str(group_id), str(tutor_id), sent_at.isoformat(), text))
    digest = hashlib.sha256(material.encode()).digest()
    return (int.from_bytes(digest[:8], "big") >> 1) or 1


def name_key(name: str) -> str:
    """Names compare ignoring case and spacing, as people type them differently."""
    return " ".join(name.split()).casefold()


def to_utc(wall: datetime, timezone: str) -> datetime:
    return wall.replace(tzinfo=ZoneInfo(timezone)).astimezone(UTC)


async def plan(
    session: AsyncSession, *, export: ChatExport, group_name: str, names: Mapping[str, int]
) -> ImportPlan:
    """Everything an import would store in the named group; reads only."""
    group = await groups.by_name(session, name=group_name)
    if group is None:
        raise ImportProblem(
            f"--group: no peer group called {group_name!r} (see: reflectbot group list)"
        )
    senders = {message.sender for message in export.messages}
    matched = await match_senders(session, senders=senders, names=names)
    planned = [
        planned_entry(group, run, matched[run.sender])
        for run in runs(export.messages)
        if run.sender in matched and run.text
    ]
    unique = {entry.message_id: entry for entry in planned}
    unmatched = Counter(m.sender for m in export.messages if m.sender not in matched)
    outside = await not_members(session, group_id=group.id, tutors=matched.values())
    return ImportPlan(
        group.id, group.name, group.timezone, tuple(unique.values()), dict(unmatched), outside
    )


def planned_entry(group: PeerGroup, run: Run, tutor: Tutor) -> Planned:
    key = message_key(group_id=group.id, tutor_id=tutor.id, sent_at=run.sent_at, text=run.text)
    author = " ".join(tutor.display_name.split())
    return Planned(tutor.id, author, to_utc(run.sent_at, group.timezone), key, run.text)


async def match_senders(
    session: AsyncSession, *, senders: Iterable[str], names: Mapping[str, int]
) -> dict[str, Tutor]:
    """Each sender's tutor: a --map entry first, else a display name no other tutor shares."""
    mapped = await mapped_tutors(session, names)
    everyone = await tutor_store.all_tutors(session=session)
    counts = Counter(name_key(tutor.display_name) for tutor in everyone)
    by_name = {
        name_key(t.display_name): t for t in everyone if counts[name_key(t.display_name)] == 1
    }
    found = {
        sender: mapped.get(name_key(sender)) or by_name.get(name_key(sender)) for sender in senders
    }
    return {sender: tutor for sender, tutor in found.items() if tutor is not None}


async def mapped_tutors(session: AsyncSession, names: Mapping[str, int]) -> dict[str, Tutor]:
    """The tutors --map names; a Telegram id nobody set up with stops the import."""
    found: dict[str, Tutor] = {}
    for name, user_id in names.items():
        tutor = await tutor_store.get_tutor(session=session, telegram_user_id=user_id)
        if tutor is None:
            raise ImportProblem(
                f"--map {name}={user_id}: nobody with Telegram user id {user_id} has set up the bot"
            )
        found[name_key(name)] = tutor
    return found


async def not_members(
    session: AsyncSession, *, group_id: int, tutors: Iterable[Tutor]
) -> tuple[str, ...]:
    """Matched tutors outside the group: stored, but its digests only read members' entries."""
    outside = {
        tutor.id: " ".join(tutor.display_name.split())
        for tutor in tutors
        if await group_store.membership(session=session, group_id=group_id, tutor_id=tutor.id)
        is None
    }
    return tuple(sorted(outside.values()))


async def already_stored(session: AsyncSession, *, plan: ImportPlan) -> int:
    """How many planned entries an earlier import already stored, for a dry run."""
    found = [
        await reflection_store.get_by_message(
            session=session, chat_id=WHATSAPP_CHAT_ID, message_id=entry.message_id
        )
        for entry in plan.entries
    ]
    return sum(1 for reflection in found if reflection is not None)


async def store(session: AsyncSession, *, plan: ImportPlan, tagger: Tagger) -> Outcome:
    """Stores and tags the planned entries that are new, and leaves an audit row."""
    stored = 0
    for entry in plan.entries:
        stored += await store_entry(session, entry=entry, tagger=tagger)
    outcome = Outcome(stored, len(plan.entries) - stored)
    await audit.record(
        session=session,
        action=AUDIT_ACTION,
        actor_telegram_id=None,
        detail=audit_detail(plan, outcome),
    )
    return outcome


async def store_entry(session: AsyncSession, *, entry: Planned, tagger: Tagger) -> bool:
    """True when the entry is new; one imported before is left exactly as it is."""
    reflection, is_new = await reflection_store.add_reflection(
        session=session,
        tutor_id=entry.tutor_id,
        chat_id=WHATSAPP_CHAT_ID,
        message_id=entry.message_id,
        source=EntrySource.WHATSAPP,
        share_level=ShareLevel.GROUP,
        text=entry.text,
        extra={"created_at": entry.created_at},
    )
    if is_new:
        await auto_tag(session, reflection=reflection, tagger=tagger)
    return is_new


def audit_detail(plan: ImportPlan, outcome: Outcome) -> dict[str, Any]:
    """Which group and how many: no words, and no names of people who never consented."""
    span = plan.span()
    per_tutor = Counter(str(entry.tutor_id) for entry in plan.entries)
    return {
        "group_id": plan.group_id,
        "group": plan.group_name,
        "stored": outcome.stored,
        "already_present": outcome.already,
        "per_tutor": dict(per_tutor),
        "unmatched_senders": len(plan.unmatched),
        "unmatched_messages": sum(plan.unmatched.values()),
        "first": span[0].isoformat() if span else None,
        "last": span[1].isoformat() if span else None,
    }

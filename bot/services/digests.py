"""The weekly digest: what a group's week looked like, within what each entry's share level allows.

`private` entries count towards how many members reflected (a number, never their words,
tags or name); `lead` entries appear only in a lead's copy; `group_anonymous` ones never carry a
name, not even in the lead's list of who reflected.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.tagging.codes import Codebook
from storage import digests as store
from storage import groups as group_store
from storage.vocabulary import ShareLevel

WEEK_SHAPE = re.compile(r"(\d{4})-W(\d{2})")
EXCERPT_CHARS = 160
MAX_EXCERPTS = 6
SHARED = {ShareLevel.GROUP, ShareLevel.GROUP_ANONYMOUS}
NAMED = {ShareLevel.GROUP, ShareLevel.LEAD}


@dataclass(frozen=True)
class Week:
    """An ISO week (Monday to Sunday) in a group's own time zone."""

    year: int
    number: int

    @classmethod
    def parse(cls, text: str) -> Week:
        found = WEEK_SHAPE.fullmatch(text.strip())
        if not found:
            raise ValueError(f"not an ISO week like 2026-W47: {text[:20]!r}")
        week = cls(int(found.group(1)), int(found.group(2)))
        week.monday()  # refuses W54 and the like
        return week

    @classmethod
    def containing(cls, instant: datetime, timezone: str) -> Week:
        year, number, _ = instant.astimezone(ZoneInfo(timezone)).isocalendar()
        return cls(year, number)

    def monday(self) -> date:
        return date.fromisocalendar(self.year, self.number, 1)

    def bounds(self, timezone: str) -> tuple[datetime, datetime]:
        """Monday 00:00 to the next Monday 00:00, local time, as aware instants."""
        zone, monday = ZoneInfo(timezone), self.monday()
        start = datetime(monday.year, monday.month, monday.day, tzinfo=zone)
        following = monday + timedelta(days=7)
        return start, datetime(following.year, following.month, following.day, tzinfo=zone)

    def previous(self) -> Week:
        year, number, _ = (self.monday() - timedelta(days=7)).isocalendar()
        return Week(year, number)

    def __str__(self) -> str:
        return f"{self.year}-W{self.number:02d}"


@dataclass(frozen=True)
class Excerpt:
    author: str | None  # None for group_anonymous
    text: str
    for_lead_only: bool


@dataclass(frozen=True)
class Digest:
    """One copy of a digest: the group's (`for_lead` False) or a lead's."""

    group_name: str
    week: Week
    first_day: date
    for_lead: bool
    members: int
    entries: int
    reflected: int
    reflected_names: tuple[str, ...]
    outcomes: tuple[tuple[str, int], ...]  # (code id, count) in codebook order
    challenges: tuple[tuple[str, int, int], ...]  # (code id, this week, last week), most first
    excerpts: tuple[Excerpt, ...]


async def build(
    session: AsyncSession, *, group_id: int, week: Week, for_lead: bool, codebook: Codebook
) -> Digest | None:
    group = await group_store.get_group(session=session, group_id=group_id)
    if group is None:
        return None
    entries = await _entries(session, group_id, week, group.timezone)
    earlier = await _entries(session, group_id, week.previous(), group.timezone)
    readable = [entry for entry in entries if _readable(entry.share_level, for_lead)]
    return Digest(
        group_name=group.name,
        week=week,
        first_day=week.monday(),
        for_lead=for_lead,
        members=await store.member_count(session=session, group_id=group_id),
        entries=len(entries),
        reflected=len({entry.tutor_id for entry in entries}),
        reflected_names=_names(entries) if for_lead else (),
        outcomes=_outcomes(readable, codebook),
        challenges=_challenges(readable, _shared(earlier, for_lead), codebook),
        excerpts=_excerpts(readable),
    )


async def _entries(
    session: AsyncSession, group_id: int, week: Week, timezone: str
) -> list[store.WeekEntry]:
    start, end = week.bounds(timezone)
    return await store.week_entries(session=session, group_id=group_id, start=start, end=end)


def _readable(level: ShareLevel, for_lead: bool) -> bool:
    """What may be read in this copy: shared entries, and `lead` ones in a lead's copy."""
    return level in SHARED or (for_lead and level == ShareLevel.LEAD)


def _shared(entries: list[store.WeekEntry], for_lead: bool) -> list[store.WeekEntry]:
    return [entry for entry in entries if _readable(entry.share_level, for_lead)]


def _names(entries: list[store.WeekEntry]) -> tuple[str, ...]:
    """Only authors who let a lead see their name: a private or anonymous entry names no one."""
    return tuple(sorted({entry.author for entry in entries if entry.share_level in NAMED}))


def _outcomes(entries: list[store.WeekEntry], codebook: Codebook) -> tuple[tuple[str, int], ...]:
    counts = Counter(code for entry in entries for code in entry.codes)
    return tuple((code.id, counts[code.id]) for code in codebook.outcomes)


def _challenges(
    entries: list[store.WeekEntry], earlier: list[store.WeekEntry], codebook: Codebook
) -> tuple[tuple[str, int, int], ...]:
    now = Counter(code for entry in entries for code in entry.codes)
    before = Counter(code for entry in earlier for code in entry.codes)
    rows = [(code.id, now[code.id], before[code.id]) for code in codebook.challenges]
    return tuple(sorted((row for row in rows if row[1]), key=lambda row: -row[1]))


def _excerpts(entries: list[store.WeekEntry]) -> tuple[Excerpt, ...]:
    chosen = [entry for entry in entries if entry.text][-MAX_EXCERPTS:]
    return tuple(
        Excerpt(
            author=None if _anonymous(entry) else entry.author,
            text=_shorten(_without_name(entry) if _anonymous(entry) else entry.text or ""),
            for_lead_only=entry.share_level == ShareLevel.LEAD,
        )
        for entry in chosen
    )


def _anonymous(entry: store.WeekEntry) -> bool:
    return entry.share_level == ShareLevel.GROUP_ANONYMOUS


def _without_name(entry: store.WeekEntry) -> str:
    """An anonymous entry that names its own author would not be anonymous."""
    text = entry.text or ""
    for part in {entry.author, *entry.author.split()}:
        if len(part) > 1:
            text = re.sub(rf"\b{re.escape(part)}\b", "…", text, flags=re.IGNORECASE)
    return text


def _shorten(text: str) -> str:
    flat = " ".join(text.split())
    if len(flat) <= EXCERPT_CHARS:
        return flat
    return flat[:EXCERPT_CHARS].rsplit(" ", 1)[0] + "…"


def main_challenge(digest: Digest) -> str | None:
    return digest.challenges[0][0] if digest.challenges else None

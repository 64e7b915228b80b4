"""A tutor's teaching week: sessions typed in one line or tapped in, pauses and reminder style."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.calendar_names import day_numbers
from bot.services.identity import Identity
from bot.services.prompt_schedule import Rules, at_local
from storage import schedules, sends
from storage import tutors as tutor_store
from storage.models import TeachingSession
from storage.vocabulary import ReminderStyle

MAX_SESSIONS = 30
MAX_PAUSE = timedelta(days=366)
PLACE_LENGTH = 120
DAYS = day_numbers()
CLOCK = r"\d{1,2}(?:[:.]\d{2})?\s*(?:am|pm)?\b"
LINE = re.compile(
    rf"^(?P<day>[a-z]+)\.?,?\s+(?P<first>{CLOCK})(?:\s*(?:-|–|—|to)\s*(?P<second>{CLOCK}))?"
    r"(?P<place>.*)$",
    re.IGNORECASE,
)
TIME = re.compile(r"^(?P<hour>\d{1,2})(?:[:.](?P<minute>\d{2}))?\s*(?P<half>am|pm)?$", re.I)


@dataclass(frozen=True)
class SessionTimes:
    """One weekly session as typed: its day, when it ends, when it starts if given, where."""

    weekday: int
    ends_minute: int
    starts_minute: int | None = None
    place: str = ""


class Added(StrEnum):
    ADDED = "added"
    DUPLICATE = "duplicate"
    FULL = "full"


@dataclass(frozen=True)
class TeachingWeek:
    """What /schedule shows: the sessions, how the tutor likes reminding, and any pause."""

    sessions: Sequence[TeachingSession]
    style: ReminderStyle
    paused_until: date | None


def parse_line(text: str) -> SessionTimes | None:
    """`Tue 15:30 Oakfield Primary` (the end) or `Tue 14:30-15:30 Oakfield`; None if unreadable."""
    match = LINE.match(" ".join(text.split()))
    if match is None or match["day"].lower() not in DAYS:
        return None
    first, second = _clock(match["first"]), _clock(match["second"] or "")
    if first is None or (match["second"] and second is None):
        return None
    starts, ends = (None, first[0]) if second is None else _range(first, second)
    if starts is not None and starts >= ends:
        return None
    place = match["place"].strip(" ,-–—")[:PLACE_LENGTH]
    return SessionTimes(DAYS[match["day"].lower()], ends, starts, place)


def _clock(text: str) -> tuple[int, str | None] | None:
    """Minutes after midnight and any am/pm; a bare hour needs am or pm to be a time."""
    match = TIME.match(text.strip())
    if match is None or (match["minute"] is None and match["half"] is None):
        return None
    hour, minute, half = int(match["hour"]), int(match["minute"] or 0), match["half"]
    if half:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if half.lower() == "pm" else 0)
    if hour > 23 or minute > 59:
        return None
    return hour * 60 + minute, half


def _range(first: tuple[int, str | None], second: tuple[int, str | None]) -> tuple[int, int]:
    """In `2:30-3:30pm` the pm belongs to both, when that keeps the start first."""
    starts, ends = first[0], second[0]
    if first[1] is None and second[1] and second[1].lower() == "pm" and starts + 720 < ends:
        starts += 720
    return starts, ends


async def week(session: AsyncSession, *, who: Identity) -> TeachingWeek:
    tutor = await tutor_store.require(session=session, tutor_id=who.tutor_id)
    rows = await schedules.sessions_of(session=session, tutor_id=who.tutor_id)
    return TeachingWeek(rows, tutor.reminder_style, tutor.paused_until)


async def add(session: AsyncSession, *, who: Identity, times: SessionTimes) -> Added:
    rows = await schedules.sessions_of(session=session, tutor_id=who.tutor_id)
    if any(r.weekday == times.weekday and r.ends_minute == times.ends_minute for r in rows):
        return Added.DUPLICATE
    if len(rows) >= MAX_SESSIONS:
        return Added.FULL
    await schedules.add_session(
        session=session,
        tutor_id=who.tutor_id,
        weekday=times.weekday,
        ends_minute=times.ends_minute,
        starts_minute=times.starts_minute,
        place=times.place,
    )
    return Added.ADDED


async def remove(session: AsyncSession, *, who: Identity, session_id: int) -> SessionTimes | None:
    """The session as it was, or None if it was already gone (or never theirs); a prompt for
    it that is waiting to go is forgotten too."""
    rows = await schedules.sessions_of(session=session, tutor_id=who.tutor_id)
    row = next((r for r in rows if r.id == session_id), None)
    if row is None or not await schedules.remove_session(
        session=session, tutor_id=who.tutor_id, session_id=session_id
    ):
        return None
    await sends.drop_pending(session=session, key_prefix=f"prompt:{session_id}:")
    return SessionTimes(row.weekday, row.ends_minute, row.starts_minute, row.place)


async def set_style(session: AsyncSession, *, who: Identity, style: ReminderStyle) -> None:
    await schedules.set_reminder_style(session=session, tutor_id=who.tutor_id, style=style)


def today_for(who: Identity, now: datetime) -> date:
    return now.astimezone(ZoneInfo(who.timezone)).date()


def pause_problem(until: date, today: date) -> str | None:
    """Why a pause date won't do ("past", "too_far"), or None when it is fine."""
    if until <= today:
        return "past"
    if until - today > MAX_PAUSE:
        return "too_far"
    return None


async def pause(session: AsyncSession, *, who: Identity, until: date) -> None:
    await schedules.set_paused_until(session=session, tutor_id=who.tutor_id, until=until)


async def resume(session: AsyncSession, *, who: Identity, today: date) -> bool:
    """True when the tutor was paused; a pause already over counts as not paused."""
    tutor = await tutor_store.require(session=session, tutor_id=who.tutor_id)
    was_paused = tutor.paused_until is not None and tutor.paused_until > today
    await schedules.set_paused_until(session=session, tutor_id=who.tutor_id, until=None)
    return was_paused


async def next_prompt_at(
    session: AsyncSession, *, telegram_user_id: int, now: datetime, rules: Rules
) -> datetime | None:
    """When this person's next after-session prompt will go, for the sandbox's time travel."""
    tutor = await tutor_store.get_tutor(session=session, telegram_user_id=telegram_user_id)
    if tutor is None:
        return None
    zone = ZoneInfo(tutor.timezone)
    today = now.astimezone(zone).date()
    upcoming = [
        rules.after_session(at_local(day, row.ends_minute, zone), zone)
        for row in await schedules.sessions_of(session=session, tutor_id=tutor.id)
        for day in (today + timedelta(days=n) for n in range(8))
        if day.weekday() == row.weekday
    ]
    return min((due for due in upcoming if due > now), default=None)

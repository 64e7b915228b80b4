"""When each tutor's check-in falls due: after their own sessions, or once a day or a week.

Times are worked out on the tutor's local calendar, so a 15:30 session stays 15:30 across
the clock changes. A prompt that would land in quiet hours waits for the morning; one missed
while the bot was down goes out if it is less than a day late and is otherwise skipped.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from storage import schedules, sends
from storage.models import TeachingSession, Tutor
from storage.vocabulary import ReminderStyle, SendKind, SendStatus

logger = logging.getLogger(__name__)

TOO_LATE = timedelta(days=1)
LOOK_BACK_DAYS = 2
DAILY_AT = 18 * 60
WEEKDAYS = (0, 1, 2, 3, 4)
WEEKLY_ON, WEEKLY_AT = 4, 17 * 60
NUDGES = (SendKind.PROMPT, SendKind.DAILY_REMINDER, SendKind.WEEKLY_REMINDER)


@dataclass(frozen=True)
class QuietHours:
    """Local hours when nobody is nudged, e.g. 21:00 to 07:00 (it may run past midnight)."""

    starts: time
    ends: time

    @classmethod
    def parse(cls, text: str) -> QuietHours:
        starts, ends = (time.fromisoformat(part.zfill(5)) for part in text.split("-"))
        return cls(starts, ends)

    def contains(self, moment: time) -> bool:
        if self.starts <= self.ends:
            return self.starts <= moment < self.ends
        return moment >= self.starts or moment < self.ends

    def move_out(self, instant: datetime, zone: ZoneInfo) -> datetime:
        """The instant itself, or the end of the quiet hours it falls in."""
        local = instant.astimezone(zone)
        if not self.contains(local.time()):
            return instant
        day = local.date()
        if self.starts > self.ends and local.time() >= self.starts:
            day += timedelta(days=1)
        return datetime.combine(day, self.ends, tzinfo=zone)


@dataclass(frozen=True)
class Rules:
    """What an operator sets: how long after a session to ask, and when to stay quiet."""

    delay: timedelta
    quiet: QuietHours

    def after_session(self, ended: datetime, zone: ZoneInfo) -> datetime:
        """When a session's check-in goes: the delay after its end, out of quiet hours."""
        return self.quiet.move_out(ended + self.delay, zone)


@dataclass(frozen=True)
class Nudge:
    """One prompt or reminder a tutor is owed, before it is planned."""

    kind: SendKind
    key: str
    tutor: Tutor
    moment: datetime  # the session's end, or the reminder's time
    due: datetime
    since: datetime  # any entry from here on means the tutor has already reflected


def at_local(day: date, minute: int, zone: ZoneInfo) -> datetime:
    """Minutes after local midnight on a local date, as an aware instant."""
    hour, minute = divmod(minute, 60)
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=zone)


def recent_days(zone: ZoneInfo, now: datetime, weekdays: Sequence[int]) -> Iterator[date]:
    """The last few local dates, oldest first, that fall on one of `weekdays`."""
    today = now.astimezone(zone).date()
    for back in range(LOOK_BACK_DAYS, -1, -1):
        day = today - timedelta(days=back)
        if day.weekday() in weekdays:
            yield day


def session_nudges(
    tutor: Tutor, sessions: Sequence[TeachingSession], now: datetime, rules: Rules
) -> Iterator[Nudge]:
    zone = ZoneInfo(tutor.timezone)
    for row in sessions:
        for day in recent_days(zone, now, (row.weekday,)):
            ended = at_local(day, row.ends_minute, zone)
            if ended >= row.created_at:
                due = rules.after_session(ended, zone)
                key = f"prompt:{row.id}:{day.isoformat()}"
                yield Nudge(SendKind.PROMPT, key, tutor, ended, due, ended)


def reminder_nudges(tutor: Tutor, now: datetime, rules: Rules) -> Iterator[Nudge]:
    zone = ZoneInfo(tutor.timezone)
    weekly = tutor.reminder_style == ReminderStyle.WEEKLY
    kind = SendKind.WEEKLY_REMINDER if weekly else SendKind.DAILY_REMINDER
    days, minute, span = (
        ((WEEKLY_ON,), WEEKLY_AT, timedelta(days=7))
        if weekly
        else (WEEKDAYS, DAILY_AT, timedelta(days=1))
    )
    for day in recent_days(zone, now, days):
        moment = at_local(day, minute, zone)
        if moment >= tutor.created_at:
            due = rules.quiet.move_out(moment, zone)
            key = f"reminder:{tutor.id}:{day.isoformat()}"
            yield Nudge(kind, key, tutor, moment, due, moment - span)


def is_paused(tutor: Tutor, moment: datetime) -> bool:
    """Paused until a local date means quiet for everything before that date begins."""
    if tutor.paused_until is None:
        return False
    return moment.astimezone(ZoneInfo(tutor.timezone)).date() < tutor.paused_until


async def plan_due(session: AsyncSession, *, now: datetime, rules: Rules) -> int:
    """Plans every prompt and reminder now due; returns how many will be sent."""
    seen = await sends.keys_since(
        session=session, kinds=NUDGES, since=now - timedelta(days=LOOK_BACK_DAYS + 2)
    )
    added = 0
    for nudge in await _owed(session, now, rules):
        if nudge.due <= now and nudge.key not in seen:
            added += await _plan(session, nudge, now)
    return added


async def _owed(session: AsyncSession, now: datetime, rules: Rules) -> list[Nudge]:
    owed: list[Nudge] = []
    for tutor, rows in await schedules.prompted_tutors(session=session):
        if tutor.reminder_style == ReminderStyle.AFTER_SESSION:
            owed.extend(session_nudges(tutor, rows, now, rules))
        else:
            owed.extend(reminder_nudges(tutor, now, rules))
    return owed


async def _plan(session: AsyncSession, nudge: Nudge, now: datetime) -> int:
    """Recorded either way, so the same nudge is never weighed twice."""
    status = SendStatus.PENDING
    if now - nudge.due > TOO_LATE:
        logger.info("%s for tutor %d is over a day late; skipped", nudge.kind, nudge.tutor.id)
        status = SendStatus.SKIPPED
    elif is_paused(nudge.tutor, nudge.moment):
        status = SendStatus.SKIPPED
    await sends.plan(
        session=session,
        key=nudge.key,
        kind=nudge.kind,
        chat_id=nudge.tutor.telegram_user_id,
        due_at=nudge.due,
        period=nudge.key.rsplit(":", 1)[1],
        tutor_id=nudge.tutor.id,
        quiet_if_reflected_since=nudge.since,
        status=status,
    )
    return int(status == SendStatus.PENDING)

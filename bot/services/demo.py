"""A realistic week for showing the bot: Carys leads a peer group with Aisha and Ben.

Written for this project (no real tutor's words). Used to render the sample digest in
`docs/`, and by `reflectbot sandbox --demo` (`seed`, once per database).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from bot.services import digest_schedule, digests, groups
from bot.services.entries import auto_tag, start_of_week
from bot.tagging.tagger import Tagger
from storage import groups as group_store
from storage import reflections as reflection_store
from storage import schedules
from storage import tutors as tutor_store
from storage.base import utcnow
from storage.models import Tutor
from storage.vocabulary import EntrySource, OnboardingStep, Role, ShareLevel

GROUP_NAME = "Oakfield Strings"
TIMEZONE = "Europe/London"
PEOPLE = ((1003, "Carys", True), (1001, "Aisha", False), (1002, "Ben", False))
COORDINATOR = (1004, "Dev")
# (telegram user id, weekday with Monday 0, starts and ends in minutes after midnight, place)
TEACHING = (
    (1001, 1, 14 * 60 + 30, 15 * 60 + 30, "Oakfield Primary"),
    (1001, 3, 13 * 60, 14 * 60, "St Mary's nurture group"),
    (1002, 0, 15 * 60 + 15, 16 * 60 + 15, "Hillside Academy band"),
    (1002, 2, 15 * 60, 16 * 60, "Brookfield samba"),
    (1003, 4, 13 * 60 + 30, 15 * 60, "Oakfield ukulele club"),
)
# Far above the ids of a sandbox chat, which start again at 1 on each run: a persona's own
# new message must never land on a seeded entry's (chat_id, message_id).
FIRST_MESSAGE_ID = 900_000_000
LEEWAY = timedelta(minutes=5)
WEEK = (
    (
        1001,
        0,
        ShareLevel.GROUP,
        "Samba band at Oakfield kept time together for the first time. "
        "Leo led the call and response and the others followed him, which they never do.",
    ),
    (
        1002,
        0,
        ShareLevel.GROUP_ANONYMOUS,
        "Only three turned up because of the trip, but the three "
        "who came worked really well together on the drumming piece.",
    ),
    (
        1003,
        1,
        ShareLevel.LEAD,
        "Worried about one boy in the nurture group who seemed withdrawn. "
        "Passed it on to the school's safeguarding lead.",
    ),
    (1001, 1, ShareLevel.PRIVATE, "Tired today. Need to plan the spring concert properly."),
    (
        1002,
        2,
        ShareLevel.GROUP,
        "Ukulele group: Maya played the whole chord sequence without "
        "stopping and was so proud of herself. The class cheered.",
    ),
    (
        1003,
        2,
        ShareLevel.GROUP,
        "Behaviour was hard in the second half, two boys kept "
        "disrupting. Splitting them into different sections helped a bit.",
    ),
    (
        1001,
        3,
        ShareLevel.GROUP_ANONYMOUS,
        "The keyboards still don't all work, so we shared in "
        "pairs. Actually that got them listening to each other.",
    ),
    (1002, 3, ShareLevel.LEAD, "Struggling to fit planning in around travel between schools."),
    (
        1003,
        4,
        ShareLevel.GROUP,
        "Attendance was down again in the after-school club, but the new "
        "song went down well with the ones who came and they asked to perform it.",
    ),
)


@dataclass(frozen=True)
class Demo:
    """The demo group as a start found it: its id, its linked chat, and whether it was just made."""

    group_id: int
    chat_id: int
    seeded: bool


def entry_times(monday: datetime, until: datetime | None = None) -> list[datetime]:
    """Monday to Friday afternoons; squeezed, in order, into the week so far while it is young."""
    planned = [
        monday + timedelta(days=day, hours=16, minutes=10 * number)
        for number, (_, day, _, _) in enumerate(WEEK, start=1)
    ]
    if until is None or planned[-1] < until:
        return planned
    room = max(until - LEEWAY - monday, timedelta(0)) / (planned[-1] - monday)
    return [monday + (moment - monday) * room for moment in planned]


async def seed(session: AsyncSession, *, tagger: Tagger, chat_id: int) -> Demo:
    """The demo week in this week so far, made once per database and linked to `chat_id`."""
    now, seeded = utcnow(), False
    group = await groups.by_name(session, name=GROUP_NAME)
    if group is None:
        monday = start_of_week(TIMEZONE, now)
        group_id = await seed_week(session, tagger=tagger, monday=monday, until=now)
        await _person(session, *COORDINATOR, role=Role.COORDINATOR, since=now)
        await _teaching_weeks(session)
        group, seeded = await group_store.get_group(session=session, group_id=group_id), True
        assert group is not None
    linked = group.telegram_chat_id
    if linked is None:
        await group_store.link_chat(session=session, group_id=group.id, chat_id=chat_id)
    return Demo(group.id, linked if linked is not None else chat_id, seeded)


async def _teaching_weeks(session: AsyncSession) -> None:
    """Regular sessions, so "next session end" on the sandbox page has something to jump to."""
    for user_id, weekday, starts, ends, place in TEACHING:
        tutor = await tutor_store.get_tutor(session=session, telegram_user_id=user_id)
        assert tutor is not None
        await schedules.add_session(
            session=session,
            tutor_id=tutor.id,
            weekday=weekday,
            starts_minute=starts,
            ends_minute=ends,
            place=place,
        )


async def queue_digest(session: AsyncSession, *, group_id: int) -> int:
    """This week's digest, queued by hand for the running bot: the linked chat and the lead."""
    group = await group_store.get_group(session=session, group_id=group_id)
    assert group is not None
    now = utcnow()
    week = digests.Week.containing(now, group.timezone)
    return await digest_schedule.plan_now(session, group=group, week=week, now=now)


async def _person(
    session: AsyncSession, user_id: int, name: str, *, role: Role, since: datetime
) -> Tutor:
    """A persona who already set up is kept as they are; anyone else arrives set up."""
    tutor = await tutor_store.get_tutor(session=session, telegram_user_id=user_id)
    if tutor is None:
        tutor = await tutor_store.create_tutor(
            session=session,
            telegram_user_id=user_id,
            display_name=name,
            timezone=TIMEZONE,
            consent_version="demo",
            consented_at=since,
            role=role,
        )
        tutor.onboarding_step = OnboardingStep.DONE
    return tutor


async def seed_week(
    session: AsyncSession, *, tagger: Tagger, monday: datetime, until: datetime | None = None
) -> int:
    """The group, its three members and a week of entries from `monday` (all before `until`,
    when given); returns the group id."""
    made = await groups.create(session, name=GROUP_NAME, timezone=TIMEZONE)
    for user_id, name, lead in PEOPLE:
        role = Role.LEAD if lead else Role.TUTOR
        tutor = await _person(session, user_id, name, role=role, since=monday)
        await group_store.add_member(
            session=session, group_id=made.id, tutor_id=tutor.id, is_lead=lead
        )
        await groups.refresh_role(session, tutor_id=tutor.id)
    times = entry_times(monday, until)
    for number, (user_id, _, level, text) in enumerate(WEEK, start=1):
        author = await tutor_store.get_tutor(session=session, telegram_user_id=user_id)
        assert author is not None
        entry, _ = await reflection_store.add_reflection(
            session=session,
            tutor_id=author.id,
            chat_id=user_id,
            message_id=FIRST_MESSAGE_ID + number,
            source=EntrySource.TEXT,
            share_level=level,
            text=text,
        )
        entry.created_at = times[number - 1]
        await auto_tag(session, reflection=entry, tagger=tagger)
    return made.id

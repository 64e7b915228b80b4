"""A realistic week for showing the bot: Carys leads a peer group with Aisha and Ben.

Written for this project (no real tutor's words). Used to render the sample digest in
`docs/`, and meant for `reflectbot sandbox --demo`.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from bot.services import groups
from bot.services.entries import auto_tag
from bot.tagging.tagger import Tagger
from storage import groups as group_store
from storage import reflections as reflection_store
from storage import tutors as tutor_store
from storage.vocabulary import EntrySource, OnboardingStep, Role, ShareLevel

PEOPLE = ((1003, "Carys", True), (1001, "Aisha", False), (1002, "Ben", False))
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


async def seed_week(session: AsyncSession, *, tagger: Tagger, monday: datetime) -> int:
    """The group, its three members and a week of entries from `monday`; returns the group id."""
    made = await groups.create(session, name="Oakfield Strings", timezone="Europe/London")
    for user_id, name, lead in PEOPLE:
        tutor = await tutor_store.create_tutor(
            session,
            telegram_user_id=user_id,
            display_name=name,
            timezone="Europe/London",
            consent_version="demo",
            consented_at=monday,
            role=Role.LEAD if lead else Role.TUTOR,
        )
        tutor.onboarding_step = OnboardingStep.DONE
        await group_store.add_member(session, group_id=made.id, tutor_id=tutor.id, is_lead=lead)
    for number, (user_id, day, level, text) in enumerate(WEEK, start=1):
        author = await tutor_store.get_tutor(session, telegram_user_id=user_id)
        assert author is not None
        entry, _ = await reflection_store.add_reflection(
            session,
            tutor_id=author.id,
            chat_id=user_id,
            message_id=number,
            source=EntrySource.TEXT,
            share_level=level,
            text=text,
        )
        entry.created_at = monday + timedelta(days=day, hours=16, minutes=10 * number)
        await auto_tag(session, reflection=entry, tagger=tagger)
    return made.id

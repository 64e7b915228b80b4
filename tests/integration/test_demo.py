"""`reflectbot sandbox --demo`: a peer group's week, its linked chat and a digest, ready at once."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from bot.cli import build_parser
from bot.database import Database
from bot.sandbox.client import SandboxClient
from bot.sandbox.runner import DEMO_CHAT_ID, Sandbox, demo_lines, running_sandbox
from bot.services import demo, digests
from bot.settings import Settings
from bot.tagging.codebook import load_codebook
from bot.tagging.tagger import Tagger
from storage import clock, reflections, tutors
from storage.models import (
    Membership,
    PeerGroup,
    Reflection,
    ScheduledSend,
    TeachingSession,
    Tutor,
)
from storage.vocabulary import EntrySource, Role, ShareLevel
from tests.integration.conftest import Chat, bot_says, is_bot, onboard, stored_reflections, text_of

LONDON = ZoneInfo("Europe/London")
MONDAY = datetime(2026, 11, 16, tzinfo=LONDON)
PRIVATE_TEXT = "Tired today"
LEAD_TEXTS = ("safeguarding lead", "Struggling to fit planning in")
GROUP_TEXTS = ("Samba band at Oakfield", "Maya played the whole chord sequence")


async def people(sandbox: Sandbox) -> dict[str, tuple[bool, str]]:
    """Each member's name: whether they lead, and their role."""
    async with sandbox.app.bot_data.db.transaction() as session:
        rows = await session.execute(
            select(Tutor.display_name, Membership.is_lead, Tutor.role).join(
                Membership, Membership.tutor_id == Tutor.id
            )
        )
        return {str(name): (bool(lead), str(role)) for name, lead, role in rows}


async def counts(sandbox: Sandbox) -> dict[str, int]:
    async with sandbox.app.bot_data.db.transaction() as session:
        return {
            model.__name__: int((await session.execute(select(func.count(model.id)))).scalar_one())
            for model in (PeerGroup, Tutor, Membership, Reflection, ScheduledSend, TeachingSession)
        }


async def linked_chat(sandbox: Sandbox) -> int | None:
    async with sandbox.app.bot_data.db.transaction() as session:
        group = (await session.execute(select(PeerGroup))).scalar_one()
        return group.telegram_chat_id


async def digest_in(client: SandboxClient, chat_id: int) -> tuple[str, str]:
    """The chart's caption and the digest's text, once both have arrived."""
    text = await client.wait_for(chat_id, bot_says("For your next meeting"), timeout=15)
    photos = [m for m in await client.messages(chat_id) if is_bot(m) and "photo" in m]
    assert len(photos) == 1, photos
    return text_of(photos[0]), text_of(text)


async def test_demo_seeds_a_linked_group_whose_digest_is_there_at_once(
    sandbox_settings: Settings,
) -> None:
    async with (
        running_sandbox(sandbox_settings, demo=True) as sandbox,
        SandboxClient(sandbox.url) as client,
    ):
        assert sandbox.demo is not None and sandbox.demo.seeded
        assert await people(sandbox) == {
            "Carys": (True, Role.LEAD),
            "Aisha": (False, Role.TUTOR),
            "Ben": (False, Role.TUTOR),
        }
        assert await linked_chat(sandbox) == DEMO_CHAT_ID
        room = sandbox.emulator.state.chats.get(DEMO_CHAT_ID)
        assert room is not None and sorted(room.member_ids) == [1001, 1002, 1003, 1004]

        caption, text = await digest_in(client, DEMO_CHAT_ID)
        assert "Personal" in caption
        assert "Oakfield Strings" in text and "9 reflections from 3 of 3 members" in text
        assert all(fragment in text for fragment in GROUP_TEXTS), text
        assert PRIVATE_TEXT not in text, "a private entry never reaches a digest"
        assert not any(fragment in text for fragment in LEAD_TEXTS), "lead-only stays with leads"
        assert "Reflected:" not in text, "only a lead's copy lists who reflected"
        said = [text_of(m) for m in await client.bot_replies(DEMO_CHAT_ID)]
        assert not any("/link CODE" in line for line in said), "the chat was already linked"

        carys = Chat(client, 1003, "Carys", 1003)
        await digest_in(client, carys.chat_id)  # the lead's own copy, queued with the group's
        mark = await carys.say("/digest")
        answer = await carys.wait_for(bot_says("For your next meeting"), after=mark, timeout=15)
        lead_copy = text_of(answer)
        assert all(fragment in lead_copy for fragment in LEAD_TEXTS), lead_copy
        assert PRIVATE_TEXT not in lead_copy and "Reflected: Aisha, Ben, Carys" in lead_copy
        seeded = await counts(sandbox)
        assert seeded == {
            "PeerGroup": 1,
            "Tutor": 4,  # Dev too, set up as the coordinator
            "Membership": 3,
            "Reflection": 9,
            "ScheduledSend": 2,  # the group chat's copy and Carys's
            "TeachingSession": 5,  # so "next session end" has somewhere to go
        }

    async with (
        running_sandbox(sandbox_settings, demo=True) as again,
        SandboxClient(again.url) as client,
    ):
        assert again.demo is not None and not again.demo.seeded
        assert await counts(again) == seeded, "a second start seeds nothing twice"
        assert again.emulator.state.chats.get(DEMO_CHAT_ID) is not None, "the chat is back"
        assert "earlier start" in " ".join(demo_lines(again.demo))
        dev = Chat(client, 1004, "Dev", 1004)
        assert "Oakfield Strings" in text_of(await dev.ask("/group")), "Dev is set up already"


async def test_a_plain_sandbox_stays_bare(sandbox: Sandbox) -> None:
    assert sandbox.demo is None
    assert await counts(sandbox) == dict.fromkeys(
        ("PeerGroup", "Tutor", "Membership", "Reflection", "ScheduledSend", "TeachingSession"), 0
    )
    assert sandbox.emulator.state.chats.get(DEMO_CHAT_ID) is None


def test_entries_fit_the_week_so_far() -> None:
    saturday = MONDAY + timedelta(days=5, hours=10)
    assert demo.entry_times(MONDAY, saturday) == demo.entry_times(MONDAY)
    assert demo.entry_times(MONDAY)[0] == MONDAY + timedelta(hours=16, minutes=10)
    for now in (MONDAY + timedelta(hours=9), MONDAY + timedelta(days=2, hours=11)):
        times = demo.entry_times(MONDAY, now)
        assert times == sorted(times) and len(set(times)) == len(times)
        assert times[0] >= MONDAY and times[-1] < now, (now, times)


async def test_started_on_a_monday_morning_the_week_so_far_is_full(database: Database) -> None:
    now = MONDAY + timedelta(hours=9)
    moved = clock.MovableClock()
    moved.move_to(now)
    real = clock.use(moved)
    try:
        async with database.transaction() as session:
            made = await demo.seed(session, tagger=Tagger(load_codebook()), chat_id=-42)
            week = digests.Week.containing(clock.now(), demo.TIMEZONE)
            digest = await digests.build(
                session, group_id=made.group_id, week=week, for_lead=True, codebook=load_codebook()
            )
            stamps = (await session.execute(select(Reflection.created_at))).scalars().all()
    finally:
        clock.use(real)
    assert digest is not None and (digest.entries, digest.reflected) == (9, 3)
    assert all(MONDAY <= stamp < now for stamp in stamps), ("none in the future", stamps)


async def test_seeding_keeps_a_persona_who_set_up_before(database: Database) -> None:
    """Aisha tried the plain sandbox first: her account and her entry stay as they were."""
    async with database.transaction() as session:
        aisha = await tutors.create_tutor(
            session=session,
            telegram_user_id=1001,
            display_name="Aisha K",
            timezone="Europe/London",
            consent_version="v1",
            consented_at=MONDAY,
        )
        await reflections.add_reflection(
            session=session,
            tutor_id=aisha.id,
            chat_id=1001,
            message_id=1,
            source=EntrySource.TEXT,
            share_level=ShareLevel.PRIVATE,
            text="My own first try.",
        )
    async with database.transaction() as session:
        made = await demo.seed(session, tagger=Tagger(load_codebook()), chat_id=-42)
    assert made.seeded and made.chat_id == -42
    async with database.transaction() as session:
        mine = await reflections.get_by_message(session=session, chat_id=1001, message_id=1)
        assert mine is not None and mine.text == "My own first try."
        names = (await session.execute(select(Tutor.display_name))).scalars().all()
        assert sorted(names) == ["Aisha K", "Ben", "Carys", "Dev"]
        group = (await session.execute(select(PeerGroup))).scalar_one()
        assert group.telegram_chat_id == -42
    async with database.transaction() as session:
        again = await demo.seed(session, tagger=Tagger(load_codebook()), chat_id=-43)
    assert again == demo.Demo(made.group_id, -42, seeded=False)


def test_the_command_line_takes_demo_but_not_with_emulator_only() -> None:
    parser = build_parser()
    assert parser.parse_args(["sandbox", "--demo"]).demo is True
    assert parser.parse_args(["sandbox"]).demo is False
    try:
        parser.parse_args(["sandbox", "--demo", "--emulator-only"])
    except SystemExit as refused:
        assert refused.code == 2
    else:
        raise AssertionError("--demo with --emulator-only was accepted")


async def test_a_restarted_sandbox_never_reuses_a_message_id(sandbox_settings: Settings) -> None:
    """The bot keys entries on (chat, message id): an id given again would look like a
    redelivery of an old entry, and the tutor's new words would be dropped."""
    first = "First run: the samba group found the break together"
    async with running_sandbox(sandbox_settings) as sandbox, SandboxClient(sandbox.url) as client:
        aisha = Chat(client, 1001, "Aisha", 1001)
        await onboard(aisha)
        first_id = await aisha.say(first)
        await aisha.reply_to(first_id)
    later = [f"Second run, note {n}: Leo kept the pulse on the surdo" for n in range(1, 5)]
    async with running_sandbox(sandbox_settings) as again, SandboxClient(again.url) as client:
        aisha = Chat(client, 1001, "Aisha", 1001)
        sent = []
        for text in later:
            sent.append(await aisha.say(text))
            await aisha.reply_to(sent[-1])
        stored = [entry.text for entry in await stored_reflections(again)]
    assert min(sent) > first_id, "ids go on from where the last run stopped"
    assert stored == [first, *later]

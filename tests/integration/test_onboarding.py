"""Onboarding end to end: honest consent wording, a dated record of it, one confirmation."""

from __future__ import annotations

import asyncio
import re
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.sandbox.client import SandboxClient
from bot.sandbox.runner import Sandbox
from bot.services.onboarding import CONSENT_VERSION
from storage.models import Membership, Tutor
from storage.vocabulary import OnboardingStep, ShareLevel
from tests.conftest import BACKENDS
from tests.integration.conftest import Chat, Message, bot_says, onboard, reread, text_of

CONFIRMATION = "i'll call you"
pytestmark = pytest.mark.parametrize("sandbox_settings", BACKENDS, indirect=True)


async def tutor_row(sandbox: Sandbox, user_id: int) -> Tutor:
    async with sandbox.app.bot_data.db.transaction() as session:
        query = select(Tutor).where(Tutor.telegram_user_id == user_id)
        return (await session.execute(query)).scalar_one()


async def consent(chat: Chat) -> tuple[Message, Message]:
    """The welcome and the confirmation that follows a yes."""
    welcome = await chat.ask("/start")
    mark = await chat.last_message_id()
    await chat.tap(welcome, "yes")
    return welcome, await chat.wait_for(bot_says(CONFIRMATION), after=mark)


async def tap_then(chat: Chat, message: Message, label: str, fragment: str) -> Message:
    mark = await chat.last_message_id()
    await chat.tap(message, label)
    return await chat.wait_for(bot_says(fragment), after=mark)


async def settled(chat: Chat, message: Message) -> Message:
    """The message once the bot has taken its buttons away."""
    for _ in range(50):
        now = await reread(chat, message)
        if not now.get("buttons"):
            return now
        await asyncio.sleep(0.1)
    raise AssertionError(f"the buttons stayed under {text_of(message)[:40]!r}")


async def test_the_welcome_says_what_is_built_and_true(sandbox: Sandbox, aisha: Chat) -> None:
    texts = sandbox.app.bot_data.texts
    welcome = text_of(await aisha.ask("/start"))
    assert "cloud" not in welcome.lower()
    assert "music service's own server" in welcome and "Telegram carries our messages" in welcome
    for level in ShareLevel:
        assert texts(f"share_{level}") in welcome, level
    assert f"New reflections start as {texts('share_private')}" in welcome
    assert "weekly digest" in welcome and "names who reflected" in welcome
    assert "export every reflection that isn't" in welcome and "T-…" in welcome
    for command in ("/mydata", "/forget", "/privacy"):
        assert command in welcome


async def test_consent_leaves_a_dated_record_in_the_chat(sandbox: Sandbox, aisha: Chat) -> None:
    welcome, _ = await consent(aisha)
    record = await settled(aisha, welcome)
    row = await tutor_row(sandbox, aisha.user_id)
    day = row.consented_at.astimezone(ZoneInfo("Europe/London"))
    line = f"✅ You agreed on {day.day} {day:%B %Y} (consent v{CONSENT_VERSION})."
    assert row.consent_version == CONSENT_VERSION
    assert text_of(record) == f"{text_of(welcome)}\n\n{line}"
    assert re.search(r"You agreed on \d{1,2} [A-Z][a-z]+ \d{4}", text_of(record))


async def test_one_tap_confirms_the_name_and_time_zone(sandbox: Sandbox, aisha: Chat) -> None:
    _, confirmation = await consent(aisha)
    assert "I'll call you Aisha and use UK time (Europe/London)" in text_of(confirmation)
    assert (await tutor_row(sandbox, aisha.user_id)).onboarding_step != OnboardingStep.DONE
    done = await tap_then(aisha, confirmation, "that's right", "all set")
    assert "All set, Aisha!" in text_of(done)
    assert not (await settled(aisha, confirmation)).get("buttons")
    row = await tutor_row(sandbox, aisha.user_id)
    assert (row.display_name, row.timezone, row.onboarding_step) == (
        "Aisha",
        "Europe/London",
        OnboardingStep.DONE,
    )


async def test_changing_the_name_and_the_time_zone(sandbox: Sandbox, ben: Chat) -> None:
    _, confirmation = await consent(ben)
    await tap_then(ben, confirmation, "change name", "what should i call you")
    renamed = await ben.wait_for(bot_says("call you Benedict"), after=await ben.say("  Benedict "))
    assert "UK time (Europe/London)" in text_of(renamed)
    question = await tap_then(ben, renamed, "change time zone", "which time zone")
    assert "keep uk time" in str(question["buttons"]).lower()
    unknown = await ben.wait_for(bot_says("don't recognise"), after=await ben.say("Narnia"))
    assert '"Narnia"' in text_of(unknown) and unknown["buttons"], "the way back stays"
    assert (await tutor_row(sandbox, ben.user_id)).timezone == "Europe/London"
    dublin = await ben.wait_for(bot_says(CONFIRMATION), after=await ben.say("dublin"))
    assert "I'll call you Benedict and use Europe/Dublin time" in text_of(dublin)
    done = await tap_then(ben, dublin, "that's right", "all set")
    assert "All set, Benedict!" in text_of(done)
    row = await tutor_row(sandbox, ben.user_id)
    assert (row.display_name, row.timezone, row.onboarding_step) == (
        "Benedict",
        "Europe/Dublin",
        OnboardingStep.DONE,
    )


async def test_keep_goes_back_to_the_confirmation_unchanged(sandbox: Sandbox, aisha: Chat) -> None:
    _, confirmation = await consent(aisha)
    zone_question = await tap_then(aisha, confirmation, "change time zone", "which time zone")
    back = await tap_then(aisha, zone_question, "keep", CONFIRMATION)
    assert "use UK time (Europe/London)" in text_of(back)
    assert (await tutor_row(sandbox, aisha.user_id)).onboarding_step == OnboardingStep.NAME
    name_question = await tap_then(aisha, back, "change name", "what should i call you")
    again = await tap_then(aisha, name_question, "keep aisha", CONFIRMATION)
    assert "I'll call you Aisha and" in text_of(again)
    await tap_then(aisha, again, "that's right", "all set")


async def test_old_onboarding_buttons_change_nothing_after_setup(
    sandbox: Sandbox, aisha: Chat, client: SandboxClient
) -> None:
    """Typing a name leaves the earlier confirmation's buttons in the chat, still tappable."""
    _, first = await consent(aisha)
    left_behind = [first]
    for name in ("Aisha X", "Aisha Y", "Aisha B"):
        said = await aisha.say(name)
        left_behind.append(await aisha.wait_for(bot_says(f"call you {name} "), after=said))
    await tap_then(aisha, left_behind.pop(), "that's right", "all set")
    mark = await aisha.last_message_id()
    for old, label in zip(
        left_behind, ("that's right", "change name", "change time zone"), strict=True
    ):
        tapped = await client.tap(
            aisha.user_id, aisha.chat_id, old["message_id"], _data(old, label)
        )
        answer = await client.callback_answer(tapped["callback_query_id"], wait=5)
        assert "all set already" in str(answer.get("text")).lower(), label
        assert not (await settled(aisha, old)).get("buttons")
    row = await tutor_row(sandbox, aisha.user_id)
    assert (row.display_name, row.onboarding_step) == ("Aisha B", OnboardingStep.DONE)
    assert await aisha.last_message_id() == mark, "no new messages, only a note on the tap"
    assert "aisha b" in text_of(await aisha.ask("/start")).lower()


async def test_buttons_from_the_older_step_by_step_questions(
    sandbox: Sandbox, aisha: Chat, client: SandboxClient
) -> None:
    """Chats still hold "Call me …" and "UK time" buttons from before the confirmation."""
    await consent(aisha)
    name_button = InlineKeyboardButton("Call me Aisha", callback_data="onb:name")
    zone_button = InlineKeyboardButton("🇬🇧 UK time (Europe/London)", callback_data="onb:tz")
    bot = sandbox.app.bot
    name = await bot.send_message(
        aisha.chat_id, "Old", reply_markup=InlineKeyboardMarkup([[name_button]])
    )
    zone = await bot.send_message(
        aisha.chat_id, "Old", reply_markup=InlineKeyboardMarkup([[zone_button]])
    )
    older = await reread(aisha, {"message_id": name.message_id})
    confirmation = await tap_then(aisha, older, "call me", CONFIRMATION)
    await tap_then(aisha, confirmation, "that's right", "all set")
    tapped = await client.tap(aisha.user_id, aisha.chat_id, zone.message_id, "onb:tz")
    answer = await client.callback_answer(tapped["callback_query_id"], wait=5)
    assert "all set already" in str(answer.get("text")).lower()
    assert (await tutor_row(sandbox, aisha.user_id)).onboarding_step == OnboardingStep.DONE


async def test_a_deep_link_joins_after_a_changed_name(
    sandbox: Sandbox, client: SandboxClient, ben: Chat
) -> None:
    dev = Chat(client, 1004, "Dev", 1004)
    await onboard(dev)
    created = await dev.ask("/newgroup Oakfield Strings")
    code = re.search(r"Invite code: ([A-Za-z0-9_-]{16})", text_of(created))
    assert code, "the coordinator got an invite code"
    welcome = await ben.ask(f"/start {code.group(1)}")
    mark = await ben.last_message_id()
    await ben.tap(welcome, "yes")
    confirmation = await ben.wait_for(bot_says(CONFIRMATION), after=mark)
    await tap_then(ben, confirmation, "change name", "what should i call you")
    renamed = await ben.wait_for(bot_says("call you Benji"), after=await ben.say("Benji"))
    await tap_then(ben, renamed, "that's right", "all set")
    await ben.wait_for(bot_says('You\'re in: "Oakfield Strings"'), after=mark)
    async with sandbox.app.bot_data.db.transaction() as session:
        joined = await session.scalar(
            select(Tutor.display_name).join(Membership, Membership.tutor_id == Tutor.id)
        )
    assert joined == "Benji"


def _data(message: Message, label: str) -> str:
    for row in message.get("buttons") or []:
        for button in row:
            if label in button["text"].lower():
                return str(button["callback_data"])
    raise AssertionError(f"no {label!r} button")

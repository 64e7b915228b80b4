"""Issue 2 end to end: onboarding, text reflections, history, help and the unhappy paths."""

import logging

import pytest
from telegram import Update

from bot.sandbox.client import SandboxClient
from bot.sandbox.runner import Sandbox
from tests.integration.conftest import (
    Chat,
    bot_says,
    is_bot,
    onboard,
    stored_reflections,
    text_of,
)

REFLECTION = "Year 4 ukulele group: Jamal led the warm-up and the whole class kept the pulse."


async def test_start_consent_and_a_text_reflection_is_stored(sandbox: Sandbox, aisha: Chat) -> None:
    await onboard(aisha)
    reply = await aisha.ask(REFLECTION)
    assert "saved" in text_of(reply).lower() and "aisha" in text_of(reply).lower()
    [entry] = await stored_reflections(sandbox)
    assert entry.text == REFLECTION and entry.source == "text" and entry.share_level == "private"


async def test_nothing_is_stored_before_consent(sandbox: Sandbox, aisha: Chat) -> None:
    welcome = await aisha.ask("/start")
    assert "private" in text_of(welcome).lower()
    reply = await aisha.ask("A reflection typed before saying yes")
    assert "/start" in text_of(reply)
    mark = await aisha.last_message_id()
    await aisha.tap(welcome, "not now")
    await aisha.wait_for(bot_says("nothing has been saved"), after=mark)
    assert await stored_reflections(sandbox) == []
    async with sandbox.app.bot_data.db.transaction() as session:
        from storage.tutors import get_tutor

        assert await get_tutor(session=session, telegram_user_id=aisha.user_id) is None


async def test_typed_name_and_time_zone(sandbox: Sandbox, ben: Chat) -> None:
    welcome = await ben.ask("/start")
    await ben.tap(welcome, "yes")
    await ben.wait_for(bot_says("i'll call you ben "))
    renamed = await ben.ask("Benedict")
    assert "i'll call you benedict" in text_of(renamed).lower()
    mark = await ben.last_message_id()
    await ben.tap(renamed, "change time zone")
    await ben.wait_for(bot_says("which time zone"), after=mark)
    assert "don't recognise" in text_of(await ben.ask("Narnia")).lower()
    zone = await ben.ask("europe/dublin")
    assert "europe/dublin" in text_of(zone).lower()
    mark = await ben.last_message_id()
    await ben.tap(zone, "that's right")
    await ben.wait_for(bot_says("all set, benedict"), after=mark)
    async with sandbox.app.bot_data.db.transaction() as session:
        from storage.tutors import get_tutor

        tutor = await get_tutor(session=session, telegram_user_id=ben.user_id)
    assert tutor is not None and tutor.timezone == "Europe/Dublin"


async def test_start_again_after_onboarding_welcomes_back(aisha: Chat) -> None:
    await onboard(aisha)
    assert "welcome back" in text_of(await aisha.ask("/start")).lower()


async def test_history_lists_recent_entries_newest_first(aisha: Chat) -> None:
    await onboard(aisha)
    assert "haven't saved" in text_of(await aisha.ask("/history")).lower()
    for number in range(1, 4):
        await aisha.ask(f"Session note number {number}")
    history = text_of(await aisha.ask("/history"))
    assert history.index("number 3") < history.index("number 1")
    assert "Your last 3 reflections" in history


async def test_help_and_unknown_command(aisha: Chat) -> None:
    await onboard(aisha)
    assert "/history" in text_of(await aisha.ask("/help"))
    unknown = text_of(await aisha.ask("/frobnicate now"))
    assert "/frobnicate" in unknown and "/help" in unknown


async def test_unsupported_message_types_get_a_helpful_answer(
    sandbox: Sandbox, aisha: Chat
) -> None:
    await onboard(aisha)
    for extra in (
        {
            "sticker": {
                "file_id": "s1",
                "file_unique_id": "s1",
                "width": 512,
                "height": 512,
                "is_animated": False,
                "is_video": False,
                "type": "regular",
            }
        },
        {"location": {"latitude": 51.5, "longitude": -0.12}},
    ):
        mark = await aisha.last_message_id()
        await sandbox.app.process_update(_update(sandbox, aisha, 900 + mark, extra))
        reply = await aisha.wait_for(bot_says("text and voice"), after=mark)
        assert reply
    assert await stored_reflections(sandbox) == []


async def test_the_same_update_delivered_twice_stores_one_reflection(
    sandbox: Sandbox, aisha: Chat
) -> None:
    await onboard(aisha)
    update = _update(sandbox, aisha, 5000, {"text": "Delivered twice by a flaky network"})
    await sandbox.app.process_update(update)
    await sandbox.app.process_update(update)
    entries = [e for e in await stored_reflections(sandbox) if e.message_id == 5000]
    assert len(entries) == 1
    await aisha.wait_for(bot_says("saved — thank you"))
    await aisha.say("/history")  # answered after anything the redelivery could have sent
    await aisha.wait_for(bot_says("your last"))
    replies = [text_of(m) for m in await aisha.client.messages(aisha.chat_id) if is_bot(m)]
    assert sum("Saved — thank you" in text for text in replies) == 1, replies


async def test_strangers_in_an_unlinked_group_are_ignored(
    sandbox: Sandbox, client: SandboxClient
) -> None:
    await client.create_group(-500, "Staff room", [1001, 1002])
    stranger = Chat(client, 4242, "Stranger", -500)
    await stranger.say("/start")
    await stranger.say("Here is something private about a pupil")
    await stranger.say("/history")
    await _settle(sandbox)
    said = [m["text"] for m in await client.messages(-500) if m["from"]["is_bot"]]
    assert len(said) == 1 and "/link CODE" in said[0], "only the one hint on how to link it"
    assert await stored_reflections(sandbox) == []


async def test_a_telegram_error_gets_an_apology_and_loses_nothing(
    sandbox: Sandbox, client: SandboxClient, aisha: Chat, caplog: pytest.LogCaptureFixture
) -> None:
    await onboard(aisha)
    await client.fault("sendMessage", 400, "Bad Request: something odd happened", count=1)
    secret = "Safeguarding worry about a child in year 5"
    with caplog.at_level(logging.INFO):
        mark = await aisha.say(secret)
        apology = await aisha.wait_for(bot_says("something went wrong"), after=mark)
    assert "saved — no need to send it again" in text_of(apology).lower()
    assert [e.text for e in await stored_reflections(sandbox)] == [secret]
    assert secret not in caplog.text
    assert "update_id=" in caplog.text


async def test_flood_control_is_retried_after_retry_after(
    sandbox: Sandbox, client: SandboxClient, aisha: Chat
) -> None:
    await onboard(aisha)
    await client.fault(
        "sendMessage", 429, "Too Many Requests: retry after 1", retry_after=1, count=1
    )
    reply = await aisha.ask("Reflection during a flood of messages")
    assert "saved" in text_of(reply).lower()


async def test_commands_are_registered_with_telegram(sandbox: Sandbox) -> None:
    commands = {command.command for command in await sandbox.app.bot.get_my_commands()}
    assert {"start", "history", "help"} <= commands


def _update(sandbox: Sandbox, chat: Chat, message_id: int, extra: dict[str, object]) -> Update:
    """A raw Telegram update, for shapes the web chat cannot produce (stickers, redelivery)."""
    payload = {
        "update_id": 10_000 + message_id,
        "message": {
            "message_id": message_id,
            "date": 1_700_000_000,
            "chat": {"id": chat.chat_id, "type": "private", "first_name": chat.first_name},
            "from": {"id": chat.user_id, "is_bot": False, "first_name": chat.first_name},
            **extra,
        },
    }
    update = Update.de_json(payload, sandbox.app.bot)
    assert update is not None
    return update


async def _settle(sandbox: Sandbox) -> None:
    """Gives the bot time to (wrongly) answer, for tests that assert silence."""
    import asyncio

    await asyncio.sleep(1.0)

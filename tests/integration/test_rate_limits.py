"""Per-person limits: a flood of commands or recordings is slowed, and nobody else notices."""

from __future__ import annotations

from bot.sandbox.runner import Sandbox
from bot.services.limits import COMMANDS, RECORDINGS
from tests.integration.conftest import Chat, bot_says, is_bot, onboard, stored_reflections, text_of

BREATHER = "breather"


async def bot_texts(chat: Chat, after: int) -> list[str]:
    return [text_of(m) for m in await chat.client.messages(chat.chat_id, after=after) if is_bot(m)]


async def test_a_flood_of_commands_is_told_once_to_slow_down(
    sandbox: Sandbox, aisha: Chat, ben: Chat
) -> None:
    sandbox.emulator.state.flood.limits = None  # our limits are under test, not Telegram's
    await onboard(aisha)
    await onboard(ben)
    mark = await aisha.last_message_id()
    for _ in range(COMMANDS.count + 5):
        await aisha.say("/history")
    await aisha.wait_for(bot_says(BREATHER), after=mark)
    await ben.wait_for(bot_says("haven't saved any"), after=await ben.say("/history"))
    await aisha.say("Still here — a real reflection is never rate-limited")
    await aisha.wait_for(bot_says("saved"), after=mark)
    replies = await bot_texts(aisha, mark)
    assert sum("haven't saved any" in text for text in replies) == COMMANDS.count
    assert sum(BREATHER in text for text in replies) == 1


async def test_a_flood_of_recordings_is_capped(sandbox: Sandbox, aisha: Chat) -> None:
    sandbox.emulator.state.flood.limits = None
    await onboard(aisha)
    mark = await aisha.last_message_id()
    for _ in range(RECORDINGS.count + 2):
        await aisha.client.send_voice(aisha.user_id, b"OggS not really audio", duration=2)
    await aisha.wait_for(bot_says(BREATHER), after=mark)
    await aisha.say("/history")  # answered after everything the flood produced
    await aisha.wait_for(bot_says("your last"), after=mark)
    assert len(await stored_reflections(sandbox)) == RECORDINGS.count

"""Where the emulator is as strict as Telegram: flood limits, stale taps, trimmed text, entities."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest
import telegram
from telegram.error import BadRequest, RetryAfter

from bot.sandbox.client import SandboxClient, SandboxError
from tests.sandbox.conftest import AISHA, BEN, RunningEmulator
from tests.sandbox.test_ptb_bot import started


async def test_a_burst_to_one_chat_meets_the_flood_limit_and_others_do_not(
    sandbox: RunningEmulator, bot: telegram.Bot, client: SandboxClient
) -> None:
    await started(client, AISHA)
    await started(client, BEN)
    limits = sandbox.emulator.state.flood.limits
    assert limits is not None, "flood control is on by default"
    for n in range(limits.private_burst):
        await bot.send_message(AISHA, f"message {n}")
    with pytest.raises(RetryAfter) as refused:
        await bot.send_message(AISHA, "one too many")
    assert refused.value.retry_after in (1, dt.timedelta(seconds=1))
    await bot.send_message(BEN, "another chat is not held up")
    await asyncio.sleep(1.1)
    await bot.send_message(AISHA, "after the wait it goes through")


async def test_a_tap_answered_too_late_is_refused(
    sandbox: RunningEmulator, bot: telegram.Bot, client: SandboxClient
) -> None:
    await started(client)
    sandbox.emulator.state.callback_expiry_seconds = 0.2
    keyboard = telegram.InlineKeyboardMarkup(
        [[telegram.InlineKeyboardButton("Go", callback_data="go")]]
    )
    sent = await bot.send_message(AISHA, "Tap me", reply_markup=keyboard)
    tapped = await client.tap(AISHA, AISHA, sent.message_id, "go")
    await asyncio.sleep(0.3)
    with pytest.raises(BadRequest, match=r"(?i)query is too old"):
        await bot.answer_callback_query(tapped["callback_query_id"])


async def test_text_is_trimmed_and_blank_text_refused(
    bot: telegram.Bot, client: SandboxClient
) -> None:
    await started(client)
    sent = await bot.send_message(AISHA, "  \n Hello there \n ")
    assert sent.text == "Hello there"
    with pytest.raises(BadRequest, match=r"(?i)text must be non-empty"):
        await bot.send_message(AISHA, " \n\t ")
    with pytest.raises(BadRequest, match="not modified"):
        await bot.edit_message_text("Hello there   ", chat_id=AISHA, message_id=sent.message_id)


async def test_links_mentions_and_commands_become_entities(
    bot: telegram.Bot, client: SandboxClient
) -> None:
    await started(client)
    text = "Read https://example.org/guide, ask @carys_lead, then send /reflect 🎵"
    sent = await bot.send_message(AISHA, text)
    found = {(e.type, sent.parse_entity(e)) for e in sent.entities}
    assert found == {
        ("url", "https://example.org/guide"),
        ("mention", "@carys_lead"),
        ("bot_command", "/reflect"),
    }


@pytest.mark.parametrize(
    ("user_id", "first_name", "problem"),
    [
        (0, None, "positive"),
        (-5, None, "positive"),
        (2**60, None, "larger than any"),
        (AISHA, "A" * 65, "at most 64"),
    ],
)
async def test_the_control_api_refuses_impossible_people(
    client: SandboxClient, user_id: int, first_name: str | None, problem: str
) -> None:
    with pytest.raises(SandboxError, match=problem):
        await client.send_text(user_id, "hi", first_name=first_name)

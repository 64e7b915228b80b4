"""Telegram failing mid-reply: the tutor's words are kept, and the answer lands exactly once."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest

from bot.sandbox.client import SandboxClient
from bot.sandbox.runner import Sandbox
from bot.settings import Settings
from tests.conftest import make_settings
from tests.integration.conftest import Chat, bot_says, is_bot, onboard, stored_reflections, text_of

SAVED = "Saved — thank you"


@pytest.fixture
def sandbox_settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path / "data", run_worker=False, update_retry_seconds=0.3)


async def settle(chat: Chat) -> list[str]:
    """Every bot message once the retries are over; /history is answered after them."""
    await asyncio.sleep(1.5)
    await chat.wait_for(bot_says("your last"), after=await chat.say("/history"))
    return [text_of(m) for m in await chat.client.messages(chat.chat_id) if is_bot(m)]


async def test_a_failed_reply_says_the_entry_is_safe_then_answers_once(
    sandbox: Sandbox, aisha: Chat, client: SandboxClient
) -> None:
    await onboard(aisha)
    await client.fault("sendMessage", 502)
    mark = await aisha.say("The recorder group finally played together")
    apology = await aisha.wait_for(bot_says("no need to send it again"), after=mark)
    assert "saved" in text_of(apology).lower()
    replies = await settle(aisha)
    assert sum(SAVED in text for text in replies) == 1
    assert len(await stored_reflections(sandbox)) == 1


async def test_two_failures_in_a_row_still_end_in_one_answer(
    sandbox: Sandbox, aisha: Chat, client: SandboxClient
) -> None:
    """The reply fails and so does the apology; the tutor must not be left in silence."""
    await onboard(aisha)
    await client.fault("sendMessage", 502, count=2)
    mark = await aisha.say("Drumming circle went well despite the noise")
    await aisha.wait_for(bot_says(SAVED), after=mark, timeout=15)  # the retry's answer
    replies = await settle(aisha)
    assert sum(SAVED in text for text in replies) == 1
    assert len(await stored_reflections(sandbox)) == 1


async def test_a_guided_answer_run_twice_is_recorded_once(
    sandbox: Sandbox, aisha: Chat, client: SandboxClient
) -> None:
    await onboard(aisha)
    await aisha.wait_for(bot_says("1/"), after=await aisha.say("/reflect"))
    await client.fault("sendMessage", 502)  # the next question fails to arrive the first time
    mark = await aisha.say("We learnt a new song")
    await aisha.wait_for(bot_says("2/"), after=mark, timeout=15)
    [draft] = await stored_reflections(sandbox)
    assert [part["answer"] for part in draft.parts or []] == ["We learnt a new song"]


async def test_one_chats_flood_wait_does_not_hold_up_another(
    sandbox: Sandbox, aisha: Chat, ben: Chat, client: SandboxClient
) -> None:
    """Aisha's reply is told to wait 3 s; Ben, writing just after her, is not made to wait too."""
    await onboard(aisha)
    await onboard(ben)
    await client.fault("sendMessage", 429, retry_after=3)
    started = time.monotonic()
    aishas = await aisha.say("Brass group, lots of split notes")
    await asyncio.sleep(0.3)  # her reply has met the flood limit by now
    bens = await ben.say("Ukulele club, everyone in tune")
    await ben.wait_for(bot_says(SAVED), after=bens)
    ben_waited = time.monotonic() - started
    await aisha.wait_for(bot_says(SAVED), after=aishas)
    aisha_waited = time.monotonic() - started
    assert ben_waited < aisha_waited / 2, (ben_waited, aisha_waited)


async def test_an_absurd_retry_after_does_not_freeze_the_bot(
    sandbox: Sandbox, aisha: Chat, ben: Chat, client: SandboxClient
) -> None:
    await onboard(aisha)
    await onboard(ben)
    await client.fault("sendMessage", 429, retry_after=86_400)
    mark = await aisha.say("Strings went well")
    await ben.wait_for(bot_says(SAVED), after=await ben.say("Choir was lovely"), timeout=5)
    await aisha.wait_for(bot_says(SAVED), after=mark, timeout=10)  # her update ran again

"""Telegram failing each way on the calls a reflection makes: stored once, answered once."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bot.sandbox.client import SandboxClient
from bot.sandbox.runner import Sandbox
from bot.settings import Settings
from tests.conftest import make_settings
from tests.integration.conftest import Chat, bot_says, is_bot, onboard, stored_reflections, text_of

SAVED = "Saved — thank you"
FAULTS = {
    "flood": {"error_code": 429, "retry_after": 1},
    "bad gateway": {"error_code": 502},
    "slow": {"delay": 2.0},
}


@pytest.fixture
def sandbox_settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path / "data", run_worker=False, update_retry_seconds=0.3)


@pytest.mark.parametrize("method", ["getUpdates", "sendMessage"])
@pytest.mark.parametrize("fault", FAULTS)
async def test_a_reflection_survives_each_fault_and_is_answered_once(
    sandbox: Sandbox, aisha: Chat, client: SandboxClient, method: str, fault: str
) -> None:
    await onboard(aisha)
    await client.fault(method, **FAULTS[fault])  # type: ignore[arg-type]
    mark = await aisha.say("Samba band kept time together for the first time")
    await aisha.wait_for(bot_says(SAVED), after=mark, timeout=20)
    await asyncio.sleep(1.0)  # a repeat, if there were one, would have arrived by now
    replies = [text_of(m) for m in await client.messages(aisha.chat_id, after=mark) if is_bot(m)]
    assert sum(SAVED in text for text in replies) == 1, replies
    assert len(await stored_reflections(sandbox)) == 1

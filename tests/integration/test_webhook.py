"""Webhook mode: Telegram's POSTs are checked for the secret token and land in the same inbox."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from bot.database import Database
from bot.sandbox.client import SandboxClient
from bot.sandbox.runner import running_emulator
from tests.integration.conftest import Chat, bot_says, onboard
from tests.integration.test_kill import BotProcess, bot_env, free_port, stored


@pytest.fixture
async def webhook_bot(tmp_path: Path) -> AsyncIterator[tuple[str, str, str]]:
    """The emulator, and `reflectbot run --webhook` receiving from it; yields the URLs and DB."""
    port = free_port()
    hook = f"http://127.0.0.1:{port}/telegram"
    database_url = f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"
    async with running_emulator(tmp_path / "emulator") as (_, url):
        env = bot_env(tmp_path / "data", url, database_url)
        bot = BotProcess(env, ["--webhook", hook, "--listen", "127.0.0.1", "--port", str(port)])
        bot.start()
        try:
            yield url, hook, database_url
        finally:
            bot.stop()


async def test_updates_arrive_by_webhook_and_a_forged_post_is_refused(
    webhook_bot: tuple[str, str, str],
) -> None:
    url, hook, database_url = webhook_bot
    async with SandboxClient(url) as client:
        aisha = Chat(client, 1001, "Aisha", 1001)
        await onboard(aisha)
        await aisha.wait_for(bot_says("saved"), after=await aisha.say("Webhook reflection"))
        forged = {
            "update_id": 999_999,
            "message": {
                "message_id": 77,
                "date": 1_700_000_000,
                "chat": {"id": 1001, "type": "private"},
                "from": {"id": 1001, "is_bot": False, "first_name": "Aisha"},
                "text": "Forged by someone who found the URL",
            },
        }
        async with aiohttp.ClientSession() as http:
            async with http.post(hook, json=forged) as response:
                assert response.status == 403
            headers = {"X-Telegram-Bot-Api-Secret-Token": "guessed"}
            async with http.post(hook, json=forged, headers=headers) as response:
                assert response.status == 403
        await asyncio.sleep(0.5)
    db = Database(database_url)
    try:
        rows = await stored(db)
    finally:
        await db.dispose()
    assert len(rows) == 1 and 77 not in {message for _, message in rows}

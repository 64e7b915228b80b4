"""Telegram failing while the bot starts: it waits, starts, and answers the first tutor."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bot.sandbox.client import SandboxClient
from bot.sandbox.runner import running_emulator
from tests.integration.bot_process import BotProcess, bot_env, free_port
from tests.integration.conftest import Chat, bot_says, onboard
from tests.integration.test_fault_matrix import BOT_TIMEOUT, FAULTS

STARTUP_CALLS = {
    "polling": ["getMe", "deleteWebhook", "setMyCommands"],
    "webhook": ["getMe", "setMyCommands", "setWebhook"],
}


def options(mode: str) -> list[str]:
    if mode == "polling":
        return []
    port = free_port()
    url = f"http://127.0.0.1:{port}/telegram"
    return ["--webhook", url, "--listen", "127.0.0.1", "--port", str(port)]


@pytest.mark.parametrize("mode", STARTUP_CALLS)
@pytest.mark.parametrize("fault", FAULTS)
async def test_the_bot_starts_whatever_telegram_does_at_start_up(
    tmp_path: Path, mode: str, fault: str
) -> None:
    async with (
        running_emulator(tmp_path / "emulator") as (_, url),
        SandboxClient(url) as client,
    ):
        for method in STARTUP_CALLS[mode]:
            await client.fault(method, count=2, **FAULTS[fault])
        database = f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"
        env = bot_env(tmp_path / "data", url, database)
        env["TELEGRAM_TIMEOUT_SECONDS"] = str(BOT_TIMEOUT)
        bot = BotProcess(env, options(mode))
        bot.start()
        try:
            chat = Chat(client, 1001, "Aisha", 1001)
            mark = await chat.say("/start")
            await chat.wait_for(bot_says("is that ok"), after=mark, timeout=60)
            await onboard(chat)
            saved = await chat.ask("Recorders were squeaky but keen")
            assert "saved" in str(saved.get("text", "")).lower()
            assert bot.process is not None and bot.process.poll() is None, "still running"
        finally:
            await asyncio.to_thread(bot.stop)  # the emulator shares this loop: keep it running


@pytest.mark.parametrize("mode", STARTUP_CALLS)
async def test_a_stop_signal_is_obeyed_while_telegram_is_still_down(
    tmp_path: Path, mode: str
) -> None:
    """`docker stop` during an outage must not wait out its grace period and end in SIGKILL."""
    async with running_emulator(tmp_path / "emulator") as (_, url), SandboxClient(url) as client:
        await client.fault("getMe", error_code=502, count=100)
        database = f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"
        bot = BotProcess(bot_env(tmp_path / "data", url, database), options(mode))
        bot.start()
        assert bot.process is not None
        await asyncio.sleep(4)  # long enough to be waiting for Telegram to come back
        bot.process.terminate()
        code = await asyncio.to_thread(bot.process.wait, 10)
    assert code is not None

"""Starting and stopping the emulator: open long polls must not hold up a shutdown."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from aiohttp import web

from bot.sandbox import BotApiEmulator
from tests.sandbox.conftest import TOKEN, RunningEmulator, make_bot


async def test_shutdown_answers_an_open_long_poll_at_once(tmp_path: Path) -> None:
    emulator = BotApiEmulator(token=TOKEN, storage_dir=tmp_path)
    runner = web.AppRunner(emulator.web_app())
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    running = RunningEmulator(emulator, f"http://127.0.0.1:{runner.addresses[0][1]}")
    async with make_bot(running) as bot:
        poll = asyncio.create_task(bot.get_updates(timeout=30))
        await asyncio.sleep(0.2)
        started = time.monotonic()
        await runner.cleanup()
        assert await asyncio.wait_for(poll, 2) == ()
    assert time.monotonic() - started < 2.0


async def test_a_restarted_server_holds_polls_open_again(tmp_path: Path) -> None:
    emulator = BotApiEmulator(token=TOKEN, storage_dir=tmp_path)
    for _ in range(2):
        runner = web.AppRunner(emulator.web_app())
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        running = RunningEmulator(emulator, f"http://127.0.0.1:{runner.addresses[0][1]}")
        async with make_bot(running) as bot:
            started = time.monotonic()
            assert await bot.get_updates(timeout=0.3) == ()
            assert time.monotonic() - started >= 0.25
        await runner.cleanup()


async def test_files_left_by_an_earlier_run_are_cleared_at_start(tmp_path: Path) -> None:
    leftover = tmp_path / "files" / "AgADold.ogg"
    leftover.parent.mkdir(parents=True)
    leftover.write_bytes(b"old voice note")
    runner = web.AppRunner(BotApiEmulator(token=TOKEN, storage_dir=tmp_path).web_app())
    await runner.setup()
    try:
        assert not leftover.exists()
    finally:
        await runner.cleanup()

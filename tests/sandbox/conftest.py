"""The emulator running in-process on a free port, with a control client and a real PTB Bot."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import pytest
import telegram
from aiohttp import web

from bot.sandbox import BotApiEmulator
from bot.sandbox.client import SandboxClient

TOKEN = "123456789:SANDBOX-test-token"
AISHA, BEN, CARYS, DEV = 1001, 1002, 1003, 1004


@dataclass
class RunningEmulator:
    emulator: BotApiEmulator
    root: str

    def method_url(self, method: str, token: str = TOKEN) -> str:
        return f"{self.root}/bot{token}/{method}"


@pytest.fixture
async def sandbox(tmp_path: Path) -> AsyncIterator[RunningEmulator]:
    emulator = BotApiEmulator(token=TOKEN, storage_dir=tmp_path / "sandbox")
    runner = web.AppRunner(emulator.web_app(), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    yield RunningEmulator(emulator, f"http://127.0.0.1:{port}")
    await runner.cleanup()


@pytest.fixture
async def client(sandbox: RunningEmulator) -> AsyncIterator[SandboxClient]:
    async with SandboxClient(sandbox.root) as sandbox_client:
        yield sandbox_client


@pytest.fixture
async def http(sandbox: RunningEmulator) -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


def make_bot(sandbox: RunningEmulator, token: str = TOKEN) -> telegram.Bot:
    return telegram.Bot(
        token, base_url=f"{sandbox.root}/bot", base_file_url=f"{sandbox.root}/file/bot"
    )


@pytest.fixture
async def bot(sandbox: RunningEmulator) -> AsyncIterator[telegram.Bot]:
    async with make_bot(sandbox) as ptb_bot:
        yield ptb_bot


async def call(
    http: aiohttp.ClientSession, url: str, **kwargs: object
) -> tuple[int, dict[str, object]]:
    """POST and return the status with the decoded JSON body."""
    async with http.post(url, **kwargs) as response:  # type: ignore[arg-type]
        return response.status, await response.json(content_type=None)

"""SIGKILL the bot during a burst of reflections, restart it, and find every one stored once.

The emulator runs in this process and keeps its queue; the bot is `reflectbot run` in a
process of its own, pointed at the emulator, exactly as an operator would point it at Telegram.
"""

from __future__ import annotations

import asyncio
import os
import random
import signal
import socket
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.database import Database
from bot.sandbox.client import SandboxClient
from bot.sandbox.runner import running_emulator
from bot.settings import SANDBOX_TOKEN
from storage.models import InboxUpdate, Reflection
from tests.conftest import BACKENDS
from tests.integration.conftest import Chat, is_bot, onboard, text_of

TUTORS = 8
MESSAGES_PER_BURST = 3
KILLS = 3
FIRST_USER = 7000


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "postgresql":
        return str(request.getfixturevalue("fresh_postgres_url"))
    return f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"


@pytest.fixture
async def emulator_url(tmp_path: Path) -> AsyncIterator[str]:
    async with running_emulator(tmp_path / "emulator") as (_, url):
        yield url


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def bot_env(data_dir: Path, emulator_url: str, database_url: str) -> dict[str, str]:
    """What `reflectbot run` needs to talk to the emulator, with no worker of its own."""
    return {
        **os.environ,
        "DATA_DIR": str(data_dir),
        "DATABASE_URL": database_url,
        "TELEGRAM_API_URL": emulator_url,
        "TELEGRAM_BOT_TOKEN": SANDBOX_TOKEN,
        "RUN_WORKER": "false",
        "LOG_LEVEL": "WARNING",
    }


class BotProcess:
    """`reflectbot run` against the emulator; killed without warning, started again."""

    def __init__(self, env: dict[str, str], options: list[str]) -> None:
        self.env, self.options = env, options
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        command = [sys.executable, "-m", "bot", "run", *self.options]
        self.process = subprocess.Popen(command, env=self.env, stdout=subprocess.DEVNULL)

    def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)


@pytest.fixture(params=["polling", "webhook"])
def delivery(request: pytest.FixtureRequest) -> list[str]:
    """Long polling, or Telegram POSTing each update to our webhook until we answer 200."""
    if request.param == "polling":
        return []
    port = free_port()
    url = f"http://127.0.0.1:{port}/telegram"
    return ["--webhook", url, "--listen", "127.0.0.1", "--port", str(port)]


@pytest.fixture
def bot(
    tmp_path: Path, emulator_url: str, database_url: str, delivery: list[str]
) -> Iterator[BotProcess]:
    process = BotProcess(bot_env(tmp_path / "data", emulator_url, database_url), delivery)
    process.start()
    yield process
    process.stop()


async def burst(chats: list[Chat], number: int) -> list[tuple[int, int]]:
    """Every tutor sends a few reflections at once; returns (chat, message) of each."""

    async def one_tutor(chat: Chat) -> list[tuple[int, int]]:
        return [
            (chat.chat_id, await chat.say(f"Burst {number}, note {n}: the group sang in tune"))
            for n in range(MESSAGES_PER_BURST)
        ]

    per_tutor = await asyncio.gather(*(one_tutor(chat) for chat in chats))
    return [pair for pairs in per_tutor for pair in pairs]


async def stored(db: Database) -> list[tuple[int, int]]:
    async with db.transaction() as session:
        rows = await session.execute(select(Reflection.chat_id, Reflection.message_id))
        return [(int(chat), int(message)) for chat, message in rows]


async def wait_for_all(db: Database, expected: int, timeout: float = 60.0) -> None:
    for _ in range(int(timeout / 0.2)):
        async with db.transaction() as session:
            waiting = (
                await session.execute(select(func.count()).select_from(InboxUpdate))
            ).scalar_one()
        if len(await stored(db)) >= expected and waiting == 0:
            return
        await asyncio.sleep(0.2)


async def test_sigkill_during_bursts_loses_and_doubles_nothing(
    bot: BotProcess, emulator_url: str, database_url: str
) -> None:
    rng = random.Random(20261129)
    sent: list[tuple[int, int]] = []
    async with SandboxClient(emulator_url) as client:
        chats = [Chat(client, FIRST_USER + n, f"Tutor{n}", FIRST_USER + n) for n in range(TUTORS)]
        await asyncio.gather(*(onboard(chat) for chat in chats))
        for number in range(KILLS):
            sending = asyncio.create_task(burst(chats, number))
            await asyncio.sleep(rng.uniform(0.05, 0.5))
            bot.kill()
            sent += await sending
            bot.start()
        sent += await burst(chats, KILLS)
        db = Database(database_url)
        try:
            await wait_for_all(db, len(sent))
            rows = await stored(db)
        finally:
            await db.dispose()
        replies = {chat.chat_id: await client.messages(chat.chat_id) for chat in chats}
    assert len(rows) == len(set(rows)), "no entry stored twice"
    assert sorted(rows) == sorted(sent), "every reflection sent is stored"
    for chat in chats:
        acks = [m for m in replies[chat.chat_id] if is_bot(m) and "Saved" in text_of(m)]
        mine = [message for chat_id, message in sent if chat_id == chat.chat_id]
        # A kill between Telegram taking our answer and us noting it can repeat that answer once.
        assert len(mine) <= len(acks) <= len(mine) + KILLS, chat.first_name

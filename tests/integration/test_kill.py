"""SIGKILL the bot during a burst of reflections, restart it, and find every one stored once.

The emulator runs in this process and keeps its queue; the bot is `reflectbot run` in a
process of its own, pointed at the emulator, exactly as an operator would point it at Telegram.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.database import Database
from bot.sandbox.client import SandboxClient
from bot.sandbox.runner import running_emulator
from storage.models import InboxUpdate, Reflection
from tests.integration.bot_process import BotProcess, bot_env, free_port
from tests.integration.conftest import Chat, is_bot, onboard, text_of

TUTORS = 8
MESSAGES_PER_BURST = 3
KILLS = 3
FIRST_USER = 7000


@pytest.fixture
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "postgresql":
        return str(request.getfixturevalue("fresh_postgres_url"))
    return f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"


@pytest.fixture
async def emulator_url(tmp_path: Path) -> AsyncIterator[str]:
    async with running_emulator(tmp_path / "emulator") as (_, url):
        yield url


@pytest.fixture
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


# Each database and each way of receiving updates, in two runs rather than four: the inbox
# code is the same for all four pairs, and each run takes a minute.
@pytest.mark.parametrize(
    ("database_url", "delivery"),
    [("sqlite", "polling"), ("postgresql", "webhook")],
    indirect=True,
)
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

"""The real bot and the real emulator over HTTP, driven through the sandbox control API."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from bot.sandbox.client import SandboxClient
from bot.sandbox.runner import Sandbox, running_sandbox
from bot.settings import Settings
from bot.transcription import Transcriber, TranscriberConfig, create_transcriber
from storage.models import Reflection
from tests.conftest import make_settings

Message = dict[str, Any]


@dataclass
class Chat:
    """A person in the sandbox: sends things and reads what the bot answered."""

    client: SandboxClient
    user_id: int
    first_name: str
    chat_id: int

    async def say(self, text: str) -> int:
        sent = await self.client.send_text(
            self.user_id, text, chat_id=self.chat_id, first_name=self.first_name
        )
        return int(sent["message_id"])

    async def reply_to(self, message_id: int, timeout: float = 10.0) -> Message:
        """The first bot message after ours."""
        return await self.client.wait_for(self.chat_id, is_bot, after=message_id, timeout=timeout)

    async def ask(self, text: str) -> Message:
        return await self.reply_to(await self.say(text))

    async def tap(self, message: Message, label_part: str) -> int:
        data = button_data(message, label_part)
        sent = await self.client.tap(self.user_id, self.chat_id, message["message_id"], data)
        return int(sent.get("update_id", 0))

    async def last_message_id(self) -> int:
        messages = await self.client.messages(self.chat_id)
        return int(messages[-1]["message_id"]) if messages else 0

    async def wait_for(
        self, predicate: Callable[[Message], bool], after: int = 0, timeout: float = 10.0
    ) -> Message:
        return await self.client.wait_for(self.chat_id, predicate, after=after, timeout=timeout)


def is_bot(message: Message) -> bool:
    return bool(message["from"]["is_bot"])


def text_of(message: Message) -> str:
    return str(message.get("text") or message.get("caption") or "")


def bot_says(fragment: str) -> Callable[[Message], bool]:
    return lambda message: is_bot(message) and fragment.lower() in text_of(message).lower()


def button_data(message: Message, label_part: str) -> str:
    for row in message.get("buttons") or []:
        for button in row:
            if label_part.lower() in button["text"].lower():
                return str(button["callback_data"])
    raise AssertionError(f"no button like {label_part!r} in {message.get('buttons')}")


async def tap_and_reread(chat: Chat, message: Message, label: str) -> Message:
    """Taps a button and waits for the bot to redraw that same message."""
    before = text_of(message)
    await chat.tap(message, label)
    for _ in range(50):
        now = await reread(chat, message)
        if text_of(now) != before:
            return now
        await asyncio.sleep(0.2)
    raise AssertionError(f"tapping {label!r} changed nothing")


async def reread(chat: Chat, message: Message) -> Message:
    messages = await chat.client.messages(chat.chat_id)
    return next(m for m in messages if m["message_id"] == message["message_id"])


async def onboard(chat: Chat, start: str = "/start") -> None:
    """Goes through /start, consent, and confirms the name and time zone the bot offers.

    `start` may carry a deep link's payload, as `/start CODE` does."""
    welcome = await chat.ask(start)
    mark = await chat.last_message_id()
    await chat.tap(welcome, "yes")
    confirmation = await chat.wait_for(bot_says("i'll call you"), after=mark)
    mark = await chat.last_message_id()
    await chat.tap(confirmation, "that's right")
    await chat.wait_for(bot_says("all set"), after=mark)


@pytest.fixture(scope="session")
def models_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("models")


def loaded_transcriber(config: TranscriberConfig) -> Transcriber:
    transcriber = create_transcriber(config)
    transcriber.load()
    return transcriber


@pytest.fixture(scope="session")
def fast_transcriber(models_dir: Path) -> Transcriber:
    """faster-whisper with the bundled tiny.en, loaded once for the whole run."""
    return loaded_transcriber(TranscriberConfig(models_dir=models_dir))


@pytest.fixture
def sandbox_settings(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    """SQLite by default; `parametrize("sandbox_settings", BACKENDS, indirect=True)` adds PostgreSQL."""
    if getattr(request, "param", "sqlite") == "postgresql":
        url = request.getfixturevalue("fresh_postgres_url")
        return make_settings(tmp_path / "data", run_worker=False, database_url=url)
    return make_settings(tmp_path / "data", run_worker=False)


@pytest.fixture
async def sandbox(sandbox_settings: Settings) -> AsyncIterator[Sandbox]:
    async with running_sandbox(sandbox_settings) as running:
        yield running


@pytest.fixture
async def client(sandbox: Sandbox) -> AsyncIterator[SandboxClient]:
    async with SandboxClient(sandbox.url) as sandbox_client:
        yield sandbox_client


@pytest.fixture
def aisha(client: SandboxClient) -> Chat:
    return Chat(client, 1001, "Aisha", 1001)


@pytest.fixture
def ben(client: SandboxClient) -> Chat:
    return Chat(client, 1002, "Ben", 1002)


async def stored_reflections(sandbox: Sandbox) -> list[Reflection]:
    from sqlalchemy import select

    async with sandbox.app.bot_data.db.transaction() as session:
        result = await session.execute(select(Reflection).order_by(Reflection.id))
        return list(result.scalars().all())

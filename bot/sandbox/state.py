"""Everything the emulator remembers, shared by the Bot API and the control API."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import datetime
from pathlib import Path

from bot.sandbox.callbacks import CallbackBook
from bot.sandbox.chats import ChatBook
from bot.sandbox.faults import FaultBook
from bot.sandbox.files import FileStore
from bot.sandbox.flood import FloodGate
from bot.sandbox.models import BotIdentity, JsonDict
from bot.sandbox.people import DEFAULT_PEOPLE, Person
from bot.sandbox.updates import UpdateQueue
from bot.sandbox.webhook import Webhook
from storage.clock import MovableClock

logger = logging.getLogger(__name__)

MAX_USERS = 10_000


CALLBACK_EXPIRY_SECONDS = 15.0

# When a person's next after-session check-in goes out; the runner asks the bot.
NextPrompt = Callable[[int], Awaitable[datetime | None]]


class SandboxState:
    """One bot's view of Telegram: people, chats, pending updates, files and planned faults."""

    def __init__(
        self, *, token: str, storage_dir: Path, bot: BotIdentity, group_privacy: bool
    ) -> None:
        self.token = token
        self.bot = bot
        self.group_privacy = group_privacy
        self.people: list[Person] = list(DEFAULT_PEOPLE)
        self.users: dict[int, Person] = {}
        self.clock = MovableClock()  # the bot's now, while it runs inside the sandbox
        self.chats = ChatBook(self.timestamp, storage_dir / "message-ids.json")
        self.updates = UpdateQueue()
        self.webhook = Webhook(self.updates)
        self.files = FileStore(storage_dir / "files")
        self.faults = FaultBook()
        self.callbacks = CallbackBook()
        self.commands: dict[str, list[JsonDict]] = {}
        self.callback_expiry_seconds = CALLBACK_EXPIRY_SECONDS
        self.flood = FloodGate()
        self.next_prompt: NextPrompt | None = None  # set by whoever runs the bot beside us

    def timestamp(self) -> int:
        """Telegram's `date` fields, on the sandbox clock: a visitor who travels in time sees
        the times of the day they are in."""
        return int(self.clock.now().timestamp())

    def person(self, user_id: int) -> Person | None:
        """People who have spoken, then the page's personas."""
        if user_id in self.users:
            return self.users[user_id]
        return next((person for person in self.people if person.id == user_id), None)

    def meet(self, user_id: int, first_name: str | None = None) -> Person:
        """Remember a person the first time they act, named by the caller or the persona list."""
        known = self.person(user_id)
        if known is not None and (first_name is None or first_name == known.first_name):
            self.users.setdefault(user_id, known)
            return known
        if len(self.users) >= MAX_USERS:
            self.users.pop(next(iter(self.users)))
        if known is not None:
            person = replace(known, first_name=first_name or known.first_name)
        else:
            person = Person(user_id, first_name or f"User {user_id}")
        self.users[user_id] = person
        return person

    async def reset(self) -> None:
        """Forget chats, updates, faults and files; the bot's own settings stay, as on Telegram."""
        self.users.clear()
        self.chats.clear()
        self.faults.clear()
        self.callbacks.clear()
        await self.updates.clear()
        await self.files.clear()

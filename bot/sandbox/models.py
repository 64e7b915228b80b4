"""The sandbox's world in memory: chats, their messages, files and button taps."""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.sandbox.formatting import Formatted

logger = logging.getLogger(__name__)

MAX_ACTIONS_PER_CHAT = 100
JsonDict = dict[str, Any]


@dataclass(frozen=True)
class BotIdentity:
    """Who the bot is, as getMe reports it."""

    id: int
    username: str
    first_name: str


@dataclass
class StoredFile:
    """A file on disk, known to the bot by `file_id` and to Telegram by `file_path`."""

    file_id: str
    file_unique_id: str
    file_path: str
    disk_path: Path
    size: int
    mime_type: str
    file_name: str | None = None
    duration: int | None = None
    width: int | None = None
    height: int | None = None


@dataclass
class Message:
    """One chat message, from a person or the bot; edits change it in place."""

    message_id: int
    chat_id: int
    sender_id: int
    date: int
    text: Formatted | None = None
    caption: Formatted | None = None
    entities: list[JsonDict] = field(default_factory=list)
    inline_markup: JsonDict | None = None
    keyboard: JsonDict | None = None
    media_kind: str | None = None
    file: StoredFile | None = None
    reply_to_id: int | None = None
    edit_date: int | None = None


@dataclass(frozen=True)
class ChatAction:
    """A 'typing…' style signal, kept so tests and the page can see the bot sent it."""

    action: str
    at: float


@dataclass
class Chat:
    """A private chat (id = the person's id) or a group (negative id) that includes the bot."""

    id: int
    type: str
    title: str | None = None
    member_ids: list[int] = field(default_factory=list)
    messages: dict[int, Message] = field(default_factory=dict)
    next_message_id: int = 1
    version: int = 0
    actions: deque[ChatAction] = field(default_factory=lambda: deque(maxlen=MAX_ACTIONS_PER_CHAT))
    blocked: bool = False
    bot_present: bool = True
    last_bot_message_at: float = 0.0

    @property
    def is_group(self) -> bool:
        return self.type != "private"


@dataclass
class CallbackRecord:
    """A button tap and, once the bot calls answerCallbackQuery, its answer."""

    id: str
    user_id: int
    chat_id: int
    message_id: int
    data: str
    tapped_at: float = field(default_factory=time.monotonic)
    answered: asyncio.Event = field(default_factory=asyncio.Event)
    text: str | None = None
    show_alert: bool = False
    url: str | None = None

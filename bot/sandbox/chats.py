"""Every chat the sandbox knows, with per-chat message ids and caps that keep memory bounded."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bot.sandbox.errors import ControlError
from bot.sandbox.models import Chat, ChatAction, Message

logger = logging.getLogger(__name__)

MAX_CHATS = 1000
MAX_MESSAGES_PER_CHAT = 1000
SUPERGROUP_BELOW = -1_000_000_000_000


class ChatBook:
    """Chats by id; message ids grow per chat, like Telegram's, and with `ids_file` they go on
    growing across restarts: the bot keys entries on (chat, message id), so an id used again
    would make a new reflection look like one it already saved."""

    def __init__(self, timestamp: Callable[[], int], ids_file: Path | None = None) -> None:
        self._timestamp = timestamp
        self._chats: dict[int, Chat] = {}
        self._changed = asyncio.Event()
        self._ids_file = ids_file
        self._next_ids = _read_ids(ids_file)
        if ids_file is not None:
            ids_file.parent.mkdir(parents=True, exist_ok=True)  # once, not at every message

    async def wait_for_change(self, chat_id: int, seen_version: int, seconds: float) -> None:
        """Holds a reader until the chat moves past the version it saw (or begins), or time's up."""
        deadline = time.monotonic() + seconds
        existed = chat_id in self._chats
        while self._version(chat_id) <= seen_version and (left := deadline - time.monotonic()) > 0:
            changed = self._changed
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(changed.wait(), left)
            if existed and chat_id not in self._chats:
                return  # a reset cleared it

    def _version(self, chat_id: int) -> int:
        chat = self._chats.get(chat_id)
        return 0 if chat is None else chat.version

    def _bump(self, chat: Chat) -> None:
        """A new version wakes every waiting reader; each checks whether its chat moved."""
        chat.version += 1
        self._wake_readers()

    def _wake_readers(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()

    def get(self, chat_id: int) -> Chat | None:
        return self._chats.get(chat_id)

    def all(self) -> list[Chat]:
        return list(self._chats.values())

    def open_private(self, user_id: int) -> Chat:
        """A person's chat with the bot begins with their first message."""
        chat = self._chats.get(user_id)
        if chat is None:
            chat = self._add(Chat(id=user_id, type="private", member_ids=[user_id]))
        return chat

    def create_group(self, chat_id: int, title: str, member_ids: list[int]) -> Chat:
        if chat_id >= 0:
            raise ControlError("a group's chat_id must be negative, as on Telegram")
        if chat_id in self._chats:
            raise ControlError(f"chat {chat_id} already exists", status=409)
        kind = "supergroup" if chat_id <= SUPERGROUP_BELOW else "group"
        return self._add(Chat(id=chat_id, type=kind, title=title, member_ids=list(member_ids)))

    def _add(self, chat: Chat) -> Chat:
        if len(self._chats) >= MAX_CHATS:
            raise ControlError("the sandbox is full; reset it to start again", status=507)
        chat.next_message_id = self._next_ids.get(str(chat.id), chat.next_message_id)
        self._chats[chat.id] = chat
        return chat

    def post(self, chat: Chat, sender_id: int, **fields: Any) -> Message:
        """Append a message with the chat's next id, forgetting the oldest past the cap."""
        message = Message(
            message_id=chat.next_message_id,
            chat_id=chat.id,
            sender_id=sender_id,
            date=self._timestamp(),
            **fields,
        )
        chat.next_message_id += 1
        self._remember_next_id(chat)
        chat.messages[message.message_id] = message
        if len(chat.messages) > MAX_MESSAGES_PER_CHAT:
            del chat.messages[next(iter(chat.messages))]
        self._bump(chat)
        return message

    def touch(self, chat: Chat) -> None:
        """Mark the chat changed so the page redraws edits and deletions."""
        self._bump(chat)

    def delete(self, chat: Chat, message_id: int) -> bool:
        if chat.messages.pop(message_id, None) is None:
            return False
        self._bump(chat)
        return True

    def record_action(self, chat: Chat, action: str) -> None:
        chat.actions.append(ChatAction(action, time.time()))
        self._bump(chat)

    def _remember_next_id(self, chat: Chat) -> None:
        """Kept through a reset, and written at once (a small file, replaced whole), so neither a
        reset nor a crash can reuse an id."""
        self._next_ids[str(chat.id)] = chat.next_message_id
        if self._ids_file is None:
            return
        temporary = self._ids_file.with_suffix(".tmp")
        temporary.write_text(json.dumps(self._next_ids), "utf-8")
        temporary.replace(self._ids_file)

    def clear(self) -> None:
        self._chats.clear()
        self._wake_readers()  # they re-read and find their chat gone


def _read_ids(path: Path | None) -> dict[str, int]:
    """Each chat's next message id from earlier runs; a damaged file starts them afresh."""
    if path is None or not path.exists():
        return {}
    try:
        stored = json.loads(path.read_text("utf-8"))
        return {str(chat): int(next_id) for chat, next_id in stored.items()}
    except (ValueError, AttributeError, TypeError):
        logger.warning("ignoring %s: not a map of chat ids to message ids", path.name)
        return {}

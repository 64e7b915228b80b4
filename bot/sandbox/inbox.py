"""What people do in the sandbox (write, send voice, tap, make groups), turned into updates."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from bot.sandbox.errors import ControlError
from bot.sandbox.formatting import MAX_TEXT_CHARS, Formatted
from bot.sandbox.keyboards import has_callback_data
from bot.sandbox.models import Chat, JsonDict, Message
from bot.sandbox.privacy import bot_sees
from bot.sandbox.shapes import message_json, person_user
from bot.sandbox.state import SandboxState
from bot.sandbox.uploads import store_media

logger = logging.getLogger(__name__)

MAX_GROUP_MEMBERS = 200
COMMAND = re.compile(r"/[A-Za-z0-9_]{1,32}(@[A-Za-z0-9_]{1,32})?")


@dataclass(frozen=True)
class Posted:
    """What the caller needs to follow up: the new message and the update the bot will get."""

    message_id: int | None
    update_id: int | None
    callback_query_id: str | None = None

    def to_json(self) -> JsonDict:
        shaped: JsonDict = {"message_id": self.message_id, "update_id": self.update_id}
        if self.callback_query_id is not None:
            shaped["callback_query_id"] = self.callback_query_id
        return shaped


def chat_for(state: SandboxState, user_id: int, chat_id: int | None) -> Chat:
    """The person's private chat by default, or a group they belong to."""
    if chat_id is None or chat_id == user_id:
        chat = state.chats.open_private(user_id)
        chat.blocked = False  # writing to a blocked bot restarts it, as in the apps
        return chat
    if chat_id > 0:
        raise ControlError("a private chat's chat_id is the person's own user_id")
    group = state.chats.get(chat_id)
    if group is None:
        raise ControlError(f"there is no group {chat_id}; create it with POST /api/groups", 404)
    if user_id not in group.member_ids:
        if len(group.member_ids) >= MAX_GROUP_MEMBERS:
            raise ControlError(f"group {chat_id} is full", 403)
        group.member_ids.append(user_id)  # someone posting in a group has joined it
    return group


async def _deliver(state: SandboxState, chat: Chat, message: Message) -> Posted:
    """Post the message to the bot unless group privacy would hide it from a real bot."""
    update_id = None
    if bot_sees(state, chat, message):
        update_id = await state.updates.push("message", message_json(state, chat, message))
    return Posted(message.message_id, update_id)


async def say(
    state: SandboxState,
    *,
    user_id: int,
    chat_id: int | None,
    text: str,
    first_name: str | None = None,
    reply_to: int | None = None,
) -> Posted:
    if not text.strip() or len(text) > MAX_TEXT_CHARS:
        raise ControlError(f"text must be 1 to {MAX_TEXT_CHARS} characters")
    state.meet(user_id, first_name)
    chat = chat_for(state, user_id, chat_id)
    message = state.chats.post(
        chat,
        user_id,
        text=Formatted(text),
        entities=command_entities(text),
        reply_to_id=_existing(chat, reply_to),
    )
    return await _deliver(state, chat, message)


async def edit(
    state: SandboxState, *, user_id: int, chat_id: int | None, message_id: int, text: str
) -> Posted:
    """A person edits one of their own text messages; the bot gets an `edited_message`."""
    if not text.strip() or len(text) > MAX_TEXT_CHARS:
        raise ControlError(f"text must be 1 to {MAX_TEXT_CHARS} characters")
    chat = chat_for(state, user_id, chat_id)
    message = chat.messages.get(message_id)
    if message is None or message.sender_id != user_id or message.text is None:
        raise ControlError(f"{user_id} has no text message {message_id} in chat {chat.id}", 404)
    message.text, message.entities = Formatted(text), command_entities(text)
    message.edit_date = state.timestamp()
    state.chats.touch(chat)
    update_id = None
    if bot_sees(state, chat, message):
        update_id = await state.updates.push("edited_message", message_json(state, chat, message))
    return Posted(message.message_id, update_id)


def command_entities(text: str) -> list[JsonDict]:
    """Telegram marks a leading /command (with an optional @bot) so CommandHandler sees it."""
    match = COMMAND.match(text)
    if match is None:
        return []
    length = len(match.group().encode("utf-16-le")) // 2
    return [{"type": "bot_command", "offset": 0, "length": length}]


def _existing(chat: Chat, message_id: int | None) -> int | None:
    if message_id is not None and message_id not in chat.messages:
        raise ControlError(f"there is no message {message_id} in chat {chat.id} to reply to", 404)
    return message_id


@dataclass(frozen=True)
class MediaUpload:
    """A file a person sends, e.g. a voice note recorded on their phone."""

    data: bytes
    kind: str
    file_name: str
    mime_type: str
    duration: int | None = None
    caption: str | None = None


async def send_media(
    state: SandboxState, *, user_id: int, chat_id: int | None, upload: MediaUpload
) -> Posted:
    state.meet(user_id)
    chat = chat_for(state, user_id, chat_id)
    stored = await store_media(
        state,
        upload.data,
        kind=upload.kind,
        mime_type=upload.mime_type,
        file_name=upload.file_name,
        duration=upload.duration,
    )
    caption = Formatted(upload.caption) if upload.caption else None
    message = state.chats.post(chat, user_id, media_kind=upload.kind, file=stored, caption=caption)
    return await _deliver(state, chat, message)


async def tap(
    state: SandboxState, *, user_id: int, chat_id: int, message_id: int, data: str
) -> Posted:
    """A button tap; only buttons on the message as it is now can be tapped."""
    chat = chat_for(state, user_id, chat_id)
    message = chat.messages.get(message_id)
    if message is None:
        raise ControlError(f"there is no message {message_id} in chat {chat_id}", 404)
    if not has_callback_data(message.inline_markup, data):
        raise ControlError("that message has no button with this callback_data now", 409)
    record = state.callbacks.record(user_id, chat.id, message_id, data)
    payload = {
        "id": record.id,
        "from": person_user(state.meet(user_id)),
        "message": message_json(state, chat, message),
        "chat_instance": str(abs(chat.id) * 7919 % 10**12),
        "data": data,
    }
    update_id = await state.updates.push("callback_query", payload)
    return Posted(message_id, update_id, record.id)

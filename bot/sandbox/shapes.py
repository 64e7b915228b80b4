"""Telegram's JSON shapes (User, Chat, Message, ChatMember), complete enough for PTB to de-json."""

from __future__ import annotations

import logging

from bot.sandbox.models import BotIdentity, Chat, JsonDict, Message, StoredFile
from bot.sandbox.people import Person
from bot.sandbox.state import SandboxState

logger = logging.getLogger(__name__)


def person_user(person: Person) -> JsonDict:
    user: JsonDict = {"id": person.id, "is_bot": False, "first_name": person.first_name}
    if person.last_name:
        user["last_name"] = person.last_name
    if person.username:
        user["username"] = person.username
    user["language_code"] = "en"
    return user


def bot_user(bot: BotIdentity) -> JsonDict:
    return {"id": bot.id, "is_bot": True, "first_name": bot.first_name, "username": bot.username}


def sender_user(state: SandboxState, user_id: int) -> JsonDict:
    """The bot, a known person, or a placeholder for someone forgotten since."""
    if user_id == state.bot.id:
        return bot_user(state.bot)
    person = state.person(user_id) or Person(user_id, f"User {user_id}")
    return person_user(person)


def chat_json(state: SandboxState, chat: Chat) -> JsonDict:
    if chat.is_group:
        return {"id": chat.id, "type": chat.type, "title": chat.title or ""}
    person = state.person(chat.id) or Person(chat.id, f"User {chat.id}")
    shaped: JsonDict = {"id": chat.id, "type": "private", "first_name": person.first_name}
    if person.username:
        shaped["username"] = person.username
    return shaped


def message_json(
    state: SandboxState, chat: Chat, message: Message, *, nested: bool = True
) -> JsonDict:
    """One message as Telegram sends it; a replied-to message is nested one level deep."""
    shaped: JsonDict = {
        "message_id": message.message_id,
        "from": sender_user(state, message.sender_id),
        "chat": chat_json(state, chat),
        "date": message.date,
    }
    shaped.update(_body(message))
    if message.edit_date is not None:
        shaped["edit_date"] = message.edit_date
    if message.inline_markup is not None:
        shaped["reply_markup"] = message.inline_markup
    replied = chat.messages.get(message.reply_to_id or 0)
    if nested and replied is not None:
        shaped["reply_to_message"] = message_json(state, chat, replied, nested=False)
    return shaped


def _body(message: Message) -> JsonDict:
    body: JsonDict = {}
    if message.text is not None:
        body["text"] = message.text.text
    if message.entities:
        body["entities"] = message.entities
    if message.caption is not None:
        body["caption"] = message.caption.text
    if message.file is not None and message.media_kind is not None:
        body[message.media_kind] = media_json(message.media_kind, message.file)
    return body


def media_json(kind: str, stored: StoredFile) -> JsonDict | list[JsonDict]:
    """Each media kind carries its own fields, as in the Bot API reference."""
    ids: JsonDict = {
        "file_id": stored.file_id,
        "file_unique_id": stored.file_unique_id,
        "file_size": stored.size,
    }
    if kind == "photo":
        return [ids | {"width": stored.width or 0, "height": stored.height or 0}]
    if kind == "video_note":
        return ids | {"length": 240, "duration": stored.duration or 0}
    if kind in ("voice", "audio"):
        ids |= {"duration": stored.duration or 0, "mime_type": stored.mime_type}
    if kind in ("audio", "document"):
        ids |= {"file_name": stored.file_name or "file", "mime_type": stored.mime_type}
    return ids


def file_json(stored: StoredFile) -> JsonDict:
    """getFile's answer; the path is what the bot appends to its file URL."""
    return {
        "file_id": stored.file_id,
        "file_unique_id": stored.file_unique_id,
        "file_size": stored.size,
        "file_path": stored.file_path,
    }


def chat_full_json(state: SandboxState, chat: Chat) -> JsonDict:
    """getChat's ChatFullInfo, including the fields PTB 22 requires."""
    gifts = {
        "unlimited_gifts": False,
        "limited_gifts": False,
        "unique_gifts": False,
        "premium_subscription": False,
        "gifts_from_channels": False,
    }
    return chat_json(state, chat) | {
        "accent_color_id": 0,
        "max_reaction_count": 11,
        "accepted_gift_types": gifts,
    }


def member_json(state: SandboxState, chat: Chat, user_id: int) -> JsonDict:
    """A ChatMember: the first member owns a group; people outside it have left."""
    user = sender_user(state, user_id)
    in_private_chat = not chat.is_group and user_id == chat.id
    if user_id == state.bot.id or in_private_chat or user_id in chat.member_ids[1:]:
        return {"status": "member", "user": user}
    if chat.member_ids and user_id == chat.member_ids[0]:
        return {"status": "creator", "user": user, "is_anonymous": False}
    return {"status": "left", "user": user}

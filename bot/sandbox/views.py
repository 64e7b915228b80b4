"""Chats and messages as the web page and test client see them: Telegram-like, plus URLs."""

from __future__ import annotations

import logging
import time

from bot.sandbox.models import Chat, JsonDict, Message, StoredFile
from bot.sandbox.shapes import sender_user
from bot.sandbox.state import SandboxState

logger = logging.getLogger(__name__)

ACTION_SHOWN_SECONDS = 5.0
"""Telegram apps show 'typing…' for five seconds or until the bot's next message."""


def file_url(stored: StoredFile) -> str:
    return f"/api/files/{stored.file_unique_id}"


def message_view(state: SandboxState, message: Message) -> JsonDict:
    sender = sender_user(state, message.sender_id)
    view: JsonDict = {
        "message_id": message.message_id,
        "from": {k: sender[k] for k in ("id", "is_bot", "first_name")},
        "date": message.date,
        "edited": message.edit_date is not None,
        "buttons": _buttons(message.inline_markup),
        "reply_to_message_id": message.reply_to_id,
    }
    view.update(_texts(message))
    if message.file is not None and message.media_kind is not None:
        view[message.media_kind] = _file_view(message.file)
    if message.keyboard is not None:
        view.update(_keypad(message.keyboard))
    return view


def _texts(message: Message) -> JsonDict:
    texts: JsonDict = {}
    for field, formatted in (("text", message.text), ("caption", message.caption)):
        if formatted is not None:
            texts[field] = formatted.text
            if formatted.parse_mode == "HTML":
                texts[f"{field}_html"] = formatted.source
    return texts


def _buttons(inline: JsonDict | None) -> list[list[JsonDict]]:
    rows = (inline or {}).get("inline_keyboard", [])
    return [[_button(button) for button in row] for row in rows]


def _button(button: JsonDict) -> JsonDict:
    shaped = {"text": button["text"], "callback_data": button.get("callback_data")}
    if "url" in button:
        shaped["url"] = button["url"]
    return shaped


def _keypad(keyboard: JsonDict) -> JsonDict:
    """A reply keyboard offers quick answers; removing it hides them."""
    if "keyboard" in keyboard:
        return {"keyboard": [[button["text"] for button in row] for row in keyboard["keyboard"]]}
    if keyboard.get("remove_keyboard"):
        return {"remove_keyboard": True}
    return {"force_reply": True}


def _file_view(stored: StoredFile) -> JsonDict:
    view: JsonDict = {
        "url": file_url(stored),
        "file_name": stored.file_name,
        "mime_type": stored.mime_type,
        "file_size": stored.size,
    }
    for fact in ("duration", "width", "height"):
        if (value := getattr(stored, fact)) is not None:
            view[fact] = value
    return view


def current_action(chat: Chat) -> JsonDict | None:
    """The bot's latest chat action, while an app would still be showing it."""
    if not chat.actions:
        return None
    latest = chat.actions[-1]
    fresh = time.time() - latest.at < ACTION_SHOWN_SECONDS
    if not fresh or latest.at <= chat.last_bot_message_at:
        return None
    return {"action": latest.action, "date": latest.at}


def chat_view(state: SandboxState, chat: Chat) -> JsonDict:
    title = chat.title
    if not chat.is_group:
        person = state.person(chat.id)
        title = person.first_name if person else f"User {chat.id}"
    last = next(reversed(chat.messages), 0) if chat.messages else 0
    return {
        "id": chat.id,
        "type": chat.type,
        "title": title,
        "member_ids": list(chat.member_ids),
        "last_message_id": last,
        "version": chat.version,
        "blocked": chat.blocked,
        "bot_present": chat.bot_present,
    }

"""Editing and deleting the bot's messages, with Telegram's 'not modified' rule."""

from __future__ import annotations

import logging
import time

from bot.sandbox.errors import ApiError, bad_request
from bot.sandbox.formatting import auto_entities, caption_text, message_text
from bot.sandbox.keyboards import parse_markup
from bot.sandbox.methods.targets import bot_message, writable_chat
from bot.sandbox.methods.types import MethodHandler
from bot.sandbox.models import Chat, JsonDict, Message
from bot.sandbox.params import Params
from bot.sandbox.shapes import message_json
from bot.sandbox.state import SandboxState

logger = logging.getLogger(__name__)

MAX_DELETE_BATCH = 100
NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly "
    "the same as a current content and reply markup of the message"
)


def _not_modified() -> ApiError:
    return bad_request(NOT_MODIFIED)


def _inline_markup(params: Params) -> JsonDict | None:
    """Edits may only carry inline keyboards; leaving one out removes the old one."""
    markup = parse_markup(params.json_value("reply_markup"))
    if markup.keyboard is not None:
        raise bad_request("inline keyboard expected")
    return markup.inline


def _saved(state: SandboxState, chat: Chat, message: Message) -> JsonDict:
    """An edit is the bot's answer too, so it ends any 'typing…' shown (the transcript is one)."""
    message.edit_date = state.timestamp()
    chat.last_bot_message_at = time.time()
    state.chats.touch(chat)
    return message_json(state, chat, message)


async def edit_message_text(state: SandboxState, params: Params) -> JsonDict:
    chat, message = bot_message(state, params)
    if message.text is None:
        raise bad_request("there is no text in the message to edit")
    text = message_text(params.string("text"), params.string("parse_mode"), editing=True)
    inline = _inline_markup(params)
    unchanged_text = message.text is not None and text.text == message.text.text
    if unchanged_text and inline == message.inline_markup:
        raise _not_modified()  # judged on what the chat shows, after trimming
    message.text, message.inline_markup = text, inline
    message.entities = auto_entities(text.text)
    return _saved(state, chat, message)


async def edit_message_caption(state: SandboxState, params: Params) -> JsonDict:
    chat, message = bot_message(state, params)
    if message.file is None:
        raise bad_request("there is no caption in the message to edit")
    caption = caption_text(params.string("caption"), params.string("parse_mode"))
    inline = _inline_markup(params)
    if caption == message.caption and inline == message.inline_markup:
        raise _not_modified()
    message.caption, message.inline_markup = caption, inline
    return _saved(state, chat, message)


async def edit_message_reply_markup(state: SandboxState, params: Params) -> JsonDict:
    chat, message = bot_message(state, params)
    inline = _inline_markup(params)
    if inline == message.inline_markup:
        raise _not_modified()
    message.inline_markup = inline
    return _saved(state, chat, message)


async def delete_message(state: SandboxState, params: Params) -> bool:
    """Bots delete their own messages anywhere, and anyone's in a private chat."""
    chat = writable_chat(state, params)
    message = chat.messages.get(params.integer("message_id") or 0)
    if message is None:
        raise bad_request("message to delete not found")
    if chat.is_group and message.sender_id != state.bot.id:
        raise bad_request("message can't be deleted for everyone")
    state.chats.delete(chat, message.message_id)
    return True


async def delete_messages(state: SandboxState, params: Params) -> bool:
    """Telegram skips the ids it cannot find, and refuses only an empty list."""
    chat = writable_chat(state, params)
    wanted = params.json_value("message_ids")
    if not isinstance(wanted, list) or not 1 <= len(wanted) <= MAX_DELETE_BATCH:
        raise bad_request("message identifiers are not specified")
    for message_id in wanted:
        message = chat.messages.get(message_id) if isinstance(message_id, int) else None
        if message is not None and (not chat.is_group or message.sender_id == state.bot.id):
            state.chats.delete(chat, message_id)
    return True


METHODS: dict[str, MethodHandler] = {
    "editmessagetext": edit_message_text,
    "editmessagecaption": edit_message_caption,
    "editmessagereplymarkup": edit_message_reply_markup,
    "deletemessage": delete_message,
    "deletemessages": delete_messages,
}

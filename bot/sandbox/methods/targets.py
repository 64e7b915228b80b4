"""Finding the chat and message a Bot API call is about, with Telegram's refusals."""

from __future__ import annotations

import logging

from bot.sandbox.errors import bad_request, forbidden
from bot.sandbox.models import Chat, Message
from bot.sandbox.params import Params
from bot.sandbox.state import SandboxState

logger = logging.getLogger(__name__)


def chat_id_of(params: Params) -> int:
    if not params.present("chat_id"):
        raise bad_request("chat_id is empty")
    try:
        return int(params.string("chat_id") or "")
    except ValueError:
        raise bad_request("chat not found") from None  # an @username we do not have


def known_chat(state: SandboxState, params: Params) -> Chat:
    chat = state.chats.get(chat_id_of(params))
    if chat is None:
        raise bad_request("chat not found")
    return chat


def writable_chat(state: SandboxState, params: Params) -> Chat:
    """A bot may only write to people who started it and have not blocked it."""
    chat_id = chat_id_of(params)
    chat = state.chats.get(chat_id)
    if chat is None and chat_id > 0 and state.person(chat_id) is not None:
        raise forbidden("bot can't initiate conversation with a user")
    if chat is None:
        raise bad_request("chat not found")
    if chat.blocked:
        raise forbidden("bot was blocked by the user")
    if not chat.bot_present:
        raise forbidden("bot is not a member of the group chat")
    return chat


def bot_message(state: SandboxState, params: Params) -> tuple[Chat, Message]:
    """The bot's own message to edit; Telegram lets bots edit nothing else."""
    if params.present("inline_message_id"):
        raise bad_request("MESSAGE_ID_INVALID")
    chat = writable_chat(state, params)
    message_id = params.integer("message_id")
    if message_id is None:
        raise bad_request("message identifier is not specified")
    message = chat.messages.get(message_id)
    if message is None:
        raise bad_request("message to edit not found")
    if message.sender_id != state.bot.id:
        raise bad_request("message can't be edited")
    return chat, message


def reply_target(chat: Chat, params: Params) -> int | None:
    """The message being answered, from reply_parameters or the older reply_to_message_id."""
    reply = params.json_value("reply_parameters")
    if isinstance(reply, dict):
        wanted, lenient = reply.get("message_id"), bool(reply.get("allow_sending_without_reply"))
    else:
        wanted = params.integer("reply_to_message_id")
        lenient = params.boolean("allow_sending_without_reply")
    if wanted is None:
        return None
    if isinstance(wanted, int) and wanted in chat.messages:
        return wanted
    if lenient:
        return None
    raise bad_request("message to be replied not found")

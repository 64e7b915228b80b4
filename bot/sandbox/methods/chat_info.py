"""Chat lookups, chat actions, button answers and file lookups."""

from __future__ import annotations

import logging
import time

from bot.sandbox.errors import bad_request
from bot.sandbox.files import DOWNLOAD_LIMIT_BYTES
from bot.sandbox.membership import report_change
from bot.sandbox.methods.targets import known_chat, writable_chat
from bot.sandbox.methods.types import MethodHandler
from bot.sandbox.models import JsonDict
from bot.sandbox.params import Params
from bot.sandbox.shapes import chat_full_json, file_json, member_json
from bot.sandbox.state import SandboxState

logger = logging.getLogger(__name__)

CHAT_ACTIONS = frozenset(
    {
        "typing", "upload_photo", "record_video", "upload_video", "record_voice",
        "upload_voice", "upload_document", "choose_sticker", "find_location",
        "record_video_note", "upload_video_note",
    }
)  # fmt: skip
MAX_CALLBACK_ANSWER_CHARS = 200
STALE_QUERY = "query is too old and response timeout expired or query ID is invalid"


async def get_chat(state: SandboxState, params: Params) -> JsonDict:
    return chat_full_json(state, known_chat(state, params))


async def get_chat_member(state: SandboxState, params: Params) -> JsonDict:
    chat = known_chat(state, params)
    user_id = params.integer("user_id")
    if user_id is None or (user_id != state.bot.id and state.person(user_id) is None):
        raise bad_request("user not found")
    return member_json(state, chat, user_id)


async def get_chat_member_count(state: SandboxState, params: Params) -> int:
    chat = known_chat(state, params)
    return len(chat.member_ids) + 1


async def get_chat_administrators(state: SandboxState, params: Params) -> list[JsonDict]:
    chat = known_chat(state, params)
    if not chat.is_group:
        raise bad_request("there are no administrators in the private chat")
    return [member_json(state, chat, chat.member_ids[0])] if chat.member_ids else []


async def send_chat_action(state: SandboxState, params: Params) -> bool:
    chat = writable_chat(state, params)
    action = params.string("action") or ""
    if action not in CHAT_ACTIONS:
        raise bad_request("wrong parameter action in request")
    state.chats.record_action(chat, action)
    return True


async def answer_callback_query(state: SandboxState, params: Params) -> bool:
    """A query can be answered once; the answer is kept for the page's toast."""
    record = state.callbacks.get(params.string("callback_query_id") or "")
    if record is None or record.answered.is_set():
        raise bad_request(STALE_QUERY)
    if time.monotonic() - record.tapped_at > state.callback_expiry_seconds:
        raise bad_request(STALE_QUERY)  # Telegram gives a bot about 15 s to answer a tap
    text = params.string("text")
    if text is not None and len(text) > MAX_CALLBACK_ANSWER_CHARS:
        raise bad_request("MESSAGE_TOO_LONG")
    record.text = text
    record.show_alert = params.boolean("show_alert")
    record.url = params.string("url")
    record.answered.set()
    return True


async def leave_chat(state: SandboxState, params: Params) -> bool:
    """The bot leaves a group, as a bot might for a group it was never linked to."""
    chat = writable_chat(state, params)
    if not chat.is_group:
        raise bad_request("chat member status can't be changed in private chats")
    chat.bot_present = False
    state.chats.touch(chat)
    await report_change(state, chat, state.bot.id, "member", "left")
    return True


async def get_file(state: SandboxState, params: Params) -> JsonDict:
    file_id = params.string("file_id")
    if not file_id:
        raise bad_request("file_id not specified")
    stored = state.files.by_id(file_id)
    if stored is None:
        raise bad_request("wrong file_id or the file is temporarily unavailable")
    if stored.size > DOWNLOAD_LIMIT_BYTES:
        raise bad_request("file is too big")
    return file_json(stored)


METHODS: dict[str, MethodHandler] = {
    "getchat": get_chat,
    "getchatmember": get_chat_member,
    "getchatmembercount": get_chat_member_count,
    "getchatmemberscount": get_chat_member_count,
    "getchatadministrators": get_chat_administrators,
    "sendchataction": send_chat_action,
    "answercallbackquery": answer_callback_query,
    "getfile": get_file,
    "leavechat": leave_chat,
}

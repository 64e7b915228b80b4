"""sendMessage and the media senders: validate as Telegram does, then post to the chat."""

from __future__ import annotations

import logging
import time
from typing import Any

from bot.sandbox.errors import bad_request
from bot.sandbox.formatting import auto_entities, caption_text, message_text
from bot.sandbox.keyboards import parse_markup
from bot.sandbox.methods.targets import reply_target, writable_chat
from bot.sandbox.methods.types import MethodHandler
from bot.sandbox.models import Chat, JsonDict, StoredFile
from bot.sandbox.params import Params
from bot.sandbox.shapes import message_json
from bot.sandbox.state import SandboxState
from bot.sandbox.uploads import store_media

logger = logging.getLogger(__name__)


def post_from_bot(state: SandboxState, chat: Chat, params: Params, **fields: Any) -> JsonDict:
    """Every send shares flood control, markup and reply handling; the result is the new Message."""
    state.flood.check(chat)
    markup = parse_markup(params.json_value("reply_markup"))
    message = state.chats.post(
        chat,
        state.bot.id,
        inline_markup=markup.inline,
        keyboard=markup.keyboard,
        reply_to_id=reply_target(chat, params),
        **fields,
    )
    chat.last_bot_message_at = time.time()
    return message_json(state, chat, message)


async def send_message(state: SandboxState, params: Params) -> JsonDict:
    chat = writable_chat(state, params)
    text = message_text(params.string("text"), params.string("parse_mode"))
    return post_from_bot(state, chat, params, text=text, entities=auto_entities(text.text))


async def _send_media(state: SandboxState, params: Params, kind: str) -> JsonDict:
    chat = writable_chat(state, params)
    caption = caption_text(params.string("caption"), params.string("parse_mode"))
    stored = await _media_file(state, params, kind)
    return post_from_bot(state, chat, params, media_kind=kind, file=stored, caption=caption)


async def _media_file(state: SandboxState, params: Params, kind: str) -> StoredFile:
    """A fresh upload, or a file_id the bot has seen before; URLs cannot be fetched offline."""
    upload = params.upload(kind)
    if upload is not None:
        return await store_media(
            state,
            upload.data,
            kind=kind,
            mime_type=upload.content_type,
            file_name=upload.filename,
            duration=params.integer("duration"),
        )
    reference = params.string(kind)
    if not reference:
        raise bad_request(f"there is no {kind} in the request")
    if (known := state.files.by_id(reference)) is not None:
        return known
    if reference.startswith(("http://", "https://")):
        raise bad_request("failed to get HTTP URL content")
    raise bad_request("wrong file identifier/HTTP URL specified")


async def send_document(state: SandboxState, params: Params) -> JsonDict:
    return await _send_media(state, params, "document")


async def send_photo(state: SandboxState, params: Params) -> JsonDict:
    return await _send_media(state, params, "photo")


async def send_voice(state: SandboxState, params: Params) -> JsonDict:
    return await _send_media(state, params, "voice")


async def send_audio(state: SandboxState, params: Params) -> JsonDict:
    return await _send_media(state, params, "audio")


METHODS: dict[str, MethodHandler] = {
    "sendmessage": send_message,
    "senddocument": send_document,
    "sendphoto": send_photo,
    "sendvoice": send_voice,
    "sendaudio": send_audio,
}

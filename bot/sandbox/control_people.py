"""Control API for what people do: write, send voice, tap buttons, make groups, block the bot."""

from __future__ import annotations

import logging

from aiohttp import web

from bot.sandbox import inbox, membership
from bot.sandbox.control_input import (
    id_list,
    json_object,
    optional_int,
    optional_text,
    required_int,
    required_text,
    user_id,
    whole_number,
)
from bot.sandbox.errors import ControlError
from bot.sandbox.params import Upload, read_form
from bot.sandbox.state import SandboxState

logger = logging.getLogger(__name__)

MEDIA_KINDS = frozenset({"voice", "audio", "video_note", "document"})


class PeopleRoutes:
    """Each call acts as one person and returns the ids needed to follow it up."""

    def __init__(self, state: SandboxState) -> None:
        self._state = state

    def add_to(self, app: web.Application) -> None:
        app.router.add_post("/api/messages", self.post_message)
        app.router.add_post("/api/voice", self.post_voice)
        app.router.add_post("/api/callback", self.post_callback)
        app.router.add_post("/api/edits", self.post_edit)
        app.router.add_post("/api/groups", self.post_group)
        app.router.add_post("/api/block", self.post_block)

    async def post_message(self, request: web.Request) -> web.Response:
        body = await json_object(request)
        posted = await inbox.say(
            self._state,
            user_id=user_id(body),
            chat_id=optional_int(body, "chat_id"),
            text=required_text(body, "text"),
            first_name=optional_text(body, "first_name"),
            reply_to=optional_int(body, "reply_to_message_id"),
        )
        return web.json_response(posted.to_json())

    async def post_edit(self, request: web.Request) -> web.Response:
        """A person changes the text of a message they sent earlier."""
        body = await json_object(request)
        posted = await inbox.edit(
            self._state,
            user_id=user_id(body),
            chat_id=optional_int(body, "chat_id"),
            message_id=required_int(body, "message_id"),
            text=required_text(body, "text"),
        )
        return web.json_response(posted.to_json())

    async def post_voice(self, request: web.Request) -> web.Response:
        """Multipart: user_id, chat_id?, file, duration?, kind? (voice by default), caption?."""
        fields, files = await read_form(request)
        upload = _media_upload(fields, files.get("file"))
        posted = await inbox.send_media(
            self._state,
            user_id=user_id(fields),
            chat_id=optional_int(fields, "chat_id"),
            upload=upload,
        )
        return web.json_response(posted.to_json())

    async def post_callback(self, request: web.Request) -> web.Response:
        body = await json_object(request)
        data = body.get("data")
        if not isinstance(data, str):
            raise ControlError("data is required and must be the button's callback_data")
        posted = await inbox.tap(
            self._state,
            user_id=user_id(body),
            chat_id=required_int(body, "chat_id"),
            message_id=required_int(body, "message_id"),
            data=data,
        )
        return web.json_response(posted.to_json())

    async def post_group(self, request: web.Request) -> web.Response:
        body = await json_object(request)
        chat_id = required_int(body, "chat_id")
        posted = await membership.create_group(
            self._state,
            chat_id=chat_id,
            title=required_text(body, "title"),
            member_ids=id_list(body, "member_ids"),
        )
        return web.json_response({"chat_id": chat_id, "update_id": posted.update_id})

    async def post_block(self, request: web.Request) -> web.Response:
        """Blocking (or unblocking) the bot, which Telegram reports to it as my_chat_member."""
        body = await json_object(request)
        blocked = body.get("blocked", True)
        if not isinstance(blocked, bool):
            raise ControlError("blocked must be true or false")
        posted = await membership.set_blocked(self._state, user_id=user_id(body), blocked=blocked)
        return web.json_response({"blocked": blocked, "update_id": posted.update_id})


def _media_upload(fields: dict[str, object], file: Upload | None) -> inbox.MediaUpload:
    if file is None:
        raise ControlError("send the audio as a multipart field named 'file'")
    kind = str(fields.get("kind") or "voice")
    if kind not in MEDIA_KINDS:
        raise ControlError(f"kind must be one of: {', '.join(sorted(MEDIA_KINDS))}")
    duration = fields.get("duration")
    seconds = None if duration in (None, "") else whole_number(duration, "duration")
    if seconds is not None and seconds < 0:
        raise ControlError("duration must not be negative")
    caption = fields.get("caption")
    return inbox.MediaUpload(
        data=file.data,
        kind=kind,
        file_name=file.filename or f"{kind}.ogg",
        mime_type=file.content_type,
        duration=seconds,
        caption=str(caption) if caption else None,
    )

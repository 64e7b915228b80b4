"""Control API reads: people, chats, messages, chat actions, button answers and files."""

from __future__ import annotations

import logging

from aiohttp import web

from bot.sandbox.control_input import query_int, whole_number
from bot.sandbox.errors import ControlError
from bot.sandbox.methods.account import menu_key
from bot.sandbox.models import Chat, JsonDict
from bot.sandbox.people import person_json
from bot.sandbox.state import SandboxState
from bot.sandbox.views import chat_view, current_action, message_view

logger = logging.getLogger(__name__)

MAX_WAIT_SECONDS = 10.0  # the longest any `?wait=N` read is held
DEFAULT_PAGE_SIZE = 1000


class ReadRoutes:
    """What the page polls and tests assert on; reads never change the sandbox."""

    def __init__(self, state: SandboxState) -> None:
        self._state = state

    def add_to(self, app: web.Application) -> None:
        app.router.add_get("/api/bot", self.get_bot)
        app.router.add_get("/api/people", self.get_people)
        app.router.add_get("/api/chats", self.get_chats)
        app.router.add_get("/api/chats/{chat_id}/messages", self.get_messages)
        app.router.add_get("/api/chats/{chat_id}/actions", self.get_actions)
        app.router.add_get("/api/callbacks/{query_id}", self.get_callback)
        app.router.add_get("/api/files/{unique_id}", self.get_file)

    async def get_bot(self, request: web.Request) -> web.Response:
        """Who the bot is and its default command menu, for the page's header and hints."""
        bot = self._state.bot
        default_menu = self._state.commands.get(menu_key(), [])
        return web.json_response(
            {
                "id": bot.id,
                "username": bot.username,
                "first_name": bot.first_name,
                "commands": default_menu,
                "group_privacy": self._state.group_privacy,
            }
        )

    async def get_people(self, request: web.Request) -> web.Response:
        return web.json_response({"people": [person_json(p) for p in self._state.people]})

    async def get_chats(self, request: web.Request) -> web.Response:
        """All chats, or one person's: their private chat (even before it starts) and groups."""
        if "user_id" not in request.query:
            chats = [chat_view(self._state, chat) for chat in self._state.chats.all()]
            return web.json_response({"chats": chats})
        user_id = query_int(request, "user_id", 0)
        private = self._state.chats.get(user_id) or Chat(id=user_id, type="private")
        groups = [c for c in self._state.chats.all() if c.is_group and user_id in c.member_ids]
        views = [chat_view(self._state, chat) for chat in [private, *groups]]
        return web.json_response({"chats": views})

    async def get_messages(self, request: web.Request) -> web.Response:
        """`?version=V&wait=N` holds the request until the chat moves past version V (long poll)."""
        chat = self._chat(request)
        wait = _wait_seconds(request)
        if wait > 0 and "version" in request.query:
            seen = query_int(request, "version", 0)
            await self._state.chats.wait_for_change(chat.id, seen, wait)
            chat = self._chat(request)  # a private chat may have begun meanwhile
        after = query_int(request, "after", 0)
        limit = max(query_int(request, "limit", DEFAULT_PAGE_SIZE), 1)
        messages = [m for m in chat.messages.values() if m.message_id > after][-limit:]
        body: JsonDict = {
            "messages": [message_view(self._state, message) for message in messages],
            "version": chat.version,
            "action": current_action(chat),
        }
        return web.json_response(body)

    async def get_actions(self, request: web.Request) -> web.Response:
        chat = self._chat(request)
        actions = [{"action": a.action, "date": a.at} for a in chat.actions]
        return web.json_response({"actions": actions})

    def _chat(self, request: web.Request) -> Chat:
        """A private chat that has not started yet reads as empty; unknown groups are 404."""
        chat_id = whole_number(request.match_info["chat_id"], "chat_id")
        chat = self._state.chats.get(chat_id)
        if chat is not None:
            return chat
        if chat_id > 0:
            return Chat(id=chat_id, type="private")
        raise ControlError(f"there is no chat {chat_id}", 404)

    async def get_callback(self, request: web.Request) -> web.Response:
        """A tap's answer; `?wait=N` holds the request until the bot answers or N seconds pass."""
        record = self._state.callbacks.get(request.match_info["query_id"])
        if record is None:
            raise ControlError("unknown callback_query_id", 404)
        wait = _wait_seconds(request)
        if wait > 0:
            await self._state.callbacks.wait_answer(record, wait)
        return web.json_response(
            {
                "id": record.id,
                "answered": record.answered.is_set(),
                "text": record.text,
                "show_alert": record.show_alert,
                "url": record.url,
            }
        )

    async def get_file(self, request: web.Request) -> web.StreamResponse:
        stored = self._state.files.by_unique_id(request.match_info["unique_id"])
        if stored is None:
            raise ControlError("no such file (it may have been cleared by a reset)", 404)
        name = (stored.file_name or stored.file_path.rsplit("/", 1)[-1]).replace('"', "")
        headers = {
            "Content-Type": stored.mime_type,
            "Content-Disposition": f'inline; filename="{name}"',
        }
        return web.FileResponse(stored.disk_path, headers=headers)


def _wait_seconds(request: web.Request) -> float:
    """How long a long-polling read may be held, capped so no request hangs for long."""
    return min(float(query_int(request, "wait", 0)), MAX_WAIT_SECONDS)

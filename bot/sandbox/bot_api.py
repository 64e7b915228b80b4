"""The HTTP face of the Bot API: `/bot<token>/<method>` and `/file/bot<token>/<path>`."""

from __future__ import annotations

import logging

from aiohttp import web

from bot.sandbox.errors import ApiError, not_found, unauthorized
from bot.sandbox.faults import FILE_DOWNLOAD
from bot.sandbox.methods import ALL_METHODS
from bot.sandbox.params import read_params
from bot.sandbox.state import SandboxState

logger = logging.getLogger(__name__)


class BotApiRoutes:
    """Answers the bot exactly as api.telegram.org would, from the shared state."""

    def __init__(self, state: SandboxState) -> None:
        self._state = state

    def add_to(self, app: web.Application) -> None:
        app.router.add_route("*", "/bot{token}/{method}", self.call_method)
        app.router.add_get("/file/bot{token}/{file_path:.+}", self.download)

    async def call_method(self, request: web.Request) -> web.StreamResponse:
        try:
            result = await self._run(request)
        except ApiError as error:
            if error.error_code != 409:
                logger.debug("Bot API %s refused: %s", request.match_info["method"], error)
            return error.response()
        return web.json_response({"ok": True, "result": result})

    async def _run(self, request: web.Request) -> object:
        if request.match_info["token"] != self._state.token:
            raise unauthorized()
        method = request.match_info["method"]
        handler = ALL_METHODS.get(method.lower())
        if handler is None:
            raise not_found()
        params = await read_params(request)  # Telegram has the whole request before it is slow
        if (fault := self._state.faults.take(method)) is not None:
            await fault.strike()
        return await handler(self._state, params)

    async def download(self, request: web.Request) -> web.StreamResponse:
        """What the bot fetches after getFile; Telegram answers 404 for anything unknown."""
        stored = self._state.files.by_path(request.match_info["file_path"])
        if (fault := self._state.faults.take(FILE_DOWNLOAD)) is not None:
            try:
                await fault.strike()
            except ApiError as error:
                return error.response()
        if request.match_info["token"] != self._state.token or stored is None:
            return web.json_response(
                {"ok": False, "error_code": 404, "description": "Not Found"}, status=404
            )
        return web.FileResponse(stored.disk_path, headers={"Content-Type": stored.mime_type})

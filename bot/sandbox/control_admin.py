"""Control API for whoever runs the sandbox: planned faults and a full reset."""

from __future__ import annotations

import logging
from typing import Any

from aiohttp import web

from bot.sandbox.control_input import json_object, optional_int, optional_text, required_int
from bot.sandbox.errors import ControlError
from bot.sandbox.faults import FILE_DOWNLOAD, Fault
from bot.sandbox.methods import ALL_METHODS
from bot.sandbox.state import SandboxState

logger = logging.getLogger(__name__)

MAX_FAULT_COUNT = 1000
MAX_DELAY_SECONDS = 120.0
DEFAULT_DESCRIPTIONS = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden: bot was blocked by the user",
    404: "Not Found",
    409: "Conflict",
    500: "Internal Server Error",
    502: "Bad Gateway",
}


class AdminRoutes:
    """Faults let tests see how the bot copes with Telegram saying no."""

    def __init__(self, state: SandboxState) -> None:
        self._state = state

    def add_to(self, app: web.Application) -> None:
        app.router.add_post("/api/faults", self.post_fault)
        app.router.add_post("/api/reset", self.post_reset)

    async def post_fault(self, request: web.Request) -> web.Response:
        body = await json_object(request)
        method = _method(body)
        count = optional_int(body, "count") or 1
        if not 1 <= count <= MAX_FAULT_COUNT:
            raise ControlError(f"count must be between 1 and {MAX_FAULT_COUNT}")
        self._state.faults.plan(method, _fault(body), count)
        return web.json_response({"method": method, "count": count})

    async def post_reset(self, request: web.Request) -> web.Response:
        await self._state.reset()
        return web.json_response({"reset": True})


def _method(body: dict[str, Any]) -> str:
    method = body.get("method")
    if method == FILE_DOWNLOAD:
        return FILE_DOWNLOAD
    if not isinstance(method, str) or method.lower() not in ALL_METHODS:
        raise ControlError(
            f"method must be a Bot API method the sandbox answers, or {FILE_DOWNLOAD!r} "
            f"for file downloads, not {method!r}"
        )
    return method


def _delay(body: dict[str, Any]) -> float:
    """A slow answer; longer than the bot's read timeout, it is a timeout."""
    delay = body.get("delay", 0)
    if isinstance(delay, bool) or not isinstance(delay, int | float):
        raise ControlError("delay must be a number of seconds")
    if not 0 <= delay <= MAX_DELAY_SECONDS:
        raise ControlError(f"delay must be between 0 and {MAX_DELAY_SECONDS:g} seconds")
    return float(delay)


def _fault(body: dict[str, Any]) -> Fault:
    """Telegram's wording by default; a 429 always carries retry_after, as Telegram's do."""
    delay = _delay(body)
    if body.get("error_code") is None:
        if not delay:
            raise ControlError("give an error_code, a delay, or both")
        return Fault(None, "", delay_seconds=delay)
    code = required_int(body, "error_code")
    if not 400 <= code <= 599:
        raise ControlError("error_code must be an HTTP error status (400-599)")
    retry_after = optional_int(body, "retry_after")
    if code == 429 and retry_after is None:
        retry_after = 1
    if retry_after is not None and retry_after < 1:
        raise ControlError("retry_after must be at least 1 second")
    default = (
        f"Too Many Requests: retry after {retry_after}"
        if code == 429
        else DEFAULT_DESCRIPTIONS.get(code, "Internal Server Error")
    )
    return Fault(code, optional_text(body, "description") or default, retry_after, delay)

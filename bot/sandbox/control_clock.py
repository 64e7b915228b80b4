"""The sandbox clock: `GET /api/clock` reads the bot's now, `POST /api/clock` moves it.

`GET /api/clock/next-prompt?user_id=ID` says when that person's next after-session check-in
goes out, so the page can jump straight to it; the bot answers through `state.next_prompt`.
"""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any

from aiohttp import web

from bot.sandbox.control_input import json_object, user_id
from bot.sandbox.errors import ControlError
from bot.sandbox.state import SandboxState

MAX_ADVANCE_SECONDS = 400 * 24 * 3600  # a little over a year at a time
EARLIEST, LATEST = (
    datetime.fromisoformat("2000-01-01T00:00:00+00:00"),
    datetime.fromisoformat("2100-01-01T00:00:00+00:00"),
)


class ClockRoutes:
    """Time travel for visitors and tests; nothing outside the sandbox can move the clock."""

    def __init__(self, state: SandboxState) -> None:
        self._state = state
        self._clock = state.clock

    def add_to(self, app: web.Application) -> None:
        app.router.add_get("/api/clock", self.get_clock)
        app.router.add_post("/api/clock", self.post_clock)
        app.router.add_get("/api/clock/next-prompt", self.get_next_prompt)

    async def get_clock(self, request: web.Request) -> web.Response:
        return web.json_response({"now": self._clock.now().isoformat()})

    async def post_clock(self, request: web.Request) -> web.Response:
        body = await json_object(request)
        if ("now" in body) == ("advance_seconds" in body):
            raise ControlError('give either "now" (an ISO 8601 instant) or "advance_seconds"')
        if "now" in body:
            self._clock.move_to(_instant(body["now"]))
        else:
            self._clock.advance(_seconds(body["advance_seconds"]))
        return web.json_response({"now": self._clock.now().isoformat()})

    async def get_next_prompt(self, request: web.Request) -> web.Response:
        """`{"at": null}` when the person has no sessions (or has not met the bot yet)."""
        who = user_id(dict(request.query))
        if self._state.next_prompt is None:
            raise ControlError("no bot is running beside this emulator to ask", status=404)
        at = await self._state.next_prompt(who)
        return web.json_response({"at": None if at is None else at.isoformat()})


def _instant(value: Any) -> datetime:
    if not isinstance(value, str):
        raise ControlError('"now" must be an ISO 8601 string such as 2027-03-26T16:20:00+00:00')
    try:
        instant = datetime.fromisoformat(value)
    except ValueError:
        raise ControlError(f'"now" is not an ISO 8601 instant: {value[:40]!r}') from None
    if instant.tzinfo is None:
        raise ControlError('"now" needs its UTC offset, e.g. +00:00')
    if not EARLIEST <= instant <= LATEST:
        raise ControlError('"now" must fall between 2000 and 2100')
    return instant


def _seconds(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ControlError('"advance_seconds" must be a number')
    if not 0 <= value <= MAX_ADVANCE_SECONDS:
        raise ControlError(f'"advance_seconds" must be between 0 and {MAX_ADVANCE_SECONDS}')
    return float(value)

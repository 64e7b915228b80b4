"""Errors worded and numbered exactly as Telegram's, so PTB raises the same exceptions."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from aiohttp import web

logger = logging.getLogger(__name__)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class ApiError(Exception):
    """A Bot API failure; the HTTP status is the error code, as PTB relies on it."""

    def __init__(self, error_code: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.error_code = error_code
        self.description = description
        self.retry_after = retry_after

    def response(self) -> web.Response:
        """Shape the failure like Telegram, `parameters` included for flood waits."""
        body: dict[str, object] = {
            "ok": False,
            "error_code": self.error_code,
            "description": self.description,
        }
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return web.json_response(body, status=self.error_code)


def bad_request(detail: str) -> ApiError:
    """Most Telegram refusals are a 400 with this prefix."""
    return ApiError(400, f"Bad Request: {detail}")


def forbidden(detail: str) -> ApiError:
    """Blocked bots and strangers get a 403, which PTB raises as Forbidden."""
    return ApiError(403, f"Forbidden: {detail}")


def too_many_requests(retry_after: int) -> ApiError:
    """Flood control, with the wait PTB turns into RetryAfter."""
    return ApiError(429, f"Too Many Requests: retry after {retry_after}", retry_after)


def unauthorized() -> ApiError:
    """A wrong token; PTB raises InvalidToken."""
    return ApiError(401, "Unauthorized")


def not_found() -> ApiError:
    """Telegram's answer to a method it does not know."""
    return ApiError(404, "Not Found")


@web.middleware
async def control_errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Control-API refusals become JSON a script or the page can show as is."""
    try:
        return await handler(request)
    except ControlError as error:
        return web.json_response({"error": error.message}, status=error.status)
    except ApiError as error:
        return web.json_response({"error": error.description}, status=error.error_code)


class ControlError(Exception):
    """A refusal from the control API, with a message a person can act on."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status

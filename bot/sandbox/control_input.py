"""Reading control-API request bodies, with 400 answers that say what to fix."""

from __future__ import annotations

import json
import logging
from typing import Any

from aiohttp import web

from bot.sandbox.errors import ControlError

logger = logging.getLogger(__name__)

# Telegram ids fit in 52 bits; anything larger (or a user id of zero or less) cannot exist.
MAX_ID = 2**52
NAME_LIMITS = {"first_name": 64, "title": 128}


async def json_object(request: web.Request) -> dict[str, Any]:
    try:
        body = await request.json()
    except json.JSONDecodeError:
        raise ControlError("the body must be a JSON object") from None
    if not isinstance(body, dict):
        raise ControlError("the body must be a JSON object")
    return body


def whole_number(value: Any, name: str) -> int:
    """Accept 12 or "12" (forms send strings), but not true, 1.5 or "twelve"."""
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ControlError(f"{name} must be a whole number")
    try:
        number = int(value)
    except ValueError:
        raise ControlError(f"{name} must be a whole number") from None
    if abs(number) >= MAX_ID:
        raise ControlError(f"{name} is larger than any Telegram id or count")
    return number


def user_id(body: dict[str, Any], name: str = "user_id") -> int:
    """A person's id: positive, as every Telegram user id is."""
    value = required_int(body, name)
    if value <= 0:
        raise ControlError(f"{name} must be a positive Telegram user id")
    return value


def required_int(body: dict[str, Any], name: str) -> int:
    if body.get(name) in (None, ""):
        raise ControlError(f"{name} is required")
    return whole_number(body[name], name)


def optional_int(body: dict[str, Any], name: str) -> int | None:
    if body.get(name) in (None, ""):
        return None
    return whole_number(body[name], name)


def required_text(body: dict[str, Any], name: str) -> str:
    value = body.get(name)
    if not isinstance(value, str) or not value.strip():
        raise ControlError(f"{name} is required and must be text")
    return _within_limit(value, name)


def optional_text(body: dict[str, Any], name: str) -> str | None:
    value = body.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        raise ControlError(f"{name} must be text")
    return _within_limit(value, name)


def _within_limit(value: str, name: str) -> str:
    """Names and titles are as short as Telegram allows; message text has its own check."""
    limit = NAME_LIMITS.get(name)
    if limit is not None and len(value) > limit:
        raise ControlError(f"{name} must be at most {limit} characters")
    return value


def id_list(body: dict[str, Any], name: str) -> list[int]:
    values = body.get(name)
    if not isinstance(values, list) or not values:
        raise ControlError(f"{name} must be a non-empty list of user ids")
    ids = [whole_number(value, name) for value in values]
    if len(set(ids)) != len(ids) or any(user_id <= 0 for user_id in ids):
        raise ControlError(f"{name} must list distinct positive user ids")
    return ids


def query_int(request: web.Request, name: str, default: int) -> int:
    value = request.query.get(name)
    return default if value in (None, "") else whole_number(value, name)

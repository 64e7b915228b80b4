"""Reply markup checked as Telegram checks it: inline buttons need one action and short data."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from bot.sandbox.errors import ApiError, bad_request
from bot.sandbox.models import JsonDict

logger = logging.getLogger(__name__)

MAX_CALLBACK_DATA_BYTES = 64
TEXT_FIELD_RULE = 'Field "text" must be of type String'
BUTTON_ACTIONS = frozenset(
    {
        "url", "callback_data", "web_app", "login_url", "switch_inline_query",
        "switch_inline_query_current_chat", "switch_inline_query_chosen_chat",
        "copy_text", "callback_game", "pay",
    }
)  # fmt: skip


@dataclass(frozen=True)
class Markup:
    """Inline keyboards belong to the message; reply keyboards change the person's keypad."""

    inline: JsonDict | None = None
    keyboard: JsonDict | None = None


def parse_markup(markup: Any) -> Markup:
    """Validate whichever kind of reply markup the bot sent."""
    if markup is None:
        return Markup()
    if not isinstance(markup, dict):
        raise _unparsable()
    if "inline_keyboard" in markup:
        return Markup(inline={"inline_keyboard": _inline_rows(markup["inline_keyboard"])})
    if "keyboard" in markup:
        return Markup(keyboard={"keyboard": _reply_rows(markup["keyboard"])})
    if markup.get("remove_keyboard") or markup.get("force_reply"):
        return Markup(keyboard=dict(markup))
    raise _unparsable()


def _inline_rows(rows: Any) -> list[list[JsonDict]]:
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise bad_request("can't parse inline keyboard markup")
    return [[_inline_button(button) for button in row] for row in rows]


def _inline_button(button: Any) -> JsonDict:
    if not isinstance(button, dict) or not isinstance(button.get("text"), str):
        raise bad_request(f"can't parse inline keyboard button: {TEXT_FIELD_RULE}")
    actions = BUTTON_ACTIONS.intersection(button)
    if len(actions) != 1:
        raise bad_request(
            "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"
        )
    if "callback_data" in actions:
        _check_callback_data(button["callback_data"])
    return dict(button)


def _check_callback_data(data: Any) -> None:
    if not isinstance(data, str) or not 1 <= len(data.encode("utf-8")) <= MAX_CALLBACK_DATA_BYTES:
        raise bad_request("BUTTON_DATA_INVALID")


def _reply_rows(rows: Any) -> list[list[JsonDict]]:
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise _unparsable()
    return [[_reply_button(button) for button in row] for row in rows]


def _reply_button(button: Any) -> JsonDict:
    if isinstance(button, str):
        return {"text": button}
    if isinstance(button, dict) and isinstance(button.get("text"), str):
        return dict(button)
    raise bad_request(f"can't parse keyboard button: {TEXT_FIELD_RULE}")


def _unparsable() -> ApiError:
    return bad_request("can't parse reply keyboard markup JSON object")


def has_callback_data(inline: JsonDict | None, data: str) -> bool:
    """A person can only tap a button that is on the message now."""
    rows = (inline or {}).get("inline_keyboard", [])
    return any(button.get("callback_data") == data for row in rows for button in row)

"""The Bot API methods the sandbox answers, by lower-case name (Telegram ignores case)."""

from __future__ import annotations

from bot.sandbox.methods import account, chat_info, editing, polling, sending
from bot.sandbox.methods.types import MethodHandler

ALL_METHODS: dict[str, MethodHandler] = {
    **account.METHODS,
    **chat_info.METHODS,
    **editing.METHODS,
    **polling.METHODS,
    **sending.METHODS,
}

__all__ = ["ALL_METHODS", "MethodHandler"]

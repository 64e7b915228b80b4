"""The one signature every Bot API method handler shares."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from bot.sandbox.params import Params
from bot.sandbox.state import SandboxState

MethodHandler = Callable[[SandboxState, Params], Awaitable[Any]]

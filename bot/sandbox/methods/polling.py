"""getUpdates long polling and the webhook calls PTB makes before it starts polling."""

from __future__ import annotations

import logging

from bot.sandbox.errors import bad_request
from bot.sandbox.methods.types import MethodHandler
from bot.sandbox.models import JsonDict
from bot.sandbox.params import Params, number
from bot.sandbox.state import SandboxState

logger = logging.getLogger(__name__)

MAX_BATCH = 100


async def get_updates(state: SandboxState, params: Params) -> list[JsonDict]:
    """Confirm by offset, then wait for news for up to `timeout` seconds."""
    allowed = params.json_value("allowed_updates")
    if allowed is not None and not isinstance(allowed, list):
        raise bad_request("can't parse allowed_updates JSON array")
    state.updates.set_allowed(allowed)
    state.updates.confirm(params.integer("offset"))
    limit = min(max(params.integer("limit") or MAX_BATCH, 1), MAX_BATCH)
    wait_seconds = max(number(params, "timeout") or 0.0, 0.0)
    return await state.updates.poll(limit, wait_seconds)


async def delete_webhook(state: SandboxState, params: Params) -> bool:
    if params.boolean("drop_pending_updates"):
        await state.updates.clear()
    return True


async def get_webhook_info(state: SandboxState, params: Params) -> JsonDict:
    return {
        "url": "",
        "has_custom_certificate": False,
        "pending_update_count": state.updates.pending_count(),
    }


async def set_webhook(state: SandboxState, params: Params) -> bool:
    """The sandbox only delivers by getUpdates; say so rather than silently dropping updates."""
    if params.string("url"):
        raise bad_request("bad webhook: the sandbox delivers updates by getUpdates only")
    return True


METHODS: dict[str, MethodHandler] = {
    "getupdates": get_updates,
    "deletewebhook": delete_webhook,
    "getwebhookinfo": get_webhook_info,
    "setwebhook": set_webhook,
}

"""getUpdates long polling and the webhook calls PTB makes before it starts polling."""

from __future__ import annotations

import logging
import re

from bot.sandbox.errors import ApiError, bad_request
from bot.sandbox.methods.types import MethodHandler
from bot.sandbox.models import JsonDict
from bot.sandbox.params import Params, number
from bot.sandbox.state import SandboxState

logger = logging.getLogger(__name__)

MAX_BATCH = 100
WEBHOOK_ACTIVE = (
    "Conflict: can't use getUpdates method while webhook is active; "
    "use deleteWebhook to delete the webhook first"
)
SECRET_SHAPE = re.compile(r"^[A-Za-z0-9_-]{1,256}$")


async def get_updates(state: SandboxState, params: Params) -> list[JsonDict]:
    """Confirm by offset, then wait for news for up to `timeout` seconds."""
    if state.webhook.active:
        raise ApiError(409, WEBHOOK_ACTIVE)
    allowed = params.json_value("allowed_updates")
    if allowed is not None and not isinstance(allowed, list):
        raise bad_request("can't parse allowed_updates JSON array")
    state.updates.set_allowed(allowed)
    state.updates.confirm(params.integer("offset"))
    limit = min(max(params.integer("limit") or MAX_BATCH, 1), MAX_BATCH)
    wait_seconds = max(number(params, "timeout") or 0.0, 0.0)
    return await state.updates.poll(limit, wait_seconds)


async def delete_webhook(state: SandboxState, params: Params) -> bool:
    await state.webhook.delete()
    if params.boolean("drop_pending_updates"):
        await state.updates.clear()
    return True


async def get_webhook_info(state: SandboxState, params: Params) -> JsonDict:
    info: JsonDict = {
        "url": state.webhook.url,
        "has_custom_certificate": False,
        "pending_update_count": state.updates.pending_count(),
    }
    if state.webhook.last_error:
        info["last_error_message"] = state.webhook.last_error
    return info


async def set_webhook(state: SandboxState, params: Params) -> bool:
    """From now on updates are POSTed to the URL, with the secret in a header, as Telegram does."""
    url = params.string("url") or ""
    if not url:
        await state.webhook.delete()
        return True
    if not url.startswith(("http://", "https://")):
        raise bad_request("bad webhook: an HTTPS URL must be provided for webhook")
    secret = params.string("secret_token")
    if secret is not None and not SECRET_SHAPE.match(secret):
        raise bad_request("bad webhook: secret token contains unallowed characters")
    if params.boolean("drop_pending_updates"):
        await state.updates.clear()
    allowed = params.json_value("allowed_updates")
    if isinstance(allowed, list):
        state.updates.set_allowed(allowed)
    state.webhook.set(url, secret)
    return True


METHODS: dict[str, MethodHandler] = {
    "getupdates": get_updates,
    "deletewebhook": delete_webhook,
    "getwebhookinfo": get_webhook_info,
    "setwebhook": set_webhook,
}

"""`reflectbot run --webhook URL`: Telegram POSTs updates to us; each is stored before we say 200."""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import logging
import secrets
import signal
from collections.abc import Coroutine
from typing import Any
from urllib.parse import urlparse

from aiohttp import web
from telegram import Update

from bot.state import BotApplication
from bot.telegram_errors import patiently

logger = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_UPDATE_BYTES = 1024 * 1024


class WebhookServer:
    """Checks Telegram's secret header, then hands the update to the durable inbox."""

    def __init__(self, app: BotApplication, *, path: str, secret: str) -> None:
        self.app, self.path, self.secret = app, path, secret

    def web_app(self) -> web.Application:
        server = web.Application(client_max_size=MAX_UPDATE_BYTES)
        server.router.add_post(self.path, self.receive)
        return server

    async def receive(self, request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(given.encode(), self.secret.encode()):
            logger.warning("webhook call without the right secret token refused")
            return web.Response(status=403)
        try:
            update = Update.de_json(await request.json(), self.app.bot)
        except ValueError:
            return web.Response(status=400)
        if update is not None:
            await self.app.update_queue.put(update)  # written to the inbox before the 200
        return web.Response()


async def serve_webhook(app: BotApplication, *, url: str, listen: str, port: int) -> None:
    """Runs until SIGINT or SIGTERM; the webhook stays set, so Telegram queues while we are down."""
    secret = secrets.token_urlsafe(32)
    path = urlparse(url).path or "/"
    runner = web.AppRunner(WebhookServer(app, path=path, secret=secret).web_app(), access_log=None)
    stop = asyncio.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        asyncio.get_running_loop().add_signal_handler(signum, stop.set)
    try:
        starting = _start(app, runner, url=url, listen=listen, port=port, secret=secret)
        if await _unless_stopped(stop, starting):
            logger.info("receiving updates on %s (listening on %s:%d)", url, listen, port)
            await stop.wait()
    finally:
        await runner.cleanup()
        if app.running:
            await app.stop()
        await app.shutdown()
        assert app.post_shutdown
        await app.post_shutdown(app)


async def _start(
    app: BotApplication, runner: web.AppRunner, *, url: str, listen: str, port: int, secret: str
) -> None:
    await patiently(app.initialize, what="at start-up")
    assert app.post_init
    await app.post_init(app)
    await app.start()
    await runner.setup()
    await web.TCPSite(runner, listen, port).start()
    await patiently(
        lambda: app.bot.set_webhook(url, secret_token=secret, allowed_updates=Update.ALL_TYPES),
        what="when setting the webhook",
    )


async def _unless_stopped(stop: asyncio.Event, work: Coroutine[Any, Any, None]) -> bool:
    """Start-up may wait a long time for Telegram; a stop signal must not wait for it too."""
    working, stopping = asyncio.ensure_future(work), asyncio.ensure_future(stop.wait())
    await asyncio.wait({working, stopping}, return_when=asyncio.FIRST_COMPLETED)
    for task in (working, stopping):
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
    return not stop.is_set()

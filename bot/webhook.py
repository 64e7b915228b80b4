"""`reflectbot run --webhook URL`: Telegram POSTs updates to us; each is stored before we say 200."""

from __future__ import annotations

import asyncio
import hmac
import logging
import secrets
import signal
from urllib.parse import urlparse

from aiohttp import web
from telegram import Update

from bot.state import BotApplication

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
    await app.initialize()
    assert app.post_init and app.post_shutdown
    try:
        await app.post_init(app)
        await app.start()
        await runner.setup()
        await web.TCPSite(runner, listen, port).start()
        await app.bot.set_webhook(url, secret_token=secret, allowed_updates=Update.ALL_TYPES)
        logger.info("receiving updates on %s (listening on %s:%d)", url, listen, port)
        await stop.wait()
    finally:
        await runner.cleanup()
        if app.running:
            await app.stop()
        await app.shutdown()
        await app.post_shutdown(app)

"""Telegram's other way to deliver updates: POST each one to the bot's URL, in order, until 2xx."""

from __future__ import annotations

import asyncio
import contextlib
import logging

import aiohttp

from bot.sandbox.updates import UpdateQueue

logger = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_BACKOFF_SECONDS = 8.0
REQUEST_TIMEOUT_SECONDS = 60.0


class Webhook:
    """While a URL is set, a task posts pending updates there one at a time, retrying on failure."""

    def __init__(self, updates: UpdateQueue) -> None:
        self.updates = updates
        self.url = ""
        self.secret: str | None = None
        self.last_error: str | None = None
        self._task: asyncio.Task[None] | None = None

    @property
    def active(self) -> bool:
        return bool(self.url)

    def set(self, url: str, secret: str | None) -> None:
        self.url, self.secret, self.last_error = url, secret, None
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._deliver(), name="sandbox-webhook")

    async def delete(self) -> None:
        self.url, self.secret = "", None
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _deliver(self) -> None:
        timeout = aiohttp.ClientTimeout(total=REQUEST_TIMEOUT_SECONDS)
        async with aiohttp.ClientSession(timeout=timeout) as http:
            backoff = 0.5
            while self.active:
                batch = await self.updates.poll(limit=1, wait_seconds=30)
                if not batch:  # a quiet half-minute, or the server stopping: never spin
                    await asyncio.sleep(0.1)
                for update in batch:
                    if await self._post(http, update):
                        self.updates.confirm(int(update["update_id"]) + 1)
                        backoff = 0.5
                    else:
                        await asyncio.sleep(backoff)
                        backoff = min(backoff * 2, MAX_BACKOFF_SECONDS)

    async def _post(self, http: aiohttp.ClientSession, update: dict[str, object]) -> bool:
        headers = {SECRET_HEADER: self.secret} if self.secret else {}
        try:
            async with http.post(self.url, json=update, headers=headers) as response:
                if response.status < 300:
                    return True
                self.last_error = f"Wrong response from the webhook: {response.status}"
        except (aiohttp.ClientError, TimeoutError) as error:
            self.last_error = f"Connection failed: {type(error).__name__}"
        return False

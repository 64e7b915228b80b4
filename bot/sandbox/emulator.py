"""The Telegram Bot API emulator and its web chat, served by one aiohttp application."""

from __future__ import annotations

import logging
from pathlib import Path

from aiohttp import web

from bot.sandbox.bot_api import BotApiRoutes
from bot.sandbox.control_admin import AdminRoutes
from bot.sandbox.control_clock import ClockRoutes
from bot.sandbox.control_people import PeopleRoutes
from bot.sandbox.control_reads import ReadRoutes
from bot.sandbox.errors import control_errors
from bot.sandbox.models import BotIdentity
from bot.sandbox.people import Person
from bot.sandbox.state import SandboxState

logger = logging.getLogger(__name__)

STATIC_DIR = Path(__file__).parent / "static"
MAX_JSON_BODY_BYTES = 2 * 1024 * 1024
FALLBACK_BOT_ID = 5_000_000_001


class BotApiEmulator:
    """Telegram for one bot, on one port: Bot API, control API and the page at `/`."""

    def __init__(
        self,
        *,
        token: str,
        storage_dir: Path,
        bot_username: str = "reflect_sandbox_bot",
        bot_first_name: str = "Reflect",
        group_privacy: bool = True,
    ) -> None:
        bot = BotIdentity(_bot_id(token), bot_username, bot_first_name)
        self.state = SandboxState(
            token=token, storage_dir=storage_dir, bot=bot, group_privacy=group_privacy
        )

    @property
    def people(self) -> list[Person]:
        """The personas the page offers; replace the list to offer others."""
        return self.state.people

    @people.setter
    def people(self, people: list[Person]) -> None:
        self.state.people = list(people)

    def web_app(self) -> web.Application:
        app = web.Application(client_max_size=MAX_JSON_BODY_BYTES, middlewares=[control_errors])
        for routes in (
            BotApiRoutes(self.state),
            PeopleRoutes(self.state),
            ReadRoutes(self.state),
            AdminRoutes(self.state),
            ClockRoutes(self.state),
        ):
            routes.add_to(app)
        app.router.add_get("/", _page)
        app.router.add_get("/favicon.ico", _favicon)
        app.router.add_static("/static/", STATIC_DIR)
        app.on_startup.append(self._on_startup)
        app.on_shutdown.append(self._on_shutdown)
        return app

    async def _on_startup(self, app: web.Application) -> None:
        """A fresh emulator knows no files, so clear any left on disk by an earlier run."""
        self.state.updates.resume_waiting()
        if len(self.state.files) == 0:
            await self.state.files.clear()

    async def _on_shutdown(self, app: web.Application) -> None:
        """End open long polls so the server stops at once rather than after their timeout."""
        await self.state.webhook.delete()
        await self.state.updates.release_pollers()


async def _page(request: web.Request) -> web.FileResponse:
    return web.FileResponse(STATIC_DIR / "index.html", headers={"Cache-Control": "no-cache"})


async def _favicon(request: web.Request) -> web.FileResponse:
    """Browsers ask for /favicon.ico whatever the page says; answer with the page's icon."""
    return web.FileResponse(STATIC_DIR / "favicon.svg", headers={"Content-Type": "image/svg+xml"})


def _bot_id(token: str) -> int:
    """A real token starts with the bot's id; anything else gets a stable stand-in."""
    prefix = token.split(":", 1)[0]
    return int(prefix) if prefix.isdigit() else FALLBACK_BOT_ID

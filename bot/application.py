"""The one place that builds the PTB Application: handlers, error handler, state and lifecycle."""

from __future__ import annotations

import logging

from telegram.ext import AIORateLimiter, Application, ApplicationBuilder, ContextTypes

from bot.database import Database
from bot.settings import Settings
from bot.state import AppState
from bot.texts import load_texts
from bot.update_processor import PerChatUpdateProcessor
from handlers import BOT_COMMANDS, register_all

logger = logging.getLogger(__name__)

BotApplication = Application  # type: ignore[type-arg]


def build_application(settings: Settings) -> BotApplication:
    """Wires everything; nothing connects until `post_init` runs inside the event loop."""
    builder = (
        ApplicationBuilder()
        .token(settings.bot_token())
        .base_url(f"{settings.telegram_api_url}/bot")
        .base_file_url(f"{settings.telegram_api_url}/file/bot")
        .context_types(ContextTypes(bot_data=AppState))
        .concurrent_updates(PerChatUpdateProcessor())
        .post_init(_post_init)
        .post_shutdown(_post_shutdown)
    )
    if settings.rate_limit:
        builder = builder.rate_limiter(AIORateLimiter(max_retries=3))
    app = builder.build()
    app.bot_data.settings = settings
    app.bot_data.texts = load_texts()
    register_all(app)
    return app


async def _post_init(app: BotApplication) -> None:
    state: AppState = app.bot_data
    state.db = Database(state.settings.resolved_database_url)
    await app.bot.set_my_commands(BOT_COMMANDS)
    logger.info("bot @%s ready", app.bot.username)


async def _post_shutdown(app: BotApplication) -> None:
    state: AppState = app.bot_data
    await state.db.dispose()
    state.db = None

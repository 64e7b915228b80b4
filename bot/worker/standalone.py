"""`reflectbot worker`: a transcription worker in its own process, sharing the database queue."""

from __future__ import annotations

import asyncio
import logging
import signal
from datetime import timedelta

from telegram import Bot
from telegram.ext import ExtBot
from telegram.request import HTTPXRequest

from bot.database import Database
from bot.rate_limits import PerChatRateLimiter
from bot.settings import Settings
from bot.tagging.adapt_files import live_tagger
from bot.tagging.codebook import load_codebook
from bot.transcription import config_from_settings, create_transcriber
from bot.views.delivery import Deliverer
from bot.views.texts import load_texts
from bot.worker.transcription_worker import TranscriptionWorker

logger = logging.getLogger(__name__)


def make_bot(settings: Settings) -> Bot:
    """A Bot for delivering results, calling Telegram as the bot process does; it polls nothing."""
    timeout = settings.telegram_timeout_seconds
    request = HTTPXRequest(read_timeout=timeout, write_timeout=timeout, media_write_timeout=timeout)
    limiter = PerChatRateLimiter(max_retries=3) if settings.rate_limit else None
    return ExtBot(
        settings.bot_token(),
        base_url=f"{settings.telegram_api_url}/bot",
        base_file_url=f"{settings.telegram_api_url}/file/bot",
        request=request,
        rate_limiter=limiter,
    )


async def serve_worker(settings: Settings) -> None:
    db = Database(settings.resolved_database_url)
    transcriber = create_transcriber(config_from_settings(settings))
    async with make_bot(settings) as bot:
        tagger = live_tagger(load_codebook(), settings.data_dir)
        deliverer = Deliverer(
            db=db,
            bot=bot,
            texts=load_texts(),
            codebook=tagger.codebook,
            retry_seconds=settings.delivery_retry_seconds,
            ack_grace=timedelta(seconds=2 * settings.telegram_timeout_seconds),
        )
        worker = TranscriptionWorker(
            db=db,
            bot=bot,
            transcriber=transcriber,
            settings=settings,
            deliverer=deliverer,
            tagger=tagger,
        )
        task = asyncio.create_task(worker.run(embedded=False))
        for signum in (signal.SIGINT, signal.SIGTERM):
            asyncio.get_running_loop().add_signal_handler(signum, task.cancel)
        logger.info("transcription worker %s started", worker.worker_id)
        try:
            await task
        except asyncio.CancelledError:
            logger.info("transcription worker stopping")
    await db.dispose()

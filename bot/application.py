"""The one place that builds the PTB Application: handlers, error handler, state and lifecycle."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import timedelta
from typing import cast

from telegram.error import TelegramError
from telegram.ext import ApplicationBuilder, ContextTypes

from bot.database import Database
from bot.health import HealthServer
from bot.inbox import DurableUpdateQueue
from bot.rate_limits import PerChatRateLimiter
from bot.services import digest_schedule, groups, privacy, prompt_schedule, retention
from bot.services.digest_questions import load_digest_questions
from bot.services.prompt_sets import load_prompt_sets
from bot.services.term_dates import load_term_dates
from bot.settings import Settings
from bot.state import AppState, BotApplication, Context
from bot.tagging import adapt_service
from bot.tagging.adapt_files import live_tagger
from bot.tagging.codebook import load_codebook
from bot.tagging.model_tagger import ModelTagger
from bot.transcription.base import Transcriber
from bot.update_processor import PerChatUpdateProcessor
from bot.views.delivery import Deliverer
from bot.views.digest_sender import DigestOutgoing
from bot.views.nudges import NudgeOutgoing
from bot.views.scheduled_sender import ScheduledSender
from bot.views.texts import load_texts
from bot.worker.transcription_worker import TranscriptionWorker
from handlers import BOT_COMMANDS, register_all
from storage.base import utcnow
from storage.vocabulary import SendKind

logger = logging.getLogger(__name__)

WORKER_TASK = "transcription-worker"
# Daily jobs run once soon after start, then every day: a restart never skips a day.
DAILY = timedelta(days=1)
SOON_AFTER_START = timedelta(seconds=30)
ADAPT_INTERVAL = timedelta(days=1)
ADAPT_FIRST = timedelta(minutes=10)


def build_application(
    settings: Settings, *, transcriber: Transcriber | None = None
) -> BotApplication:
    """Wires everything; nothing connects until `post_init` runs inside the event loop."""
    inbox = DurableUpdateQueue(retry_seconds=settings.update_retry_seconds)
    builder = (
        ApplicationBuilder()
        .token(settings.bot_token())
        .base_url(f"{settings.telegram_api_url}/bot")
        .base_file_url(f"{settings.telegram_api_url}/file/bot")
        .read_timeout(settings.telegram_timeout_seconds)
        .write_timeout(settings.telegram_timeout_seconds)
        .media_write_timeout(settings.telegram_timeout_seconds)
        .get_updates_read_timeout(settings.telegram_timeout_seconds)  # on top of the long poll
        .context_types(ContextTypes(context=Context, bot_data=AppState))
        .update_queue(inbox)
        .concurrent_updates(PerChatUpdateProcessor(on_handled=inbox.handled))
        .post_init(_post_init)
        .post_shutdown(_post_shutdown)
    )
    if settings.rate_limit:
        builder = builder.rate_limiter(PerChatRateLimiter(max_retries=3))  # type: ignore[arg-type]
    app = cast(BotApplication, builder.build())
    app.bot_data.settings = settings
    app.bot_data.texts = load_texts()
    app.bot_data.tagger = live_tagger(load_codebook(), settings.data_dir)
    app.bot_data.prompt_sets = load_prompt_sets()
    app.bot_data.digest_questions = load_digest_questions(app.bot_data.tagger.codebook)
    app.bot_data.term_dates = load_term_dates()
    app.bot_data.transcriber = transcriber
    app.bot_data.inbox = inbox
    register_all(app)
    return app


async def _post_init(app: BotApplication) -> None:
    state: AppState = app.bot_data
    state.db = Database(state.settings.resolved_database_url)
    state.inbox.db = state.db
    await state.inbox.replay(app.bot)
    state.deliverer = Deliverer(
        db=state.db,
        bot=app.bot,
        texts=state.texts,
        codebook=state.codebook,
        retry_seconds=state.settings.delivery_retry_seconds,
        ack_grace=timedelta(seconds=2 * state.settings.telegram_timeout_seconds),
    )
    await _offer_commands(app)
    _schedule_sends(app, state)
    _schedule_retention(app, state)
    _schedule_housekeeping(app)
    _schedule_adaptation(app, state)
    if state.settings.health_port:
        state.health = HealthServer(
            state.db, host=state.settings.health_host, port=state.settings.health_port
        )
        await state.health.start()
    if state.settings.run_worker:
        _start_worker(app, state)
    logger.info("bot @%s ready", app.bot.username)


async def _offer_commands(app: BotApplication) -> None:
    """The command menu is a convenience: Telegram refusing it must not stop the bot."""
    try:
        await app.bot.set_my_commands(BOT_COMMANDS)
    except TelegramError as error:
        logger.warning("could not set the command menu (%s); carrying on", type(error).__name__)


def _schedule_sends(app: BotApplication, state: AppState) -> None:
    """The JobQueue asks the database what is due every few seconds: the database, not the
    scheduler, remembers what was planned and sent, so restarts and moved clocks just work."""
    assert state.digest_questions is not None and app.job_queue is not None
    rules = state.prompt_rules
    digests = DigestOutgoing(
        db=state.db,
        bot=app.bot,
        texts=state.texts,
        codebook=state.codebook,
        questions=state.digest_questions,
    )
    nudges = NudgeOutgoing(bot=app.bot, texts=state.texts, prompt_sets=state.prompt_sets)
    state.scheduled_sender = ScheduledSender(
        db=state.db,
        planners=(
            lambda session, now: digest_schedule.plan_due(session, now=now),
            lambda session, now: prompt_schedule.plan_due(session, now=now, rules=rules),
        ),
        outgoing=dict.fromkeys(prompt_schedule.NUDGES, nudges) | {SendKind.DIGEST: digests},
        retry_seconds=state.settings.delivery_retry_seconds,
    )
    app.job_queue.run_repeating(
        _send_tick, interval=state.settings.scheduler_seconds, first=1.0, name="scheduled-sends"
    )


async def _send_tick(context: Context) -> None:
    sender = context.bot_data.scheduled_sender
    try:
        if sender is not None:
            await sender.tick()
    except Exception as error:
        logger.error("scheduled send tick failed: %s", type(error).__name__, exc_info=error)


def _schedule_retention(app: BotApplication, state: AppState) -> None:
    """Once soon after start, then daily: a restart never skips a day's purge."""
    if state.settings.reflection_retention_days and app.job_queue is not None:
        app.job_queue.run_repeating(
            _retention_tick, interval=DAILY, first=SOON_AFTER_START, name="retention"
        )


async def _retention_tick(context: Context) -> None:
    state = context.bot_data
    days = state.settings.reflection_retention_days
    try:
        if days:
            purged = await retention.purge(state.db, days=days, now=utcnow())
            await privacy.remove_files(purged.audio)
            logger.info(
                "retention: deleted %d reflections older than %d days", purged.entries, days
            )
    except Exception as error:
        logger.error("retention purge failed: %s", type(error).__name__, exc_info=error)


def _schedule_housekeeping(app: BotApplication) -> None:
    """Daily: namings of leads who never answered expire, so no stranger's id is kept."""
    if app.job_queue is not None:
        app.job_queue.run_repeating(
            _housekeeping_tick, interval=DAILY, first=SOON_AFTER_START, name="housekeeping"
        )


async def _housekeeping_tick(context: Context) -> None:
    try:
        async with context.bot_data.db.transaction() as session:
            expired = await groups.expire_namings(session)
        if expired:
            logger.info("housekeeping: forgot %d lead naming(s) nobody answered", expired)
    except Exception as error:
        logger.error("housekeeping failed: %s", type(error).__name__, exc_info=error)


def _schedule_adaptation(app: BotApplication, state: AppState) -> None:
    """Daily, some minutes after start: with the model in use, tutors' confirmed tags may teach it."""
    if isinstance(state.tagger, ModelTagger) and app.job_queue is not None:
        app.job_queue.run_repeating(
            _adapt_tick, interval=ADAPT_INTERVAL, first=ADAPT_FIRST, name="tagger-adaptation"
        )


async def _adapt_tick(context: Context) -> None:
    state = context.bot_data
    try:
        await adapt_service.run_check(
            state.db,
            state.tagger,
            data_dir=state.settings.data_dir,
            minimum=state.settings.tagger_adapt_min,
        )
    except Exception as error:  # no traceback: its messages could quote an entry's words
        logger.error("tagger adaptation failed: %s", type(error).__name__)


def _start_worker(app: BotApplication, state: AppState) -> None:
    """The embedded worker; on SQLite it is the only one, so it may rescue 'running' jobs."""
    assert state.deliverer is not None
    if state.transcriber is None:
        from bot.transcription import config_from_settings, create_transcriber

        state.transcriber = create_transcriber(config_from_settings(state.settings))
    state.worker = TranscriptionWorker(
        db=state.db,
        bot=app.bot,
        transcriber=state.transcriber,
        settings=state.settings,
        deliverer=state.deliverer,
        tagger=state.tagger,
    )
    embedded = state.db.url.startswith("sqlite")
    state.worker_task = asyncio.create_task(state.worker.run(embedded=embedded), name=WORKER_TASK)


async def _post_shutdown(app: BotApplication) -> None:
    """Also runs after a failed start, so it must not assume post_init got far."""
    state: AppState = app.bot_data
    if state.worker_task is not None:
        state.worker_task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await state.worker_task
    state.inbox.db = None
    if state.health is not None:
        await state.health.stop()
    if state.has_db:
        await state.db.dispose()
        state.db = None

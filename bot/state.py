"""Typed application state, so handlers never reach into `bot_data` with string keys."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import TYPE_CHECKING, Any, TypeVar

from telegram.ext import Application, CallbackContext, ExtBot, JobQueue

from bot.inbox import DurableUpdateQueue
from bot.services import guided
from bot.services.limits import RateLimits
from bot.services.prompt_schedule import QuietHours, Rules

if TYPE_CHECKING:
    from bot.database import Database
    from bot.health import HealthServer
    from bot.services.digest_questions import DigestQuestions
    from bot.services.identity import Identity
    from bot.services.prompt_sets import PromptSet
    from bot.services.term_dates import TermDates
    from bot.settings import Settings
    from bot.tagging.codes import Codebook
    from bot.tagging.tagger import Tagger
    from bot.transcription.base import Transcriber
    from bot.views.delivery import Deliverer
    from bot.views.scheduled_sender import ScheduledSender
    from bot.views.texts import Texts
    from bot.worker.transcription_worker import TranscriptionWorker


class AppState:
    """Filled in by `build_application` and `post_init`; PTB creates it with no arguments."""

    def __init__(self) -> None:
        self._settings: Settings | None = None
        self._database: Database | None = None
        self._texts: Texts | None = None
        self.worker: TranscriptionWorker | None = None
        self.deliverer: Deliverer | None = None
        self.scheduled_sender: ScheduledSender | None = None
        self.transcriber: Transcriber | None = None
        self.worker_task: asyncio.Task[None] | None = None
        self._tagger: Tagger | None = None
        self.prompt_sets: dict[str, PromptSet] = {}
        self.digest_questions: DigestQuestions | None = None
        self.term_dates: TermDates | None = None
        self.inbox = DurableUpdateQueue()
        self.health: HealthServer | None = None
        self.limits = RateLimits()

    @property
    def settings(self) -> Settings:
        return _ready(self._settings, "settings")

    @settings.setter
    def settings(self, value: Settings) -> None:
        self._settings = value

    @property
    def has_db(self) -> bool:
        return self._database is not None

    @property
    def db(self) -> Database:
        return _ready(self._database, "database")

    @db.setter
    def db(self, value: Database | None) -> None:
        self._database = value

    @property
    def tagger(self) -> Tagger:
        return _ready(self._tagger, "tagger")

    @tagger.setter
    def tagger(self, value: Tagger) -> None:
        self._tagger = value

    @property
    def codebook(self) -> Codebook:
        return self.tagger.codebook

    @property
    def guided(self) -> guided.Settings:
        """Everything a guided reflection needs besides the tutor."""
        return guided.Settings(self.prompt_sets, self.tagger, self.settings.guided_timeout_hours)

    @property
    def prompt_rules(self) -> Rules:
        """When check-ins go: the operator's delay after a session, and the quiet hours."""
        return Rules(
            delay=timedelta(minutes=self.settings.prompt_delay_minutes),
            quiet=QuietHours.parse(self.settings.quiet_hours),
        )

    @property
    def texts(self) -> Texts:
        return _ready(self._texts, "texts")

    @texts.setter
    def texts(self, value: Texts) -> None:
        self._texts = value


T = TypeVar("T")


def _ready(value: T | None, name: str) -> T:
    if value is None:
        raise RuntimeError(f"application {name} used before post_init")
    return value


class Context(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], AppState]):
    """PTB makes one per update and hands it to every handler group, so it can carry who asked."""

    def __init__(
        self, application: BotApplication, chat_id: int | None = None, user_id: int | None = None
    ) -> None:
        super().__init__(application, chat_id, user_id)
        self.identity: Identity | None = None
        self.identity_known = False
        self.within_limits: bool | None = None


BotApplication = Application[
    ExtBot[None], Context, dict[Any, Any], dict[Any, Any], AppState, JobQueue[Context]
]

"""The transcription worker: claims jobs from the database and works on a few at once."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import os
import socket
import time
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

from telegram import Bot
from telegram.constants import ChatAction
from telegram.error import TelegramError

from bot.database import Database
from bot.services.voice import mark_failed, store_transcript
from bot.settings import Settings
from bot.tagging import adapt_service
from bot.tagging.tagger import Tagger
from bot.transcription.base import Transcriber, no_progress
from bot.transcription.errors import AudioError
from bot.views.delivery import Deliverer
from bot.views.progress import ProgressMessage
from storage import health, inbox, jobs
from storage.base import utcnow
from storage.models import TranscriptionJob
from storage.vocabulary import FailureKind, JobStatus

logger = logging.getLogger(__name__)

CHAT_ACTION_EVERY_S = 4.5
HOUSEKEEPING_EVERY_S = 3600.0
FAILED_AUDIO_MIN_DAYS = 30
HEARTBEAT_EVERY_S = 15.0
HEARTBEAT_STOP_S = 10.0  # an edit in flight may finish; a stuck one is cut off


def _complete_file(path: Path, expected_size: int | None) -> bool:
    """A download cut off by a crash leaves a short file, which must be fetched again."""
    return path.exists() and expected_size in (None, path.stat().st_size)


class JobGone(Exception):
    """The job's entry was deleted, or its tutor erased everything, while we worked on it."""


def default_worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


class TranscriptionWorker:
    """One model, up to TRANSCRIPTION_CONCURRENCY jobs at once off the event loop; the database
    says what is left to do."""

    def __init__(
        self,
        *,
        db: Database,
        bot: Bot,
        transcriber: Transcriber,
        settings: Settings,
        deliverer: Deliverer,
        tagger: Tagger,
        worker_id: str | None = None,
    ) -> None:
        self.db, self.bot, self.transcriber, self.settings = db, bot, transcriber, settings
        self.deliverer, self.tagger = deliverer, tagger
        self.worker_id = worker_id or default_worker_id()
        self._wake = asyncio.Event()
        self.audio_dir = settings.data_dir / "audio"
        self._last_housekeeping = -HOUSEKEEPING_EVERY_S
        self._last_sweep = -HOUSEKEEPING_EVERY_S
        self._last_beat = -HOUSEKEEPING_EVERY_S
        self.concurrency = settings.resolved_transcription_concurrency
        self._active: set[asyncio.Task[None]] = set()
        # Its own threads, so notes never queue behind (or block) other to_thread work.
        self._pool = ThreadPoolExecutor(self.concurrency, thread_name_prefix="transcribe")

    def wake(self) -> None:
        """Called after a handler enqueues, so a new voice note does not wait for the next poll."""
        self._wake.set()

    async def run(self, *, embedded: bool) -> None:
        """Loads the model, rescues work cut off by a restart, then processes jobs until cancelled."""
        await asyncio.to_thread(self.transcriber.load)
        if embedded:
            async with self.db.transaction() as session:
                rescued = await jobs.requeue_running(session=session)
            if rescued:
                logger.info("requeued %d transcription(s) interrupted by a restart", rescued)
        try:
            await self._loop()
        finally:
            await self._stop_jobs()

    async def _loop(self) -> None:
        """Fills free slots, then waits for a new job, a finished one, or the next poll."""
        while True:
            self._wake.clear()
            await self._fill_slots()
            await self._beat()
            await self._sweep_deliveries()
            if not self._active:
                await self._housekeeping()
            await self._idle()

    async def _stop_jobs(self) -> None:
        """Jobs cut off here keep their lease until it expires, or a restart requeues them."""
        for task in self._active:
            task.cancel()
        await asyncio.gather(*self._active, return_exceptions=True)
        self._pool.shutdown(wait=False, cancel_futures=True)

    async def _beat(self) -> None:
        """Tells the health check this worker is alive, at most every HEARTBEAT_EVERY_S."""
        if time.monotonic() - self._last_beat < HEARTBEAT_EVERY_S:
            return
        self._last_beat = time.monotonic()
        try:
            async with self.db.transaction() as session:
                await health.beat(session=session, worker_id=self.worker_id)
        except Exception as error:
            logger.warning("worker heartbeat not recorded: %s", type(error).__name__)

    async def _sweep_deliveries(self) -> None:
        """Results Telegram refused earlier are tried again while the worker runs, not at restart."""
        if time.monotonic() - self._last_sweep < self.settings.delivery_retry_seconds:
            return
        self._last_sweep = time.monotonic()
        try:
            await self.deliverer.sweep()
        except Exception as error:
            logger.error("delivery sweep error: %s", type(error).__name__, exc_info=error)

    async def _housekeeping(self) -> None:
        """Idle-time chores, at most once an hour."""
        if time.monotonic() - self._last_housekeeping < HOUSEKEEPING_EVERY_S:
            return
        self._last_housekeeping = time.monotonic()
        purged = await self.purge_expired_audio()
        if purged:
            logger.info("deleted %d audio file(s) past their retention period", purged)
        async with self.db.transaction() as session:
            await inbox.forget_handled(session=session, before=utcnow() - timedelta(days=1))
        await self._refresh_tagger()

    async def _refresh_tagger(self) -> None:
        """A worker in its own process picks up a layer the bot's daily check accepted."""
        try:
            await asyncio.to_thread(adapt_service.refresh, self.tagger, self.settings.data_dir)
        except Exception as error:
            logger.warning("tagger layer not refreshed: %s", type(error).__name__)

    async def purge_expired_audio(self) -> int:
        """Kept audio lives AUDIO_RETENTION_DAYS; audio that failed to transcribe, at least 30 days.

        Failed audio waits for a /retry, but not for ever: it is a recording of a child's day.
        """
        days = self.settings.audio_retention_days
        purged = await self._purge(JobStatus.FAILED, max(days, FAILED_AUDIO_MIN_DAYS))
        if days:
            purged += await self._purge(JobStatus.DONE, days)
        return purged

    async def _purge(self, status: JobStatus, days: int) -> int:
        cutoff = utcnow() - timedelta(days=days)
        async with self.db.transaction() as session:
            expired = await jobs.expired_audio(
                session=session, status=status, finished_before=cutoff
            )
            for job in expired:
                await asyncio.to_thread(Path(job.audio_path or "").unlink, missing_ok=True)
                job.audio_path = None
        return len(expired)

    async def _fill_slots(self) -> None:
        """Claims due jobs while a slot is free; each runs as its own task, with its own lease."""
        while len(self._active) < self.concurrency:
            job = await self._claim_safely()
            if job is None:
                return
            task = asyncio.create_task(self._process_safely(job), name=f"transcription-{job.id}")
            self._active.add(task)
            task.add_done_callback(self._slot_freed)

    def _slot_freed(self, task: asyncio.Task[None]) -> None:
        self._active.discard(task)
        self._wake.set()

    async def _claim_safely(self) -> TranscriptionJob | None:
        """A database hiccup (a restart, a locked SQLite file) must not kill the worker."""
        try:
            async with self.db.transaction() as session:
                return await jobs.claim_next(
                    session=session,
                    worker_id=self.worker_id,
                    lease_seconds=self.settings.transcription_lease_seconds,
                )
        except Exception as error:
            logger.error("worker loop error: %s", type(error).__name__, exc_info=error)
            return None

    async def _process_safely(self, job: TranscriptionJob) -> None:
        """An error recording one job's outcome leaves it to its lease, not the others."""
        try:
            await self.process(job)
        except Exception as error:
            logger.error("job %d error: %s", job.id, type(error).__name__, exc_info=error)

    async def _idle(self) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), timeout=self.settings.worker_poll_seconds)

    async def process(self, job: TranscriptionJob) -> None:
        logger.info("transcribing job %d (attempt %d)", job.id, job.attempts)
        progress = await self.deliverer.progress_message(job)
        try:
            async with self._keepalive(job, progress):
                path = await self._fetch_audio(job)
                work = functools.partial(
                    self.transcriber.transcribe, path, progress.update if progress else no_progress
                )
                transcript = await asyncio.get_running_loop().run_in_executor(self._pool, work)
        except JobGone:
            logger.info("job %d was deleted while its audio downloaded", job.id)
        except AudioError as error:
            await self._give_up(job, FailureKind.UNREADABLE, f"unreadable audio: {error.reason}")
        except Exception as error:
            logger.warning("job %d failed: %s", job.id, type(error).__name__, exc_info=error)
            await self._retry_or_give_up(job, f"{type(error).__name__}: {error}")
        else:
            await self._complete(job, transcript.text, transcript.seconds, path)

    async def _fetch_audio(self, job: TranscriptionJob) -> Path:
        """Downloads once; a retry or a restarted worker reuses the file already on disk.

        The path is recorded before the download, so an erasure meanwhile knows the file,
        and checked after it, so a file for an entry erased meanwhile is removed at once.
        """
        kept = Path(job.audio_path) if job.audio_path else None
        if kept is not None and await asyncio.to_thread(_complete_file, kept, job.file_size):
            return kept
        telegram_file = await self.bot.get_file(job.file_id)
        suffix = Path(telegram_file.file_path or "voice.ogg").suffix or ".ogg"
        path = self.audio_dir / f"job-{job.id}{suffix}"
        async with self.db.transaction() as session:
            if not await jobs.set_audio_path(session=session, job_id=job.id, audio_path=str(path)):
                raise JobGone
        job.audio_path = str(path)
        await asyncio.to_thread(self.audio_dir.mkdir, parents=True, exist_ok=True)
        await telegram_file.download_to_drive(path)
        if await self._discard_if_deleted(job):
            raise JobGone
        return path

    async def _discard_if_deleted(self, job: TranscriptionJob) -> bool:
        """True (and its audio deleted) when the job's entry was deleted or its tutor erased."""
        async with self.db.transaction() as session:
            gone = await jobs.get_job(session=session, job_id=job.id) is None
        if gone and job.audio_path:
            await asyncio.to_thread(Path(job.audio_path).unlink, missing_ok=True)
        return gone

    async def _complete(self, job: TranscriptionJob, text: str, seconds: float, path: Path) -> None:
        if not text.strip():
            await self._give_up(job, FailureKind.NO_SPEECH, "no speech detected")
            return
        async with self.db.transaction() as session:
            owned = await jobs.finish(
                session=session,
                job_id=job.id,
                worker_id=self.worker_id,
                status=JobStatus.DONE,
                transcribe_seconds=seconds,
            )
            if owned:
                await store_transcript(session, job=job, text=text, tagger=self.tagger)
        if not owned:
            if not await self._discard_if_deleted(job):
                logger.warning("job %d was taken over by another worker; result discarded", job.id)
            return
        if self.settings.audio_retention_days == 0:
            await self._forget_audio(job, path)
        await self.deliverer.deliver(job.id)

    async def _forget_audio(self, job: TranscriptionJob, path: Path) -> None:
        await asyncio.to_thread(path.unlink, missing_ok=True)
        async with self.db.transaction() as session:
            await jobs.clear_audio_path(session=session, job_id=job.id)

    async def _retry_or_give_up(self, job: TranscriptionJob, reason: str) -> None:
        if job.attempts >= self.settings.transcription_max_attempts:
            await self._give_up(job, FailureKind.ERROR, reason)
            return
        delay = self.settings.transcription_retry_seconds * 2 ** (job.attempts - 1)
        async with self.db.transaction() as session:
            await jobs.finish(
                session=session,
                job_id=job.id,
                worker_id=self.worker_id,
                status=JobStatus.PENDING,
                error=reason,
                retry_at=utcnow() + timedelta(seconds=delay),
            )

    async def _give_up(self, job: TranscriptionJob, kind: FailureKind, reason: str) -> None:
        """Keeps the audio and tells the tutor plainly; /retry can start it again."""
        async with self.db.transaction() as session:
            owned = await jobs.finish(
                session=session,
                job_id=job.id,
                worker_id=self.worker_id,
                status=JobStatus.FAILED,
                error=reason,
                failure_kind=kind,
            )
            if owned:
                await mark_failed(session, job=job, tagger=self.tagger)
        if owned:
            await self.deliverer.deliver(job.id)
        else:
            await self._discard_if_deleted(job)

    @contextlib.asynccontextmanager
    async def _keepalive(
        self, job: TranscriptionJob, progress: ProgressMessage | None
    ) -> AsyncIterator[None]:
        """Renews the lease and shows 'typing' (and progress) while the model works.

        It is stopped, not cancelled, so a progress edit in flight lands before the
        transcript's own edit and can never overwrite it.
        """
        stop = asyncio.Event()
        task = asyncio.create_task(self._heartbeat(job, progress, stop))
        try:
            yield
        finally:
            stop.set()
            try:
                await asyncio.wait_for(task, timeout=HEARTBEAT_STOP_S)
            except Exception as error:  # a failed renewal is the lease's business, not the job's
                logger.warning("job %d heartbeat: %s", job.id, type(error).__name__)

    async def _heartbeat(
        self, job: TranscriptionJob, progress: ProgressMessage | None, stop: asyncio.Event
    ) -> None:
        lease = self.settings.transcription_lease_seconds
        while not stop.is_set():
            with contextlib.suppress(TelegramError):
                await self.bot.send_chat_action(job.chat_id, ChatAction.TYPING)
            if progress is not None:
                await progress.show()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=min(CHAT_ACTION_EVERY_S, lease / 3))
            if stop.is_set():
                return
            async with self.db.transaction() as session:
                await jobs.renew_lease(
                    session=session, job_id=job.id, worker_id=self.worker_id, lease_seconds=lease
                )

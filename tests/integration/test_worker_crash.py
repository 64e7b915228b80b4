"""A worker killed mid-transcription: after a restart every job completes exactly once."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.sandbox.client import SandboxClient
from bot.sandbox.runner import Sandbox, running_sandbox
from bot.settings import SANDBOX_TOKEN
from storage.models import TranscriptionJob
from tests.conftest import make_settings
from tests.integration.conftest import Chat, onboard, stored_reflections, text_of
from tests.speech import speech_clip

pytestmark = pytest.mark.slow
NOTES = 3
LEASE_SECONDS = 3


@pytest.fixture
async def sandbox_without_worker(tmp_path: Path) -> AsyncIterator[Sandbox]:
    settings = make_settings(tmp_path / "data", run_worker=False)
    async with running_sandbox(settings) as sandbox:
        yield sandbox


def start_worker(sandbox: Sandbox, concurrency: int) -> subprocess.Popen[bytes]:
    """`reflectbot worker` in its own process, as it would run on another machine."""
    env = {
        **os.environ,
        "DATA_DIR": str(sandbox.settings.data_dir),
        "TELEGRAM_API_URL": sandbox.url,
        "TELEGRAM_BOT_TOKEN": SANDBOX_TOKEN,
        "TRANSCRIPTION_LEASE_SECONDS": str(LEASE_SECONDS),
        "WORKER_POLL_SECONDS": "0.2",
        "TRANSCRIPTION_CONCURRENCY": str(concurrency),
        "LOG_LEVEL": "INFO",
    }
    env.pop("DATABASE_URL", None)
    return subprocess.Popen([sys.executable, "-m", "bot", "worker"], env=env)


async def job_rows(sandbox: Sandbox) -> list[TranscriptionJob]:
    async with sandbox.app.bot_data.db.transaction() as session:
        result = await session.execute(select(TranscriptionJob).order_by(TranscriptionJob.id))
        return list(result.scalars())


async def wait_until(
    sandbox: Sandbox, condition: str, timeout: float = 120.0, running: int = 1
) -> list[TranscriptionJob]:
    for _ in range(int(timeout / 0.1)):
        rows = await job_rows(sandbox)
        if condition == "running" and sum(job.status == "running" for job in rows) >= running:
            return rows
        if condition == "all done" and rows and all(job.status == "done" for job in rows):
            return rows
        await asyncio.sleep(0.1)
    raise TimeoutError(
        f"jobs never became {condition}: {[j.status for j in await job_rows(sandbox)]}"
    )


@pytest.mark.parametrize("concurrency", [1, 2])
async def test_sigkill_mid_transcription_then_restart(
    sandbox_without_worker: Sandbox, tmp_path: Path, concurrency: int
) -> None:
    """With two at once, both jobs cut off wait out their leases and are done once each."""
    sandbox = sandbox_without_worker
    async with SandboxClient(sandbox.url) as client:
        chat = Chat(client, 1001, "Aisha", 1001)
        await onboard(chat)
        clip = speech_clip(30, tmp_path / "clip.ogg")
        for _ in range(NOTES):
            await client.send_voice(chat.user_id, clip.path, chat_id=chat.chat_id)
        first = start_worker(sandbox, concurrency)
        try:
            await wait_until(sandbox, "running", running=concurrency)
        finally:
            first.send_signal(signal.SIGKILL)
            first.wait()
        second = start_worker(sandbox, concurrency)
        try:
            jobs = await wait_until(sandbox, "all done")
            await asyncio.sleep(1.0)  # anything sent twice would have arrived by now
            messages = await client.messages(chat.chat_id)
        finally:
            second.terminate()
            second.wait(timeout=30)
    entries = await stored_reflections(sandbox)
    transcripts = [m for m in messages if m["from"]["is_bot"] and text_of(m).startswith("🎙")]
    assert len(entries) == NOTES and all(entry.text for entry in entries)
    attempts = sorted(job.attempts for job in jobs)
    assert len(jobs) == NOTES and attempts[-concurrency:] == [2] * concurrency, attempts
    assert len(transcripts) == NOTES, "one transcript per voice note, no repeats"
    assert len({m["message_id"] for m in transcripts}) == NOTES

"""Erasing while the worker downloads the audio: afterwards no file of that tutor's remains."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.sandbox.client import SandboxClient
from bot.sandbox.runner import Sandbox, running_sandbox
from bot.transcription import Transcriber
from storage.models import TranscriptionJob
from storage.vocabulary import JobStatus
from tests.conftest import make_settings
from tests.integration.conftest import Chat, bot_says, onboard
from tests.speech import speech_clip

pytestmark = pytest.mark.slow
DOWNLOAD_SECONDS = 3.0


@pytest.fixture
async def worker_sandbox(tmp_path: Path, fast_transcriber: Transcriber) -> AsyncIterator[Sandbox]:
    settings = make_settings(tmp_path / "data", worker_poll_seconds=0.2)
    async with running_sandbox(settings, transcriber=fast_transcriber) as sandbox:
        yield sandbox


async def downloading(sandbox: Sandbox, timeout: float = 20.0) -> None:
    """Returns once the worker has claimed the job and is inside the slow download."""
    for _ in range(int(timeout / 0.05)):
        async with sandbox.app.bot_data.db.transaction() as session:
            job = (await session.execute(select(TranscriptionJob))).scalar_one_or_none()
        if job is not None and job.status == JobStatus.RUNNING:
            await asyncio.sleep(DOWNLOAD_SECONDS / 4)  # getFile is quick; the file itself is not
            return
        await asyncio.sleep(0.05)
    raise TimeoutError("the worker never started downloading")


def audio_files(sandbox: Sandbox) -> list[Path]:
    folder = sandbox.settings.data_dir / "audio"
    return sorted(folder.iterdir()) if folder.exists() else []


async def test_no_audio_survives_forget_during_download(
    worker_sandbox: Sandbox, tmp_path: Path
) -> None:
    sandbox = worker_sandbox
    clip = speech_clip(5, tmp_path / "clip.ogg")
    async with SandboxClient(sandbox.url) as client:
        aisha = Chat(client, 1001, "Aisha", 1001)
        await onboard(aisha)
        await client.fault("file", delay=DOWNLOAD_SECONDS)
        sent = await client.send_voice(aisha.user_id, clip.path, chat_id=aisha.chat_id)
        await aisha.reply_to(int(sent["message_id"]))
        await downloading(sandbox)
        mark = await aisha.last_message_id()
        await aisha.tap(await aisha.ask("/forget"), "erase")
        await aisha.wait_for(bot_says("erased"), after=mark)
        assert audio_files(sandbox) == [], "nothing on disk yet: the download is still slow"
        await asyncio.sleep(DOWNLOAD_SECONDS + 1.5)  # the download ends; the worker looks again
    assert audio_files(sandbox) == []
    async with sandbox.app.bot_data.db.transaction() as session:
        assert (await session.execute(select(TranscriptionJob))).first() is None

"""Results reach the tutor while the bot runs: a refused delivery is retried, a blocked chat is skipped."""

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
from tests.conftest import make_settings
from tests.integration.conftest import Chat, is_bot, onboard, text_of
from tests.speech import speech_clip

pytestmark = pytest.mark.slow


@pytest.fixture
async def sandbox(tmp_path: Path, fast_transcriber: Transcriber) -> AsyncIterator[Sandbox]:
    settings = make_settings(tmp_path / "data", worker_poll_seconds=0.2, delivery_retry_seconds=0.3)
    async with running_sandbox(settings, transcriber=fast_transcriber) as running:
        yield running


async def jobs(sandbox: Sandbox) -> list[TranscriptionJob]:
    async with sandbox.app.bot_data.db.transaction() as session:
        result = await session.execute(select(TranscriptionJob).order_by(TranscriptionJob.id))
        return list(result.scalars())


def is_transcript(message: dict[str, object]) -> bool:
    return is_bot(message) and text_of(message).startswith("🎙")


async def test_a_refused_edit_is_retried_while_the_bot_runs(
    sandbox: Sandbox, client: SandboxClient, tmp_path: Path
) -> None:
    aisha = Chat(client, 1001, "Aisha", 1001)
    await onboard(aisha)
    # An edit is tried four times on the spot (bot.rate_limits); a fifth failure is the sweep's.
    await client.fault("editMessageText", 502, count=4)
    clip = speech_clip(5, tmp_path / "clip.ogg")
    sent = await client.send_voice(aisha.user_id, clip.path, chat_id=aisha.chat_id)
    status = await aisha.reply_to(int(sent["message_id"]))
    transcript = await aisha.wait_for(is_transcript, timeout=30)
    assert transcript["message_id"] == status["message_id"], "the status message became it"
    for _ in range(50):  # the edit lands just before the job is marked delivered
        [job] = await jobs(sandbox)
        if job.delivered:
            break
        await asyncio.sleep(0.1)
    assert job.delivered and job.delivery_attempts == 1


async def test_a_blocked_tutor_is_skipped_and_nobody_waits_behind_them(
    sandbox: Sandbox, client: SandboxClient, tmp_path: Path
) -> None:
    clip = speech_clip(5, tmp_path / "clip.ogg")
    ben, aisha = Chat(client, 1002, "Ben", 1002), Chat(client, 1001, "Aisha", 1001)
    await onboard(ben)
    await onboard(aisha)
    await client.fault("file", delay=1.0)  # Ben's note is still downloading when he blocks us
    bens_note = await client.send_voice(ben.user_id, clip.path, chat_id=ben.chat_id)
    await ben.reply_to(int(bens_note["message_id"]))
    await client.block(ben.user_id)
    sent = await client.send_voice(aisha.user_id, clip.path, chat_id=aisha.chat_id)
    await aisha.wait_for(is_transcript, after=int(sent["message_id"]), timeout=30)
    for _ in range(150):  # two notes run at once: Ben's may finish after Aisha's
        bens, aishas = await jobs(sandbox)
        if bens.undeliverable:
            break
        await asyncio.sleep(0.1)
    await asyncio.sleep(1.0)  # several sweeps pass; Ben's result must not be tried again
    bens, aishas = await jobs(sandbox)
    assert bens.undeliverable and not bens.delivered and bens.delivery_attempts == 0
    assert aishas.delivered and not aishas.undeliverable

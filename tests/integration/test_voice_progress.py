"""A long voice note shows how far its transcription has got, then becomes the transcript."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

import bot.worker.transcription_worker as transcription_worker
from bot.sandbox.client import SandboxClient
from bot.sandbox.runner import running_sandbox
from bot.transcription import Transcriber
from tests.conftest import make_settings
from tests.integration.conftest import Chat, onboard, text_of
from tests.speech import speech_clip

pytestmark = pytest.mark.slow


async def test_a_long_note_shows_progress_then_its_transcript(
    tmp_path: Path, fast_transcriber: Transcriber, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Ticks faster than Telegram's 5-second "typing" so a 1-minute note shows several steps.
    monkeypatch.setattr(transcription_worker, "CHAT_ACTION_EVERY_S", 0.2)
    note = speech_clip(60, tmp_path / "long.ogg")
    settings = make_settings(tmp_path / "data", worker_poll_seconds=0.2)
    async with (
        running_sandbox(settings, transcriber=fast_transcriber) as sandbox,
        SandboxClient(sandbox.url) as client,
    ):
        chat = Chat(client, 1001, "Aisha", 1001)
        await onboard(chat)
        sent = await client.send_voice(chat.user_id, note.path, chat_id=chat.chat_id)
        ack = await chat.reply_to(int(sent["message_id"]))
        seen = await _texts_until_transcribed(client, chat, int(ack["message_id"]))

    steps = [text for text in seen if text.startswith("Transcribing…")]
    assert steps, f"no progress shown, only {seen}"
    percents = [int(text.split("…")[1].split("%")[0]) for text in steps]
    assert percents == sorted(percents) and all(0 < p < 100 for p in percents)
    assert seen[-1].startswith("🎙"), "the transcript has the last word"


async def _texts_until_transcribed(client: SandboxClient, chat: Chat, message_id: int) -> list[str]:
    """Every distinct text the status message showed, polled every 50 ms."""
    seen: list[str] = []
    for _ in range(1200):
        message = next(
            m for m in await client.messages(chat.chat_id) if m["message_id"] == message_id
        )
        text = text_of(message)
        if not seen or seen[-1] != text:
            seen.append(text)
        if text.startswith("🎙"):
            return seen
        await asyncio.sleep(0.05)
    raise AssertionError(f"never transcribed: {seen}")

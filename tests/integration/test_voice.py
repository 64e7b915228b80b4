"""Issue 3 end to end: real speech through the sandbox, bad audio, retries and review buttons."""

from __future__ import annotations

import asyncio
import io
import itertools
import json
import time
import zipfile
from collections.abc import AsyncIterator, Iterator, Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from bot.sandbox.client import SandboxClient
from bot.sandbox.runner import Sandbox, running_sandbox
from bot.transcription import Transcriber, TranscriberConfig, config_from_settings
from bot.transcription.base import Progress, Transcript, no_progress
from bot.views.review import body_of
from storage.models import TranscriptionJob
from tests.conftest import make_settings
from tests.integration.conftest import (
    Chat,
    bot_says,
    loaded_transcriber,
    onboard,
    stored_reflections,
    text_of,
)
from tests.speech import REFLECTIONS, noise, silence, synthesise, word_error_rate

# tiny.en on espeak-ng speech, measured: 0.06-0.26 per note; mean about 0.14.
MEAN_WER_BOUND = 0.2
CLIP_WER_BOUND = 0.4
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def speech_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("speech")


@pytest.fixture(scope="module", params=["faster-whisper", "openai-whisper"])
def transcriber(request: pytest.FixtureRequest, models_dir: Path) -> Iterator[Transcriber]:
    if request.param == "openai-whisper":
        pytest.importorskip("whisper", reason="needs the openai-whisper extra")
    yield loaded_transcriber(TranscriberConfig(backend=request.param, models_dir=models_dir))


@pytest.fixture
async def voice_sandbox(tmp_path: Path, fast_transcriber: Transcriber) -> AsyncIterator[Sandbox]:
    settings = make_settings(
        tmp_path / "data", transcription_retry_seconds=0.2, worker_poll_seconds=0.2
    )
    async with running_sandbox(settings, transcriber=fast_transcriber) as sandbox:
        yield sandbox


@pytest.fixture
async def voice_client(voice_sandbox: Sandbox) -> AsyncIterator[SandboxClient]:
    async with SandboxClient(voice_sandbox.url) as client:
        yield client


@pytest.fixture
async def tutor(voice_client: SandboxClient) -> Chat:
    chat = Chat(voice_client, 1001, "Aisha", 1001)
    await onboard(chat)
    return chat


async def send_voice(chat: Chat, path: Path | bytes, filename: str = "voice.ogg") -> int:
    sent = await chat.client.send_voice(chat.user_id, path, filename=filename, chat_id=chat.chat_id)
    return int(sent["message_id"])


async def wait_for_result(chat: Chat, message_id: int, timeout: float = 60.0) -> dict[str, object]:
    """The status message, once the worker has edited it into a transcript or an apology."""

    def finished(message: dict[str, object]) -> bool:
        text = text_of(message)
        return bool(message["from"]["is_bot"]) and (
            text.startswith("🎙") or "sorry" in text.lower() or "couldn't" in text.lower()
        )  # type: ignore[index]

    return await chat.wait_for(finished, after=message_id, timeout=timeout)


async def _jobs(sandbox: Sandbox) -> list[TranscriptionJob]:
    async with sandbox.app.bot_data.db.transaction() as session:
        return list(
            (
                await session.execute(select(TranscriptionJob).order_by(TranscriptionJob.id))
            ).scalars()
        )


async def test_real_speech_is_transcribed_through_the_sandbox(
    tmp_path: Path, transcriber: Transcriber, speech_dir: Path
) -> None:
    settings = make_settings(
        tmp_path / "data", worker_poll_seconds=0.2, transcription_concurrency=1
    )
    async with (
        running_sandbox(settings, transcriber=transcriber) as sandbox,
        SandboxClient(sandbox.url) as client,
    ):
        chat = Chat(client, 1001, "Aisha", 1001)
        await onboard(chat)
        for index, script in enumerate(REFLECTIONS[:3]):
            note = synthesise(script, speech_dir / f"note-{index}.ogg")
            message_id = await send_voice(chat, note)
            ack = await chat.reply_to(message_id)
            assert "transcribing" in text_of(ack).lower()
            result = await wait_for_result(chat, message_id)
            assert result["message_id"] == ack["message_id"], (
                "the status message is edited in place"
            )
        entries = await stored_reflections(sandbox)
        jobs = await _jobs(sandbox)
        actions = await client.actions(chat.chat_id)
    rates = [
        word_error_rate(script, entry.text or "")
        for script, entry in zip(REFLECTIONS, entries, strict=False)
    ]
    assert len(entries) == 3 and all(entry.status == "ready" for entry in entries)
    assert max(rates) < CLIP_WER_BOUND, f"{transcriber.backend} word error rates {rates}"
    assert sum(rates) / len(rates) < MEAN_WER_BOUND, (
        f"{transcriber.backend} word error rates {rates}"
    )
    assert all(
        job.status == "done" and job.attempts == 1 and job.audio_path is None for job in jobs
    )
    assert not list((tmp_path / "data" / "audio").glob("*")), "audio is deleted once transcribed"
    assert any(action.get("action") == "typing" for action in actions)


class TimedTranscriber:
    """A real transcriber that notes when each call began and ended, to see calls overlap."""

    def __init__(self, inner: Transcriber) -> None:
        self.inner, self.backend, self.model = inner, inner.backend, inner.model
        self.spans: list[tuple[float, float]] = []

    def load(self) -> float:
        return self.inner.load()

    def transcribe(self, audio_path: Path, progress: Progress = no_progress) -> Transcript:
        started = time.monotonic()
        try:
            return self.inner.transcribe(audio_path, progress)
        finally:
            self.spans.append((started, time.monotonic()))


def overlapping(spans: Sequence[tuple[Any, Any]]) -> bool:
    """Sorted by start, some two spans overlap if some next one starts before its previous ends."""
    ordered = sorted(spans)
    return any(later[0] < earlier[1] for earlier, later in itertools.pairwise(ordered))


async def _finished_jobs(sandbox: Sandbox, count: int) -> list[TranscriptionJob]:
    """Status messages interleave when notes arrive together, so the database says when."""
    for _ in range(600):
        jobs = await _jobs(sandbox)
        if len(jobs) == count and all(job.finished_at for job in jobs):
            return jobs
        await asyncio.sleep(0.2)
    raise AssertionError(f"never finished: {[job.status for job in await _jobs(sandbox)]}")


async def test_notes_sent_together_are_transcribed_two_at_a_time(
    tmp_path: Path, speech_dir: Path
) -> None:
    settings = make_settings(
        tmp_path / "data", worker_poll_seconds=0.2, transcription_concurrency=2
    )
    transcriber = TimedTranscriber(loaded_transcriber(config_from_settings(settings)))
    async with (
        running_sandbox(settings, transcriber=transcriber) as sandbox,
        SandboxClient(sandbox.url) as client,
    ):
        chat = Chat(client, 1001, "Aisha", 1001)
        await onboard(chat)
        scripts = REFLECTIONS[:4]
        notes = [synthesise(s, speech_dir / f"together-{i}.ogg") for i, s in enumerate(scripts)]
        sent = [await send_voice(chat, note) for note in notes]
        jobs = await _finished_jobs(sandbox, len(sent))
        heard = {entry.message_id: entry.text or "" for entry in await stored_reflections(sandbox)}
    rates = [word_error_rate(script, heard[m]) for script, m in zip(scripts, sent, strict=True)]
    states = [(job.status, job.attempts, job.last_error) for job in jobs]
    assert states == [("done", 1, None)] * 4, states
    assert max(rates) < CLIP_WER_BOUND, f"word error rates {rates}"
    assert overlapping(transcriber.spans), f"never two at once: {transcriber.spans}"
    claimed = [(job.started_at, job.finished_at) for job in jobs]
    assert overlapping(claimed), f"the jobs never ran together: {claimed}"


async def test_bad_audio_gets_clear_replies_and_the_bot_keeps_serving(
    voice_sandbox: Sandbox, tutor: Chat, speech_dir: Path
) -> None:
    truncated = synthesise(REFLECTIONS[0], speech_dir / "whole.ogg").read_bytes()[:1500]
    cases = {
        "zero bytes": (b"", "couldn't open"),
        "truncated ogg": (truncated, "couldn't open"),
        "text named .ogg": (b"This is not audio at all, just a text file.\n" * 20, "couldn't open"),
        "silence": (silence(8, speech_dir / "silence.ogg").read_bytes(), "couldn't hear any words"),
    }
    for name, (payload, expected) in cases.items():
        message_id = await send_voice(tutor, payload)
        result = await wait_for_result(tutor, message_id)
        assert expected in text_of(result).lower(), name
        assert any("try again" in b["text"].lower() for row in result["buttons"] for b in row), name
    jobs = await _jobs(voice_sandbox)
    assert [job.status for job in jobs] == ["failed"] * 4
    assert all(job.last_error for job in jobs)
    kept = [Path(job.audio_path) for job in jobs if job.audio_path]
    assert len(kept) == len(jobs) and all(path.is_file() for path in kept), "audio kept"
    reply = await tutor.ask("Still here after all that")
    assert "saved" in text_of(reply).lower()


async def test_too_long_and_too_big_are_refused_with_nothing_stored(
    voice_sandbox: Sandbox, tutor: Chat, speech_dir: Path
) -> None:
    long_noise = noise(11 * 60, speech_dir / "eleven-minutes.ogg")
    reply = await tutor.reply_to(await send_voice(tutor, long_noise))
    assert "11 minutes" in text_of(reply) and "10 minutes" in text_of(reply)
    huge = b"\x00" * (21 * 1024 * 1024)
    reply = await tutor.reply_to(await send_voice(tutor, huge, filename="huge.ogg"))
    assert "20 mb" in text_of(reply).lower()
    assert await stored_reflections(voice_sandbox) == []
    assert await _jobs(voice_sandbox) == []


async def test_telegram_trouble_is_retried_then_reported_then_retried_by_the_tutor(
    voice_sandbox: Sandbox, voice_client: SandboxClient, tutor: Chat, speech_dir: Path
) -> None:
    note = synthesise(REFLECTIONS[1], speech_dir / "retry.ogg")
    # Each of the three attempts tries getFile four times on the spot (bot.rate_limits).
    await voice_client.fault("getFile", 500, "Internal Server Error", count=12)
    message_id = await send_voice(tutor, note)
    failed = await wait_for_result(tutor, message_id)
    assert "nothing is lost" in text_of(failed).lower()
    [job] = await _jobs(voice_sandbox)
    assert (
        job.status == "failed"
        and job.attempts == 3
        and "Internal Server Error" in (job.last_error or "")
    )
    await tutor.tap(failed, "try again")
    done = await tutor.wait_for(lambda m: text_of(m).startswith("🎙"), after=message_id, timeout=60)
    heard = body_of(text_of(done)).removeprefix("🎙").strip()  # the transcript, not its summary
    assert word_error_rate(REFLECTIONS[1], heard) < CLIP_WER_BOUND
    [job] = await _jobs(voice_sandbox)
    assert job.status == "done"


async def test_correct_and_delete_buttons(
    voice_sandbox: Sandbox, tutor: Chat, speech_dir: Path
) -> None:
    message_id = await send_voice(tutor, synthesise(REFLECTIONS[2], speech_dir / "fix.ogg"))
    transcript = await wait_for_result(tutor, message_id)
    mark = await tutor.last_message_id()
    await tutor.tap(transcript, "correct")
    await tutor.wait_for(bot_says("corrected text"), after=mark)
    assert "updated" in text_of(await tutor.ask("Mia chose the song and sang it twice.")).lower()
    [entry] = await stored_reflections(voice_sandbox)
    assert entry.text == "Mia chose the song and sang it twice."
    await tutor.tap(transcript, "delete")
    confirm = await tutor.wait_for(lambda m: "yes, delete" in str(m.get("buttons")).lower())
    await tutor.tap(confirm, "yes, delete")
    await tutor.wait_for(bot_says("deleted"))
    assert await stored_reflections(voice_sandbox) == []


async def test_a_long_transcript_arrives_as_a_text_file(
    voice_sandbox: Sandbox, tutor: Chat
) -> None:
    """Delivery alone, with a transcript longer than one Telegram message."""
    long_text = " ".join(REFLECTIONS) * 8
    async with voice_sandbox.app.bot_data.db.transaction() as session:
        from storage import jobs, reflections
        from storage.tutors import get_tutor

        owner = await get_tutor(session=session, telegram_user_id=tutor.user_id)
        assert owner is not None
        entry, _ = await reflections.add_reflection(
            session=session,
            tutor_id=owner.id,
            chat_id=tutor.chat_id,
            message_id=777,
            source="voice",
            share_level="private",
            text=long_text,
        )
        job_id = await jobs.enqueue(
            session=session,
            reflection_id=entry.id,
            chat_id=tutor.chat_id,
            message_id=777,
            file_id="x",
            file_size=1,
            audio_duration_s=1,
        )
        assert job_id is not None
        job = await jobs.get_job(session=session, job_id=job_id)
        assert job is not None
        job.status = "done"
    deliverer = voice_sandbox.app.bot_data.deliverer
    assert deliverer is not None and await deliverer.deliver(job_id)
    document = await tutor.wait_for(lambda m: bool(m.get("document")))
    content = await tutor.client.download(document["document"]["url"])
    assert content.decode("utf-8") == long_text
    assert len(long_text) > 4096


async def test_voice_from_someone_not_onboarded_is_not_stored(
    voice_sandbox: Sandbox, voice_client: SandboxClient, speech_dir: Path
) -> None:
    stranger = Chat(voice_client, 1002, "Ben", 1002)
    reply = await stranger.reply_to(
        await send_voice(stranger, synthesise(REFLECTIONS[0], speech_dir / "s.ogg"))
    )
    assert "/start" in text_of(reply)
    await asyncio.sleep(0.3)
    assert await stored_reflections(voice_sandbox) == [] and await _jobs(voice_sandbox) == []


async def test_audio_retention_keeps_audio_for_its_period_then_deletes_it(
    tmp_path: Path, fast_transcriber: Transcriber, speech_dir: Path
) -> None:
    settings = make_settings(tmp_path / "data", worker_poll_seconds=0.2, audio_retention_days=7)
    async with (
        running_sandbox(settings, transcriber=fast_transcriber) as sandbox,
        SandboxClient(sandbox.url) as client,
    ):
        chat = Chat(client, 1001, "Aisha", 1001)
        await onboard(chat)
        message_id = await send_voice(chat, synthesise(REFLECTIONS[3], speech_dir / "kept.ogg"))
        await wait_for_result(chat, message_id)
        [job] = await _jobs(sandbox)
        assert job.audio_path and Path(job.audio_path).is_file(), "kept within the period"
        worker = sandbox.app.bot_data.worker
        assert worker is not None
        assert await worker.purge_expired_audio() == 0
        async with sandbox.app.bot_data.db.transaction() as session:
            stored = await session.get(TranscriptionJob, job.id)
            assert stored is not None and stored.finished_at is not None
            stored.finished_at -= timedelta(days=8)
        assert await worker.purge_expired_audio() == 1
        [after] = await _jobs(sandbox)
    assert after.audio_path is None and not Path(job.audio_path).exists()


async def test_audio_that_failed_is_kept_for_a_retry_then_purged(
    voice_sandbox: Sandbox, voice_client: SandboxClient
) -> None:
    """Failed audio waits for /retry, but with no retention setting it still goes after 30 days."""
    chat = Chat(voice_client, 1001, "Aisha", 1001)
    await onboard(chat)
    message_id = await send_voice(chat, b"This is not audio at all, just a text file.\n" * 20)
    await wait_for_result(chat, message_id)
    [job] = await _jobs(voice_sandbox)
    assert job.status == "failed" and job.audio_path and Path(job.audio_path).is_file()
    worker = voice_sandbox.app.bot_data.worker
    assert worker is not None
    assert await worker.purge_expired_audio() == 0, "kept for a retry"
    async with voice_sandbox.app.bot_data.db.transaction() as session:
        stored = await session.get(TranscriptionJob, job.id)
        assert stored is not None and stored.finished_at is not None
        stored.finished_at -= timedelta(days=31)
    assert await worker.purge_expired_audio() == 1
    [after] = await _jobs(voice_sandbox)
    assert after.audio_path is None and not Path(job.audio_path).exists()


async def test_mydata_includes_the_recordings_still_kept(
    voice_sandbox: Sandbox, voice_client: SandboxClient
) -> None:
    chat = Chat(voice_client, 1001, "Aisha", 1001)
    await onboard(chat)
    kept = b"This is not audio at all, just a text file.\n" * 20  # failed, so it is kept
    await wait_for_result(chat, await send_voice(chat, kept))
    mark = await chat.say("/mydata")
    archive = await chat.wait_for(
        lambda m: (m.get("document") or {}).get("file_name") == "my-recordings.zip", after=mark
    )
    with zipfile.ZipFile(io.BytesIO(await voice_client.download(archive["document"]["url"]))) as z:
        [name] = z.namelist()
        assert z.read(name) == kept
    document = await chat.wait_for(
        lambda m: (m.get("document") or {}).get("file_name") == "my-reflections.json", after=mark
    )
    data = json.loads(await voice_client.download(document["document"]["url"]))
    assert data["reflections"][0]["audio"][0]["file"] == name

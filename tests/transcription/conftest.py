"""Synthesised voice notes and loaded models, built once per test run and shared."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.transcription import Transcriber, TranscriberConfig, create_transcriber
from tests.speech import REFLECTIONS, SpeechClip, synthesise


@pytest.fixture(scope="session")
def speech_tools() -> None:
    """Speech is synthesised on the fly; without these tools there is nothing to transcribe."""
    missing = [tool for tool in ("espeak-ng", "ffmpeg") if shutil.which(tool) is None]
    if missing:
        pytest.skip(f"needs {' and '.join(missing)} to synthesise speech (apt install them)")


@pytest.fixture(scope="session")
def voice_notes(speech_tools: None, tmp_path_factory: pytest.TempPathFactory) -> list[SpeechClip]:
    """The tutor reflections as Telegram-style Ogg/Opus voice notes."""
    folder = tmp_path_factory.mktemp("voice-notes")
    return [
        SpeechClip(synthesise(text, folder / f"reflection-{index}.ogg"), text)
        for index, text in enumerate(REFLECTIONS)
    ]


@pytest.fixture(scope="session")
def voice_note(voice_notes: list[SpeechClip]) -> SpeechClip:
    return voice_notes[0]


@pytest.fixture(scope="session")
def models_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Fresh per run, so the openai-whisper checkpoint is really converted (once) by the tests."""
    return tmp_path_factory.mktemp("models")


@pytest.fixture(scope="session")
def faster_whisper(models_dir: Path) -> Transcriber:
    transcriber = create_transcriber(TranscriberConfig(models_dir=models_dir))
    transcriber.load()
    return transcriber


@pytest.fixture(scope="session")
def openai_whisper(models_dir: Path) -> Transcriber:
    pytest.importorskip(
        "torch", reason="openai-whisper needs the extra: reflectbot[openai-whisper]"
    )
    pytest.importorskip(
        "whisper", reason="openai-whisper needs the extra: reflectbot[openai-whisper]"
    )
    transcriber = create_transcriber(
        TranscriberConfig(backend="openai-whisper", models_dir=models_dir)
    )
    transcriber.load()
    return transcriber


@pytest.fixture(params=["faster-whisper", "openai-whisper"])
def transcriber(request: pytest.FixtureRequest) -> Transcriber:
    """Each whisper test runs on both backends."""
    fixture = request.param.replace("-", "_")
    return request.getfixturevalue(fixture)  # type: ignore[no-any-return]


@pytest.fixture(scope="session")
def heard(voice_notes: list[SpeechClip]) -> Callable[[Transcriber], list[str]]:
    """Each backend transcribes the reflections once; several tests read the results."""
    texts: dict[str, list[str]] = {}

    def transcripts_of(transcriber: Transcriber) -> list[str]:
        if transcriber.backend not in texts:
            texts[transcriber.backend] = [transcriber.transcribe(n.path).text for n in voice_notes]
        return texts[transcriber.backend]

    return transcripts_of

"""Picks a backend by name, the one place that knows which classes exist."""

from __future__ import annotations

import logging

from bot.transcription.base import LoadOnceTranscriber, Transcriber
from bot.transcription.config import TranscriberConfig
from bot.transcription.faster_backend import FasterWhisperTranscriber
from bot.transcription.moonshine_backend import MoonshineTranscriber
from bot.transcription.openai_backend import OpenAIWhisperTranscriber

logger = logging.getLogger(__name__)

BACKENDS: dict[str, type[LoadOnceTranscriber]] = {
    FasterWhisperTranscriber.backend: FasterWhisperTranscriber,
    OpenAIWhisperTranscriber.backend: OpenAIWhisperTranscriber,
    MoonshineTranscriber.backend: MoonshineTranscriber,
}


def create_transcriber(config: TranscriberConfig) -> Transcriber:
    """Builds without loading: the model loads on first use or an explicit `load()`."""
    try:
        backend = BACKENDS[config.backend]
    except KeyError:
        names = ", ".join(BACKENDS)
        raise ValueError(f"unknown transcriber {config.backend!r}; choose one of {names}") from None
    return backend(config)

"""The small interface both backends share, so the bot never knows which one it has."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from bot.transcription.audio import SAMPLE_RATE, Samples, decode_audio
from bot.transcription.config import TranscriberConfig

logger = logging.getLogger(__name__)

# Called from the transcribing thread with the share of the audio done so far (0 to 1).
Progress = Callable[[float], None]


def no_progress(done: float) -> None:
    """For callers that do not show progress."""


@dataclass(frozen=True)
class Transcript:
    """One recording's text plus the figures a job record and a benchmark need."""

    text: str
    duration_s: float
    seconds: float
    backend: str
    model: str
    language: str | None

    @property
    def real_time_factor(self) -> float:
        """Audio seconds per processing second: above 1 means faster than real time."""
        return self.duration_s / self.seconds if self.seconds > 0 else float("inf")


class Transcriber(Protocol):
    """Loads a model once, then turns recordings into text; blocking, so run it off the loop."""

    backend: str
    model: str

    def load(self) -> float:
        """Loads the model if needed and returns the seconds that took (0 when already loaded)."""
        ...

    def transcribe(self, audio_path: Path, progress: Progress = no_progress) -> Transcript:
        """Decodes and transcribes one recording, raising `AudioError` if it is unreadable."""
        ...


class LoadOnceTranscriber:
    """The shared skeleton: load once under a lock, decode with PyAV, time the work."""

    backend = ""

    def __init__(self, config: TranscriberConfig) -> None:
        self.config = config
        self.model = config.model
        self._lock = threading.Lock()
        self._loaded = False

    def load(self) -> float:
        """Idempotent, and safe if the worker thread and a warm-up call race."""
        with self._lock:
            if self._loaded:
                return 0.0
            started = time.perf_counter()
            self._load_model()
            self._loaded = True
            seconds = time.perf_counter() - started
        logger.info("Loaded %s model %s in %.2f s", self.backend, self.model, seconds)
        return seconds

    def transcribe(self, audio_path: Path, progress: Progress = no_progress) -> Transcript:
        """Loading time is never counted in `seconds`, so the figure is pure transcription."""
        self.load()
        started = time.perf_counter()
        samples = decode_audio(audio_path)
        text, language = self._transcribe_samples(samples, progress)
        return Transcript(
            text=text,
            duration_s=len(samples) / SAMPLE_RATE,
            seconds=time.perf_counter() - started,
            backend=self.backend,
            model=self.model,
            language=language,
        )

    def _load_model(self) -> None:
        raise NotImplementedError

    def _transcribe_samples(self, samples: Samples, progress: Progress) -> tuple[str, str | None]:
        raise NotImplementedError

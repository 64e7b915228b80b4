"""The small interface both backends share, so the bot never knows which one it has."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

logger = logging.getLogger(__name__)


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

    def transcribe(self, audio_path: Path) -> Transcript:
        """Decodes and transcribes one recording, raising `AudioError` if it is unreadable."""
        ...

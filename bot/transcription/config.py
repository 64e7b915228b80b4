"""Transcriber settings in one frozen value, so backends never read `Settings` themselves."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from bot.settings import Settings

logger = logging.getLogger(__name__)

AUTO_LANGUAGE = {"", "auto", "detect", "none"}
# Both backends decode with the same options, so their speed and accuracy compare fairly.
BEAM_SIZE = 5
CONDITION_ON_PREVIOUS_TEXT = False  # stops one misheard phrase snowballing through a long note


@dataclass(frozen=True)
class TranscriberConfig:
    """What to load and how; `language` None means detect it from the audio."""

    backend: str = "faster-whisper"
    model: str = "tiny.en"
    language: str | None = "en"
    compute_type: str = "int8"
    cpu_threads: int = 0
    num_workers: int = 1  # notes that may be transcribed at once on the one loaded model
    device: str = "cpu"
    models_dir: Path = Path("data/models")

    @property
    def fixed_language(self) -> str | None:
        """`auto` and friends mean detection, which Whisper asks for as None."""
        if self.language is None or self.language.strip().lower() in AUTO_LANGUAGE:
            return None
        return self.language.strip().lower()


def config_from_settings(settings: Settings) -> TranscriberConfig:
    """The bot, the worker and the CLI all build their transcriber the same way."""
    return TranscriberConfig(
        backend=settings.transcriber,
        model=settings.whisper_model,
        language=settings.whisper_language,
        compute_type=settings.whisper_compute_type,
        cpu_threads=settings.whisper_cpu_threads,
        num_workers=settings.resolved_transcription_concurrency,
        device=settings.whisper_device,
        models_dir=settings.data_dir / "models",
    )

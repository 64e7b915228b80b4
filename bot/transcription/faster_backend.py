"""faster-whisper (CTranslate2): the default backend, fast on CPU with int8 and no torch."""

from __future__ import annotations

import logging
from typing import Any

from bot.transcription.audio import Samples
from bot.transcription.base import LoadOnceTranscriber
from bot.transcription.config import BEAM_SIZE, CONDITION_ON_PREVIOUS_TEXT
from bot.transcription.errors import ModelUnavailable
from bot.transcription.models import faster_whisper_model

logger = logging.getLogger(__name__)


class FasterWhisperTranscriber(LoadOnceTranscriber):
    """Its built-in VAD skips silence, so quiet gaps never turn into invented words."""

    backend = "faster-whisper"
    _whisper: Any

    def _load_model(self) -> None:
        from faster_whisper import WhisperModel

        path = faster_whisper_model(self.config)
        try:
            self._whisper = WhisperModel(
                str(path),
                device=self.config.device,
                compute_type=self.config.compute_type,
                cpu_threads=self._threads_per_note(),
                num_workers=self.config.num_workers,
            )
        except (OSError, RuntimeError, ValueError) as error:
            raise ModelUnavailable(f"faster-whisper cannot load {path}: {error}") from error

    def _threads_per_note(self) -> int:
        """Several notes at once run fastest on one thread each (bench/README.md), same text."""
        if self.config.cpu_threads or self.config.num_workers == 1:
            return self.config.cpu_threads
        return 1

    def _transcribe_samples(self, samples: Samples) -> tuple[str, str | None]:
        segments, info = self._whisper.transcribe(
            samples,
            language=self.config.fixed_language,
            beam_size=BEAM_SIZE,
            vad_filter=True,
            condition_on_previous_text=CONDITION_ON_PREVIOUS_TEXT,
        )
        text = " ".join(segment.text.strip() for segment in segments)
        return text.strip(), str(info.language)

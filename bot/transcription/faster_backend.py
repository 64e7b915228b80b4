"""faster-whisper (CTranslate2): the default backend, fast on CPU with int8 and no torch."""

from __future__ import annotations

import logging
from typing import Any

from bot.transcription.audio import SAMPLE_RATE, Samples
from bot.transcription.base import LoadOnceTranscriber, Progress
from bot.transcription.config import CONDITION_ON_PREVIOUS_TEXT
from bot.transcription.errors import ModelUnavailable
from bot.transcription.models import faster_whisper_model
from bot.transcription.vocabulary import as_hint

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

    def _transcribe_samples(self, samples: Samples, progress: Progress) -> tuple[str, str | None]:
        segments, info = self._whisper.transcribe(
            samples,
            language=self.config.fixed_language,
            beam_size=self.config.beam_size,
            vad_filter=True,
            condition_on_previous_text=CONDITION_ON_PREVIOUS_TEXT,
            hotwords=as_hint(self.config.vocabulary),  # unlike initial_prompt, every window
        )
        duration = len(samples) / SAMPLE_RATE
        texts = []
        for segment in segments:  # a generator: each segment is decoded as it is asked for
            texts.append(segment.text.strip())
            progress(min(1.0, segment.end / duration))
        return " ".join(texts).strip(), str(info.language)

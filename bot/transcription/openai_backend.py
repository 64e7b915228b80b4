"""openai-whisper (PyTorch): the backend the original design named, as an install extra."""

from __future__ import annotations

import logging
import os
import threading
from typing import Any

from bot.transcription.audio import Samples
from bot.transcription.base import LoadOnceTranscriber, Progress
from bot.transcription.config import CONDITION_ON_PREVIOUS_TEXT, TranscriberConfig
from bot.transcription.errors import ModelUnavailable
from bot.transcription.models import offline_advice, openai_whisper_source
from bot.transcription.vad import keep_speech
from bot.transcription.vocabulary import as_hint

logger = logging.getLogger(__name__)

NOT_INSTALLED = (
    "TRANSCRIBER=openai-whisper needs the extra: pip install 'reflectbot[openai-whisper]' "
    "(or set TRANSCRIBER=faster-whisper)"
)


class OpenAIWhisperTranscriber(LoadOnceTranscriber):
    """Runs the same weights as faster-whisper, converted once from the CTranslate2 model."""

    backend = "openai-whisper"
    _whisper: Any

    def __init__(self, config: TranscriberConfig) -> None:
        super().__init__(config)
        # Its decoder hooks a key/value cache onto the shared model: two notes at once would mix.
        self._decoding = threading.Lock()

    def _load_model(self) -> None:
        try:
            import torch
            import whisper
        except ImportError as error:
            raise ModelUnavailable(NOT_INSTALLED) from error
        torch.set_num_threads(self.config.cpu_threads or os.cpu_count() or 1)
        source = openai_whisper_source(self.config)
        try:
            self._whisper = whisper.load_model(
                source, device=self.config.device, download_root=str(self.config.models_dir)
            )
        except (OSError, RuntimeError, ValueError) as error:
            raise ModelUnavailable(offline_advice(self.config.model, error)) from error

    def _transcribe_samples(self, samples: Samples, progress: Progress) -> tuple[str, str | None]:
        """openai-whisper reports no progress of its own, so the bar jumps at the end."""
        speech = keep_speech(samples)
        if speech.size == 0:
            return "", self._default_language()
        with self._decoding:
            result = self._whisper.transcribe(
                speech,
                language=self.config.fixed_language,
                fp16=self.config.device != "cpu",
                beam_size=self.config.beam_size,
                condition_on_previous_text=CONDITION_ON_PREVIOUS_TEXT,
                initial_prompt=as_hint(self.config.vocabulary),
                carry_initial_prompt=True,  # the hint helps every 30 s window, not just the first
                verbose=None,
            )
        return str(result["text"]).strip(), str(result.get("language") or "") or None

    def _default_language(self) -> str | None:
        """English-only models can only ever hear English."""
        return self.config.fixed_language if self._whisper.is_multilingual else "en"

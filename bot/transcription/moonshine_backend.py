"""Moonshine base-en: an English-only backend with no torch and no Whisper, on plain onnxruntime.

Moonshine was trained on segments of up to about 30 s, so a note is cut at its pauses with the
Silero VAD faster-whisper ships, the spans are packed into chunks of at most CHUNK_SECONDS, and
each chunk is transcribed on its own. It has no prompt, so the vocabulary works through logit
bonuses in the decoder instead (`moonshine_model.VocabularyBias`).
"""

from __future__ import annotations

import importlib.util
import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bot.transcription.audio import SAMPLE_RATE, Samples
from bot.transcription.base import LoadOnceTranscriber, Progress
from bot.transcription.config import TranscriberConfig
from bot.transcription.errors import ModelUnavailable
from bot.transcription.models import PATH_PREFIXES
from bot.transcription.moonshine_model import MoonshineModel, VocabularyBias, load_model

logger = logging.getLogger(__name__)

PACKAGE = "moonshine_cpp"
PACKAGED_MODEL = "base-en"
NOT_INSTALLED = (
    "the accurate profile (Moonshine) needs its model files: pip install moonshine-cpp==0.1.4 "
    "(or choose TRANSCRIPTION_PROFILE=fast)"
)
LANGUAGE = "en"  # base-en hears only English, whatever the setting says
# Longer chunks cost more per token (each step attends to every encoder frame) and drift from
# the short segments Moonshine saw in training; 20 s keeps a sentence or two together.
CHUNK_SECONDS = 20.0
SPEECH_PAD_MS = 400  # faster-whisper's default: keeps soft word edges inside each span


def moonshine_model_dir(config: TranscriberConfig) -> Path:
    """`config.model` if it names a folder, else base-en from the installed moonshine-cpp."""
    # Any other name (the Whisper default "tiny.en" included) means the packaged model, since
    # base-en is the only English Moonshine it ships; a path that leads nowhere is an error.
    local = _local_folder(config)
    if local is not None:
        return local
    if config.model.startswith(PATH_PREFIXES) or "/" in config.model:
        raise ModelUnavailable(
            f"WHISPER_MODEL points at {Path(config.model).expanduser()}, but there is no folder "
            "there. Point it at a folder holding the Moonshine .ort files, or set it to base-en."
        )
    spec = importlib.util.find_spec(PACKAGE)  # finds the folder without running its ctypes code
    if spec is None or not spec.submodule_search_locations:
        raise ModelUnavailable(NOT_INSTALLED)
    folder = Path(next(iter(spec.submodule_search_locations))) / "models" / PACKAGED_MODEL
    if not folder.is_dir():
        raise ModelUnavailable(f"moonshine-cpp has no {folder}. {NOT_INSTALLED}")
    return folder


def model_name(config: TranscriberConfig) -> str:
    """What transcripts record as the model: the folder given, or the packaged base-en."""
    return config.model if _local_folder(config) else PACKAGED_MODEL


def _local_folder(config: TranscriberConfig) -> Path | None:
    """The folder `config.model` names, if it names one that exists."""
    local = Path(config.model).expanduser()
    return local if local.is_dir() else None


@dataclass(frozen=True)
class Chunk:
    """Speech spans joined without the long silences between them, and where the last ends."""

    samples: Samples
    end: int


class MoonshineTranscriber(LoadOnceTranscriber):
    """No lock around transcription: ORT sessions are thread-safe and each call has its cache."""

    backend = "moonshine"
    _moonshine: MoonshineModel
    _bias: VocabularyBias | None

    def __init__(self, config: TranscriberConfig) -> None:
        super().__init__(config)
        self.model = model_name(config)

    def _load_model(self) -> None:
        folder = moonshine_model_dir(self.config)
        self._moonshine = load_model(folder, threads=self._threads_per_note())
        self._bias = VocabularyBias.build(self._moonshine.tokenizer, self.config.vocabulary)

    def _threads_per_note(self) -> int:
        """Like faster-whisper: several notes at once run best on one thread each."""
        if self.config.cpu_threads or self.config.num_workers == 1:
            return self.config.cpu_threads
        return 1

    def _transcribe_samples(self, samples: Samples, progress: Progress) -> tuple[str, str | None]:
        """Chunk by chunk, reporting progress as each one finishes."""
        texts: list[str] = []
        for chunk in speech_chunks(samples):
            texts.append(self._moonshine.transcribe(chunk.samples, self._bias))
            progress(min(1.0, chunk.end / max(1, samples.size)))
        return " ".join(text for text in texts if text).strip(), LANGUAGE


def speech_chunks(samples: Samples, max_seconds: float = CHUNK_SECONDS) -> list[Chunk]:
    """VAD spans, longer ones split at pauses by the VAD itself, packed up to `max_seconds`."""
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    options = VadOptions(max_speech_duration_s=max_seconds, speech_pad_ms=SPEECH_PAD_MS)
    spans = get_speech_timestamps(samples, options, sampling_rate=SAMPLE_RATE)
    limit = int(max_seconds * SAMPLE_RATE)
    chunks: list[Chunk] = []
    group: list[Samples] = []
    size = end = 0
    for span in spans:
        piece = samples[span["start"] : span["end"]]
        if group and size + piece.size > limit:
            chunks.append(Chunk(np.concatenate(group), end))
            group, size = [], 0
        group.append(piece)
        size += piece.size
        end = span["end"]
    if group:
        chunks.append(Chunk(np.concatenate(group), end))
    return chunks

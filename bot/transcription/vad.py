"""Keeps only speech, so openai-whisper sees what faster-whisper's `vad_filter` lets through."""

from __future__ import annotations

import logging

import numpy as np

from bot.transcription.audio import SAMPLE_RATE, Samples

logger = logging.getLogger(__name__)


def keep_speech(samples: Samples) -> Samples:
    """Silence and instrument noise otherwise come back as invented text."""
    from faster_whisper.vad import VadOptions, collect_chunks, get_speech_timestamps

    spans = get_speech_timestamps(samples, VadOptions(), sampling_rate=SAMPLE_RATE)
    if not spans:
        return samples[:0]
    chunks, _ = collect_chunks(samples, spans, sampling_rate=SAMPLE_RATE)
    speech: Samples = np.concatenate(chunks)
    logger.debug("VAD kept %.1f s of %.1f s", len(speech) / SAMPLE_RATE, len(samples) / SAMPLE_RATE)
    return speech

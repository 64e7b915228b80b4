"""Decodes any recording to 16 kHz mono float32 with PyAV, so no ffmpeg binary is needed."""

from __future__ import annotations

import logging
from pathlib import Path

import av
import numpy as np
import numpy.typing as npt

from bot.transcription.errors import AudioError
from bot.transcription.ogg import broken_page_offset, is_ogg

logger = logging.getLogger(__name__)

SAMPLE_RATE = 16_000
Samples = npt.NDArray[np.float32]

MISSING = "Sorry, I couldn't find that recording. Could you send it again?"
EMPTY = "That voice note arrived empty. Could you record it again?"
UNREADABLE = (
    "Sorry, I couldn't play that recording. Could you send it again as a voice note, "
    "or type your reflection instead?"
)
CUT_SHORT = (
    "That voice note seems to have been cut short on its way to me. Could you send it again?"
)


def decode_audio(path: Path) -> Samples:
    """Both backends get exactly these samples, so their transcripts can be compared fairly."""
    check_whole_file(path)
    try:
        with av.open(str(path), metadata_errors="ignore") as container:
            samples = _resample_to_mono(container, _audio_stream(container))
    except av.FFmpegError as error:
        raise AudioError(UNREADABLE, f"FFmpeg cannot decode it ({_why(error)})") from error
    if samples.size == 0:
        raise AudioError(EMPTY, "no audio frames could be decoded")
    return samples


def probe_duration(path: Path) -> float:
    """Seconds of audio from the container's header, decoding only when the header is silent."""
    check_whole_file(path)
    try:
        with av.open(str(path), metadata_errors="ignore") as container:
            stream = _audio_stream(container)
            if stream.duration is not None and stream.time_base is not None:
                return float(stream.duration * stream.time_base)
            if container.duration is not None:
                return float(container.duration / av.time_base)
    except av.FFmpegError as error:
        raise AudioError(UNREADABLE, f"FFmpeg cannot read it ({_why(error)})") from error
    return len(decode_audio(path)) / SAMPLE_RATE


def check_whole_file(path: Path) -> None:
    """Catches missing, empty and truncated files before FFmpeg makes the best of them."""
    if not path.is_file():
        raise AudioError(MISSING, "no such file")
    if path.stat().st_size == 0:
        raise AudioError(EMPTY, "the file is 0 bytes")
    if is_ogg(path) and (offset := broken_page_offset(path)) is not None:
        size = path.stat().st_size
        raise AudioError(CUT_SHORT, f"Ogg page broken at byte {offset} of {size}: cut short")


def _audio_stream(container: av.container.InputContainer) -> av.AudioStream:
    """The first audio stream; cover art and video tracks are ignored."""
    if not container.streams.audio:
        raise AudioError(UNREADABLE, "the file has no audio stream")
    return container.streams.audio[0]


def _resample_to_mono(container: av.container.InputContainer, stream: av.AudioStream) -> Samples:
    """Resamples frame by frame, skipping a damaged packet as faster-whisper itself does."""
    resampler = av.AudioResampler(format="flt", layout="mono", rate=SAMPLE_RATE)
    chunks: list[Samples] = []
    skipped = 0
    for packet in container.demux(stream):
        try:
            frames = packet.decode()
        except av.InvalidDataError:
            skipped += 1
            continue
        for frame in frames:
            chunks.extend(_as_samples(out) for out in resampler.resample(frame))
    chunks.extend(_as_samples(out) for out in resampler.resample(None))
    if skipped:
        logger.warning("Skipped %d damaged audio packets", skipped)
    return np.concatenate(chunks) if chunks else np.zeros(0, dtype=np.float32)


def _as_samples(frame: av.AudioFrame) -> Samples:
    return np.asarray(frame.to_ndarray(), dtype=np.float32).reshape(-1)


def _why(error: av.FFmpegError) -> str:
    """FFmpeg's own short words ("End of file"), without the errno and path around them."""
    return str(error.strerror or error)

"""Facts about uploaded media (a voice note's length, a photo's size), as Telegram reports."""

from __future__ import annotations

import asyncio
import io
import logging
import struct
from typing import Any

logger = logging.getLogger(__name__)

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
JPEG_FRAME_MARKERS = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}


async def audio_duration(data: bytes) -> int:
    """Whole seconds, 0 when the bytes do not decode; probed off the event loop."""
    return await asyncio.to_thread(_probe_seconds, data)


def _probe_seconds(data: bytes) -> int:
    import av  # heavy, and only needed once someone uploads audio

    try:
        with av.open(io.BytesIO(data)) as container:
            seconds = _container_seconds(container)
    except (av.FFmpegError, ValueError, OSError):
        return 0
    return max(1, round(seconds)) if seconds > 0 else 0


def _container_seconds(container: Any) -> float:
    if container.duration:
        return float(container.duration) / 1_000_000
    if not container.streams.audio:
        return 0.0
    stream = container.streams.audio[0]
    if stream.duration and stream.time_base:
        return float(stream.duration * stream.time_base)
    return _seconds_from_packets(container, stream)


def _seconds_from_packets(container: Any, stream: Any) -> float:
    """Some streams carry no duration header, so read to the last packet."""
    end = 0.0
    for packet in container.demux(stream):
        if packet.pts is not None and packet.time_base:
            end = max(end, float((packet.pts + (packet.duration or 0)) * packet.time_base))
    return end


def image_size(data: bytes) -> tuple[int, int] | None:
    """Width and height of a PNG, GIF or JPEG; None for anything Telegram would refuse."""
    if data.startswith(PNG_SIGNATURE) and len(data) >= 24:
        width, height = struct.unpack(">II", data[16:24])
        return int(width), int(height)
    if data[:4] == b"GIF8" and len(data) >= 10:
        width, height = struct.unpack("<HH", data[6:10])
        return int(width), int(height)
    if data.startswith(b"\xff\xd8"):
        return _jpeg_size(data)
    return None


def _jpeg_size(data: bytes) -> tuple[int, int] | None:
    position = 2
    while position + 9 <= len(data):
        if data[position] != 0xFF:
            return None
        marker = data[position + 1]
        if marker in JPEG_FRAME_MARKERS:
            height, width = struct.unpack(">HH", data[position + 5 : position + 9])
            return int(width), int(height)
        (length,) = struct.unpack(">H", data[position + 2 : position + 4])
        position += 2 + int(length)
    return None

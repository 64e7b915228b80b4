"""Small media made in-process, so tests need no fixtures on disk and download nothing."""

from __future__ import annotations

import io
import struct
import zlib

import av
import numpy as np

SAMPLE_RATE = 48_000


def ogg_voice(seconds: float) -> bytes:
    """An Ogg Opus tone, the format Telegram voice notes use."""
    buffer = io.BytesIO()
    samples = np.sin(np.arange(int(SAMPLE_RATE * seconds)) / SAMPLE_RATE * 2 * np.pi * 440) * 0.3
    with av.open(buffer, "w", format="ogg") as output:
        stream = output.add_stream("libopus", rate=SAMPLE_RATE, layout="mono")
        for start in range(0, len(samples), 960):
            chunk = samples[start : start + 960].astype(np.float32).reshape(1, -1)
            frame = av.AudioFrame.from_ndarray(chunk, format="flt", layout="mono")
            frame.sample_rate = SAMPLE_RATE
            for packet in stream.encode(frame):
                output.mux(packet)
        for packet in stream.encode(None):
            output.mux(packet)
    return buffer.getvalue()


def png_image(width: int, height: int) -> bytes:
    """A plain grey PNG of the given size."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    rows = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )

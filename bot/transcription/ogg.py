"""Walks Ogg pages, because FFmpeg quietly plays a voice note that was cut short in transit."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import BinaryIO

logger = logging.getLogger(__name__)

CAPTURE_PATTERN = b"OggS"
PAGE_HEADER_BYTES = 27


def is_ogg(path: Path) -> bool:
    """Telegram voice notes are Ogg/Opus; only they get the page walk."""
    with path.open("rb") as stream:
        return stream.read(len(CAPTURE_PATTERN)) == CAPTURE_PATTERN


def broken_page_offset(path: Path) -> int | None:
    """The byte where the page chain breaks, or None when every page is whole."""
    size = path.stat().st_size
    offset = 0
    with path.open("rb") as stream:
        while offset < size:
            page_bytes = _page_length(stream.read(PAGE_HEADER_BYTES), stream)
            if page_bytes is None or offset + page_bytes > size:
                return offset
            offset += page_bytes
            stream.seek(offset)
    return None


def _page_length(header: bytes, stream: BinaryIO) -> int | None:
    """Header, segment table and body together, or None if this is not a page start."""
    if len(header) < PAGE_HEADER_BYTES or not header.startswith(CAPTURE_PATTERN):
        return None
    segment_count = header[-1]
    segment_table = stream.read(segment_count)
    if len(segment_table) < segment_count:
        return None
    return PAGE_HEADER_BYTES + segment_count + sum(segment_table)

"""Store uploaded media with the facts Telegram reports about it (duration, size)."""

from __future__ import annotations

import logging

from bot.sandbox.errors import bad_request
from bot.sandbox.media import audio_duration, image_size
from bot.sandbox.models import StoredFile
from bot.sandbox.state import SandboxState

logger = logging.getLogger(__name__)

TIMED_KINDS = frozenset({"voice", "audio", "video_note"})


async def store_media(
    state: SandboxState,
    data: bytes,
    *,
    kind: str,
    mime_type: str,
    file_name: str | None,
    duration: int | None = None,
) -> StoredFile:
    """Measure first, so a photo Telegram could not read is refused before it is kept."""
    facts = await _measure(kind, data, duration)
    return await state.files.save(
        data, kind=kind, mime_type=mime_type, file_name=file_name, size_facts=facts
    )


async def _measure(kind: str, data: bytes, duration: int | None) -> dict[str, int]:
    if kind == "photo":
        size = image_size(data)
        if size is None:
            raise bad_request("IMAGE_PROCESS_FAILED")
        return {"width": size[0], "height": size[1]}
    if kind in TIMED_KINDS:
        return {"duration": duration if duration is not None else await audio_duration(data)}
    return {}

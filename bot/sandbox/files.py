"""Files sent to or by the bot, kept on disk with Telegram-like ids and a bounded index."""

from __future__ import annotations

import asyncio
import logging
import mimetypes
import re
import secrets
import shutil
from collections.abc import Iterator
from pathlib import Path

from bot.sandbox.models import StoredFile

logger = logging.getLogger(__name__)

MAX_FILES = 2000
MAX_TOTAL_BYTES = 2 * 1024 * 1024 * 1024
DOWNLOAD_LIMIT_BYTES = 20 * 1024 * 1024
"""Bots may not download files over 20 MB from Telegram."""

FOLDERS = {
    "voice": "voice",
    "audio": "music",
    "video_note": "video_notes",
    "document": "documents",
    "photo": "photos",
}
SAFE_SUFFIX = re.compile(r"^\.[A-Za-z0-9]{1,10}$")


class FileStore:
    """Bytes on disk under `root`; the index evicts the oldest past its caps."""

    def __init__(self, root: Path) -> None:
        self._root = root
        self._files: dict[str, StoredFile] = {}
        self._counter = 0
        self._total_bytes = 0

    async def save(
        self,
        data: bytes,
        *,
        kind: str,
        mime_type: str,
        file_name: str | None = None,
        size_facts: dict[str, int] | None = None,
    ) -> StoredFile:
        """Write off the event loop, then index; `size_facts` holds measured duration or size."""
        stored = self._describe(len(data), kind, mime_type, file_name, size_facts or {})
        await asyncio.to_thread(_write, stored.disk_path, data)
        self._index(stored)
        await self._evict()
        return stored

    def _describe(
        self, size: int, kind: str, mime_type: str, file_name: str | None, facts: dict[str, int]
    ) -> StoredFile:
        """Fresh Telegram-style ids, a Bot API path, and a safe name on disk."""
        self._counter += 1
        suffix = _suffix(file_name, mime_type)
        unique_id = f"AgAD{secrets.token_urlsafe(9)}"
        return StoredFile(
            file_id=f"{kind[:2].upper()}ACAgQAAxkBAA{secrets.token_urlsafe(24)}",
            file_unique_id=unique_id,
            file_path=f"{FOLDERS.get(kind, 'documents')}/file_{self._counter}{suffix}",
            disk_path=self._root / f"{unique_id}{suffix}",
            size=size,
            mime_type=mime_type,
            file_name=file_name,
            **facts,
        )

    def _index(self, stored: StoredFile) -> None:
        self._files[stored.file_id] = stored
        self._total_bytes += stored.size

    def by_id(self, file_id: str) -> StoredFile | None:
        return self._files.get(file_id)

    def by_path(self, file_path: str) -> StoredFile | None:
        return next((f for f in self._files.values() if f.file_path == file_path), None)

    def by_unique_id(self, unique_id: str) -> StoredFile | None:
        return next((f for f in self._files.values() if f.file_unique_id == unique_id), None)

    async def _evict(self) -> None:
        while len(self._files) > MAX_FILES or self._total_bytes > MAX_TOTAL_BYTES:
            oldest = self._files.pop(next(iter(self._files)))
            self._total_bytes -= oldest.size
            await asyncio.to_thread(oldest.disk_path.unlink, missing_ok=True)

    async def clear(self) -> None:
        self._files.clear()
        self._total_bytes = 0
        await asyncio.to_thread(shutil.rmtree, self._root, ignore_errors=True)

    def __iter__(self) -> Iterator[StoredFile]:
        return iter(list(self._files.values()))

    def __len__(self) -> int:
        return len(self._files)


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def _suffix(file_name: str | None, mime_type: str) -> str:
    """A short, safe extension, because ids and names from uploads end up in paths."""
    suffix = Path(file_name).suffix if file_name else ""
    if not SAFE_SUFFIX.match(suffix):
        suffix = mimetypes.guess_extension(mime_type) or ""
    return suffix if SAFE_SUFFIX.match(suffix) else ""

"""Runs one export: streams the records into the chosen file and leaves an audit row."""

from __future__ import annotations

import asyncio
import zipfile
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Protocol
from zoneinfo import ZoneInfo

from bot.database import Database
from bot.exports import records
from bot.exports.csv_file import CsvWriter
from bot.exports.jsonl_file import JsonlWriter
from bot.exports.records import ExportRecord
from bot.exports.xlsx_file import XlsxWriter
from bot.services import groups
from bot.tagging.codes import Codebook
from storage import audit
from storage.exports import Selection
from storage.vocabulary import ExportFormat

BATCH = 500
Progress = Callable[[int], Awaitable[None]]


class Writer(Protocol):
    def add(self, record: ExportRecord) -> None: ...
    def close(self) -> int: ...


@dataclass(frozen=True)
class ExportRequest:
    """What a coordinator asked for; every field ends up in the audit row."""

    format: ExportFormat
    first_day: date | None = None
    last_day: date | None = None
    group: str | None = None
    code: str | None = None
    include_names: bool = False


class ExportError(Exception):
    """A request that cannot be met, said in words a coordinator can act on."""


def open_writer(request: ExportRequest, path: Path, codebook: Codebook) -> Writer:
    if request.format == ExportFormat.QDPX:
        from bot.exports.qdpx_file import QdpxWriter

        return QdpxWriter(path, codebook)
    if request.format == ExportFormat.XLSX:
        return XlsxWriter(path, codebook, names=request.include_names)
    if request.format == ExportFormat.JSONL:
        return JsonlWriter(path, codebook, names=request.include_names)
    return CsvWriter(path, codebook, names=request.include_names)


async def export(
    db: Database,
    *,
    request: ExportRequest,
    path: Path,
    codebook: Codebook,
    actor_telegram_id: int | None,
    timezone: str,
    progress: Progress | None = None,
) -> int:
    """Writes the file and returns how many reflections it holds; the audit row is written
    whatever the count, since asking is itself worth recording."""
    selection = await _selection(db, request, codebook, timezone)
    writer = await asyncio.to_thread(open_writer, request, path, codebook)
    batch: list[ExportRecord] = []
    writing: asyncio.Task[None] | None = None
    try:
        async for record in records.stream(
            db, selection=selection, include_names=request.include_names
        ):
            batch.append(record)
            if len(batch) == BATCH:
                writing = await _then_write(writing, writer, batch, progress)
        await (await _then_write(writing, writer, batch, progress))
    finally:
        if writing is not None:  # never close the file under a page still being written
            await asyncio.gather(writing, return_exceptions=True)
        count = await asyncio.to_thread(writer.close)
    async with db.transaction() as session:
        await audit.record(
            session=session,
            action="export",
            actor_telegram_id=actor_telegram_id,
            detail=_detail(request, count),
        )
    return count


async def _then_write(
    writing: asyncio.Task[None] | None,
    writer: Writer,
    batch: list[ExportRecord],
    progress: Progress | None,
) -> asyncio.Task[None]:
    """Waits for the page being written, then writes this one while the next is read: a
    page at a time in a thread, so a big export never stalls the bot's other chats."""
    if writing is not None:
        await writing
    done = list(batch)
    batch.clear()
    return asyncio.create_task(_write(writer, done, progress))


async def _write(writer: Writer, batch: list[ExportRecord], progress: Progress | None) -> None:
    if batch:
        await asyncio.to_thread(_add_all, writer, batch)
        if progress is not None:
            await progress(len(batch))


def _add_all(writer: Writer, batch: list[ExportRecord]) -> None:
    for record in batch:
        writer.add(record)


async def _selection(
    db: Database, request: ExportRequest, codebook: Codebook, timezone: str
) -> Selection:
    """Days are whole local days in the service's time zone; names must exist."""
    if request.code is not None and request.code not in {code.id for code in codebook.codes}:
        raise ExportError(f"no code {request.code!r} in the codebook")
    group_id = None
    if request.group is not None:
        async with db.transaction() as session:
            group = await groups.by_name(session, name=request.group)
        if group is None:
            raise ExportError(f"no peer group called {request.group!r}")
        group_id = group.id
    zone = ZoneInfo(timezone)
    return Selection(
        since=_start(request.first_day, zone),
        before=_start(request.last_day + timedelta(days=1), zone) if request.last_day else None,
        group_id=group_id,
        code=request.code,
    )


def _start(day: date | None, zone: ZoneInfo) -> datetime | None:
    return datetime.combine(day, time(), tzinfo=zone) if day else None


def _detail(request: ExportRequest, count: int) -> dict[str, object]:
    return {
        "format": request.format.value,
        "from": request.first_day.isoformat() if request.first_day else None,
        "to": request.last_day.isoformat() if request.last_day else None,
        "group": request.group,
        "code": request.code,
        "include_names": request.include_names,
        "entries": count,
    }


def zipped_if_large(path: Path, *, above_bytes: int) -> Path:
    """A big file goes as a zip beside it: smaller to send, and under Telegram's 50 MB limit
    for longer. A .qdpx is a zip already."""
    if path.stat().st_size <= above_bytes or path.suffix == ".qdpx":
        return path
    packed = path.with_suffix(path.suffix + ".zip")
    with zipfile.ZipFile(packed, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.write(path, arcname=path.name)
    return packed

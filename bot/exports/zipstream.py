"""A zip written as it goes, with its directory spooled to disk too, so memory stays flat.

Python's `zipfile` keeps about 500 bytes per member in memory until it closes; a project of
100,000 reflections would hold 50 MB for the directory alone. ZIP64 is used when a size,
offset or member count needs it.
"""

from __future__ import annotations

import shutil
import struct
import tempfile
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

CHUNK = 1 << 20

_LIMIT = 0xFFFFFFFF  # past this a size or offset needs ZIP64
_COUNT_LIMIT = 0xFFFF  # and so does a member count
_DEFLATED = 8
_LOCAL = struct.Struct("<IHHHHHIIIHH")
_CENTRAL = struct.Struct("<IHHHHHHIIIHHHHHII")
_END = struct.Struct("<IHHHHIIH")
_END64 = struct.Struct("<IQHHIIQQQQ")
_LOCATOR64 = struct.Struct("<IIQI")
EARLIEST = datetime(1980, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class _Member:
    """What the zip's central directory says about one member."""

    name: bytes
    offset: int
    dos_time: tuple[int, int]
    crc: int = 0
    packed: int = 0
    size: int = 0


class ZipStream:
    """A zip written member by member whose directory waits in a temporary file, not in memory."""

    def __init__(self, path: Path) -> None:
        self._out = path.open("wb")
        self._directory = tempfile.TemporaryFile(dir=path.parent)  # noqa: SIM115 - closed in close()
        self._count = 0

    def write(self, name: str, data: bytes, when: datetime) -> None:
        """A small member, compressed in one go."""
        packed = zlib.compress(data, 6, -15)
        member = _Member(
            name.encode(),
            self._out.tell(),
            _dos_time(when),
            zlib.crc32(data),
            len(packed),
            len(data),
        )
        self._out.write(_local_header(member))
        self._out.write(packed)
        self._note(member)

    def write_chunks(self, name: str, chunks: Iterable[bytes], when: datetime) -> None:
        """A member too large to hold: its header is rewritten once its size is known."""
        start = _Member(name.encode(), self._out.tell(), _dos_time(when))
        self._out.write(_local_header(start, zip64=True))
        crc, size, packed = _deflate_into(self._out, chunks)
        member = replace(start, crc=crc, packed=packed, size=size)
        end = self._out.tell()
        self._out.seek(member.offset)
        self._out.write(_local_header(member, zip64=True))
        self._out.seek(end)
        self._note(member)

    def close(self) -> None:
        """Copies the directory after the members and ends the archive."""
        start = self._out.tell()
        self._directory.seek(0)
        shutil.copyfileobj(self._directory, self._out, CHUNK)
        self._out.write(_end_records(self._count, start, self._out.tell() - start))
        self._out.close()
        self._directory.close()

    def _note(self, member: _Member) -> None:
        self._directory.write(_central_header(member))
        self._count += 1


def _deflate_into(out: IO[bytes], chunks: Iterable[bytes]) -> tuple[int, int, int]:
    """Compresses chunks straight into `out`; returns their CRC, size and compressed size."""
    compressor = zlib.compressobj(6, zlib.DEFLATED, -15)
    crc = size = packed = 0
    for chunk in chunks:
        crc, size = zlib.crc32(chunk, crc), size + len(chunk)
        packed += out.write(compressor.compress(chunk))
    packed += out.write(compressor.flush())
    return crc, size, packed


def _local_header(member: _Member, *, zip64: bool = False) -> bytes:
    """The header before a member; a streamed member keeps its sizes in a ZIP64 field."""
    if zip64:
        extra = struct.pack("<HHQQ", 1, 16, member.size, member.packed)
        version, packed, size = 45, _LIMIT, _LIMIT
    else:
        extra, version, packed, size = b"", 20, member.packed, member.size
    time, date = member.dos_time
    fields = (version, 0, _DEFLATED, time, date, member.crc, packed, size)
    header = _LOCAL.pack(0x04034B50, *fields, len(member.name), len(extra))
    return header + member.name + extra


def _central_header(member: _Member) -> bytes:
    """A directory entry; a size or offset past 4 GiB moves into a ZIP64 field."""
    values = (member.size, member.packed, member.offset)
    big = [value for value in values if value >= _LIMIT]
    extra = struct.pack(f"<HH{len(big)}Q", 1, 8 * len(big), *big) if big else b""
    size, packed, offset = (min(value, _LIMIT) for value in values)
    version = 45 if big else 20
    time, date = member.dos_time
    fields = (version, version, 0, _DEFLATED, time, date, member.crc, packed, size)
    header = _CENTRAL.pack(0x02014B50, *fields, len(member.name), len(extra), 0, 0, 0, 0, offset)
    return header + member.name + extra


def _end_records(count: int, start: int, size: int) -> bytes:
    """The end of the directory, after its ZIP64 forms when the counts or offsets need them."""
    end = _END.pack(
        0x06054B50,
        0,
        0,
        min(count, _COUNT_LIMIT),
        min(count, _COUNT_LIMIT),
        min(size, _LIMIT),
        min(start, _LIMIT),
        0,
    )
    if count < _COUNT_LIMIT and start + size < _LIMIT:
        return end
    end64 = _END64.pack(0x06064B50, 44, 45, 45, 0, 0, count, count, size, start)
    return end64 + _LOCATOR64.pack(0x07064B50, 0, start + size, 1) + end


def _dos_time(when: datetime) -> tuple[int, int]:
    """Zip times are MS-DOS fields (1980 to 2107, two-second steps); UTC is written."""
    at = min(max(when.astimezone(UTC), EARLIEST), datetime(2107, 12, 31, tzinfo=UTC))
    time = at.hour << 11 | at.minute << 5 | at.second // 2
    date = (at.year - 1980) << 9 | at.month << 5 | at.day
    return time, date

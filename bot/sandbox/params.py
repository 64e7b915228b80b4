"""Bot API parameters from JSON, form or multipart bodies, read as leniently as Telegram does."""

from __future__ import annotations

import json
import logging
import mimetypes
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from aiohttp import BodyPartReader, web

from bot.sandbox.errors import ApiError, bad_request

logger = logging.getLogger(__name__)

MAX_UPLOAD_BYTES = 50 * 1024 * 1024
"""Telegram's limit for files a bot uploads."""

ATTACH_PREFIX = "attach://"


@dataclass(frozen=True)
class Upload:
    """One uploaded file from a multipart body."""

    filename: str
    content_type: str
    data: bytes


class Params:
    """Typed access to request values; form bodies carry JSON-encoded values as strings."""

    def __init__(self, values: Mapping[str, Any], uploads: Mapping[str, Upload]) -> None:
        self._values = dict(values)
        self._uploads = dict(uploads)

    def present(self, name: str) -> bool:
        """Telegram treats an empty value like a missing one."""
        return self._values.get(name) not in (None, "") or name in self._uploads

    def string(self, name: str) -> str | None:
        value = self._values.get(name)
        if value is None:
            return None
        return value if isinstance(value, str) else json.dumps(value)

    def integer(self, name: str) -> int | None:
        value = self._values.get(name)
        if value in (None, ""):
            return None
        if isinstance(value, bool) or not isinstance(value, int | str):
            raise bad_request(f"invalid {name} specified")
        try:
            return int(value)
        except ValueError:
            raise bad_request(f"invalid {name} specified") from None

    def boolean(self, name: str) -> bool:
        value = self._values.get(name)
        if isinstance(value, str):
            return value.lower() in ("true", "1")
        return bool(value)

    def json_value(self, name: str) -> Any:
        """Objects arrive decoded in JSON bodies and as JSON text in forms."""
        value = self._values.get(name)
        if not isinstance(value, str):
            return value
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            raise bad_request(f"can't parse {name} JSON object") from None

    def upload(self, name: str) -> Upload | None:
        """A file sent in this field, directly or through an `attach://` reference."""
        if name in self._uploads:
            return self._uploads[name]
        value = self._values.get(name)
        if isinstance(value, str) and value.startswith(ATTACH_PREFIX):
            return self._uploads.get(value.removeprefix(ATTACH_PREFIX))
        return None


async def read_params(request: web.Request) -> Params:
    """Merge the query string with whichever body encoding the caller chose."""
    values, uploads = await read_form(request)
    return Params(values, uploads)


async def read_form(request: web.Request) -> tuple[dict[str, Any], dict[str, Upload]]:
    """Plain values and uploaded files, from the query string and the body."""
    values: dict[str, Any] = dict(request.query)
    uploads: dict[str, Upload] = {}
    if request.content_type == "application/json" and request.can_read_body:
        values.update(await _json_body(request))
    elif request.content_type == "multipart/form-data":
        await _read_multipart(request, values, uploads)
    elif request.content_type == "application/x-www-form-urlencoded":
        values.update(await request.post())
    return values, uploads


async def _json_body(request: web.Request) -> dict[str, Any]:
    try:
        body = await request.json()
    except json.JSONDecodeError:
        raise bad_request("can't parse JSON object") from None
    if not isinstance(body, dict):
        raise bad_request("can't parse JSON object")
    return body


async def _read_multipart(
    request: web.Request, values: dict[str, Any], uploads: dict[str, Upload]
) -> None:
    reader = await request.multipart()
    while (part := await reader.next()) is not None:
        if not isinstance(part, BodyPartReader) or not part.name:
            continue
        data = await read_part(part, MAX_UPLOAD_BYTES)
        if part.filename is None:
            values[part.name] = data.decode("utf-8", "replace")
        else:
            uploads[part.name] = Upload(part.filename, part_content_type(part), data)


async def read_part(part: BodyPartReader, limit: int) -> bytes:
    """Read chunk by chunk so an oversized upload is refused before it fills memory."""
    chunks: list[bytes] = []
    size = 0
    while chunk := await part.read_chunk():
        size += len(chunk)
        if size > limit:
            raise ApiError(413, "Request Entity Too Large")
        chunks.append(chunk)
    return b"".join(chunks)


def part_content_type(part: BodyPartReader) -> str:
    """Trust a specific content type; otherwise guess from the file name."""
    given = part.headers.get("Content-Type", "").split(";")[0].strip()
    if given and given != "application/octet-stream":
        return given
    guessed, _ = mimetypes.guess_type(part.filename or "")
    return guessed or "application/octet-stream"


def number(params: Params, name: str) -> float | None:
    """Timeouts may arrive as fractions; Telegram rounds them, we keep them."""
    value = params.string(name)
    if value in (None, ""):
        return None
    try:
        return float(value)
    except ValueError:
        raise bad_request(f"invalid {name} specified") from None

"""Telegram's HTML parse mode: the tags it accepts and the errors it gives for the rest."""

from __future__ import annotations

import html
import logging
import re

from bot.sandbox.errors import ApiError, bad_request

logger = logging.getLogger(__name__)

ALLOWED_TAGS = frozenset(
    {
        "b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "span", "tg-spoiler",
        "a", "code", "pre", "blockquote", "tg-emoji",
    }
)  # fmt: skip
TAG_NAME = re.compile(r"[A-Za-z0-9-]*")
ENTITY = re.compile(r"&(#[0-9]+|#x[0-9A-Fa-f]+|lt|gt|amp|quot);")


def html_to_plain(source: str) -> str:
    """Drop the tags, unescape entities, and refuse what Telegram's parser refuses."""
    plain: list[str] = []
    open_tags: list[str] = []
    position = 0
    while position < len(source):
        if source[position] == "<":
            position = _read_tag(source, position, open_tags)
        elif (entity := ENTITY.match(source, position)) is not None:
            plain.append(html.unescape(entity.group()))
            position = entity.end()
        else:
            plain.append(source[position])
            position += 1
    if open_tags:
        raise _parse_error(f'Can\'t find end tag corresponding to start tag "{open_tags[-1]}"')
    return "".join(plain)


def _read_tag(source: str, start: int, open_tags: list[str]) -> int:
    end = source.find(">", start)
    if end == -1:
        raise _parse_error(f"Unclosed start tag at byte offset {_byte_offset(source, start)}")
    inner = source[start + 1 : end]
    if inner.startswith("/"):
        _close_tag(inner[1:].strip().lower(), open_tags, _byte_offset(source, start))
    else:
        _open_tag(inner, open_tags, _byte_offset(source, start))
    return end + 1


def _open_tag(inner: str, open_tags: list[str], offset: int) -> None:
    match = TAG_NAME.match(inner)
    name = match.group().lower() if match else ""
    if name not in ALLOWED_TAGS:
        raise _parse_error(f'Unsupported start tag "{name}" at byte offset {offset}')
    open_tags.append(name)


def _close_tag(name: str, open_tags: list[str], offset: int) -> None:
    if not open_tags:
        raise _parse_error(f"Unexpected end tag at byte offset {offset}")
    expected = open_tags.pop()
    if name != expected:
        found = f'expected "</{expected}>", found "</{name}>"'
        raise _parse_error(f"Unmatched end tag at byte offset {offset}, {found}")


def _byte_offset(source: str, index: int) -> int:
    return len(source[:index].encode("utf-8"))


def _parse_error(detail: str) -> ApiError:
    return bad_request(f"can't parse entities: {detail}")

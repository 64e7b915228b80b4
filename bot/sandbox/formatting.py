"""Turn a bot's text and parse mode into what a chat shows, with Telegram's length limits."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from bot.sandbox.errors import bad_request
from bot.sandbox.html_text import html_to_plain
from bot.sandbox.markdown_text import legacy_markdown_to_plain, markdown_v2_to_plain

logger = logging.getLogger(__name__)

MAX_TEXT_CHARS = 4096
MAX_CAPTION_CHARS = 1024
# What Telegram's server marks up in plain text by itself.
AUTO_ENTITIES = (
    ("url", re.compile(r"\bhttps?://[^\s<>\"]+[^\s<>\".,;:!?)\]]")),
    ("mention", re.compile(r"(?<![\w@])@[A-Za-z][A-Za-z0-9_]{3,31}\b")),
    ("bot_command", re.compile(r"(?<![\w/])/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?\b")),
)


@dataclass(frozen=True)
class Formatted:
    """The plain text people read and the marked-up source the bot sent."""

    text: str
    source: str | None = None
    parse_mode: str | None = None


def format_text(source: str, parse_mode: str | None) -> Formatted:
    """Parse with the requested mode; an unknown mode is refused as Telegram does."""
    mode = (parse_mode or "").lower()
    if not mode:
        return Formatted(source)
    if mode == "html":
        return Formatted(html_to_plain(source), source, "HTML")
    if mode == "markdownv2":
        return Formatted(markdown_v2_to_plain(source), source, "MarkdownV2")
    if mode == "markdown":
        return Formatted(legacy_markdown_to_plain(source), source, "Markdown")
    raise bad_request("unsupported parse_mode")


def message_text(source: str | None, parse_mode: str | None, *, editing: bool = False) -> Formatted:
    """Telegram trims a message's ends; it must then be non-empty and at most 4096 characters."""
    if not source:
        raise bad_request("message text is empty")
    formatted = format_text(source, parse_mode)
    trimmed = formatted.text.strip()
    if not trimmed:
        raise bad_request("text must be non-empty")
    if len(trimmed) > MAX_TEXT_CHARS:
        raise bad_request("MESSAGE_TOO_LONG" if editing else "message is too long")
    return Formatted(trimmed, formatted.source, formatted.parse_mode)


def auto_entities(text: str) -> list[dict[str, object]]:
    """Links, @mentions and /commands, with offsets in UTF-16 code units as Telegram counts."""
    found = []
    for kind, pattern in AUTO_ENTITIES:
        for match in pattern.finditer(text):
            offset = _utf16_length(text[: match.start()])
            found.append({"type": kind, "offset": offset, "length": _utf16_length(match.group())})
    return sorted(found, key=lambda entity: int(str(entity["offset"])))


def _utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def caption_text(source: str | None, parse_mode: str | None) -> Formatted | None:
    """Captions are optional but share the parse modes, with a 1024-character limit."""
    if not source:
        return None
    formatted = format_text(source, parse_mode)
    if len(formatted.text) > MAX_CAPTION_CHARS:
        raise bad_request("message caption is too long")
    return formatted

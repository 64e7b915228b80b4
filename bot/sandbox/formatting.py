"""Turn a bot's text and parse mode into what a chat shows, with Telegram's length limits."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from bot.sandbox.errors import bad_request
from bot.sandbox.html_text import html_to_plain
from bot.sandbox.markdown_text import legacy_markdown_to_plain, markdown_v2_to_plain

logger = logging.getLogger(__name__)

MAX_TEXT_CHARS = 4096
MAX_CAPTION_CHARS = 1024


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
    """A message body must be non-empty after parsing and at most 4096 characters."""
    formatted = format_text(source or "", parse_mode)
    if not formatted.text.strip():
        raise bad_request("message text is empty")
    if len(formatted.text) > MAX_TEXT_CHARS:
        raise bad_request("MESSAGE_TOO_LONG" if editing else "message is too long")
    return formatted


def caption_text(source: str | None, parse_mode: str | None) -> Formatted | None:
    """Captions are optional but share the parse modes, with a 1024-character limit."""
    if not source:
        return None
    formatted = format_text(source, parse_mode)
    if len(formatted.text) > MAX_CAPTION_CHARS:
        raise bad_request("message caption is too long")
    return formatted

"""Telegram's Markdown parse modes, strict where Telegram is strict (MarkdownV2's reserved set)."""

from __future__ import annotations

import logging

from bot.sandbox.errors import ApiError, bad_request

logger = logging.getLogger(__name__)

V2_RESERVED = frozenset("_*[]()~`>#+-=|{}.!")
V2_MARKERS = {"__": "Underline", "||": "Spoiler", "*": "Bold", "_": "Italic", "~": "Strikethrough"}
LEGACY_MARKERS = ("```", "`", "*", "_")


def markdown_v2_to_plain(source: str) -> str:
    """Drop MarkdownV2 markup; an unescaped reserved character is an error, as on Telegram."""
    parser = _V2Parser(source)
    return parser.run()


class _V2Parser:
    """A small state machine; each step consumes one token from `source`."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.position = 0
        self.plain: list[str] = []
        self.open: list[tuple[str, int]] = []

    def run(self) -> str:
        while self.position < len(self.source):
            self._step()
        if self.open:
            marker, offset = self.open[-1]
            name = V2_MARKERS.get(marker, "TextUrl")
            raise _parse_error(f"Can't find end of {name} entity at byte offset {offset}")
        return "".join(self.plain)

    def _step(self) -> None:
        char = self.source[self.position]
        if char == "\\":
            self._escaped()
        elif char == "`":
            self._code()
        elif (marker := self._marker()) is not None:
            self._toggle(marker)
        elif char in "[]":
            self._link_part(char)
        elif char == ">" and self._at_line_start():
            self.position += 1
        elif char in V2_RESERVED:
            raise _reserved(char)
        else:
            self.plain.append(char)
            self.position += 1

    def _escaped(self) -> None:
        following = self.source[self.position + 1 : self.position + 2]
        self.plain.append(following or "\\")
        self.position += 2

    def _code(self) -> None:
        fence = "```" if self.source.startswith("```", self.position) else "`"
        start = self.position + len(fence)
        end = self.source.find(fence, start)
        if end == -1:
            name = "Pre" if fence == "```" else "Code"
            raise _parse_error(f"Can't find end of {name} entity at byte offset {self._offset()}")
        body = self.source[start:end]
        if fence == "```" and "\n" in body:
            body = body.split("\n", 1)[1]  # the first line names the language
        self.plain.append(body.replace("\\`", "`").replace("\\\\", "\\"))
        self.position = end + len(fence)

    def _marker(self) -> str | None:
        for marker in V2_MARKERS:
            if self.source.startswith(marker, self.position):
                return marker
        return None

    def _toggle(self, marker: str) -> None:
        if self.open and self.open[-1][0] == marker:
            self.open.pop()
        else:
            self.open.append((marker, self._offset()))
        self.position += len(marker)

    def _link_part(self, char: str) -> None:
        if char == "[":
            self.open.append(("[", self._offset()))
            self.position += 1
            return
        if not self.open or self.open[-1][0] != "[" or not self._next_is("("):
            raise _reserved("]")
        close = self.source.find(")", self.position)
        if close == -1:
            raise _parse_error(f"Can't find end of a URL at byte offset {self._offset()}")
        self.open.pop()
        self.position = close + 1

    def _next_is(self, char: str) -> bool:
        return self.source[self.position + 1 : self.position + 2] == char

    def _at_line_start(self) -> bool:
        return self.position == 0 or self.source[self.position - 1] == "\n"

    def _offset(self) -> int:
        return len(self.source[: self.position].encode("utf-8"))


def legacy_markdown_to_plain(source: str) -> str:
    """Legacy Markdown: no nesting, and an unclosed marker is an error."""
    plain: list[str] = []
    position = 0
    while position < len(source):
        marker = next((m for m in LEGACY_MARKERS if source.startswith(m, position)), None)
        if source[position] == "\\" and source[position + 1 : position + 2] in "_*`[":
            plain.append(source[position + 1 : position + 2])
            position += 2
        elif marker is not None:
            position = _legacy_entity(source, position, marker, plain)
        elif source[position] == "[" and (link := _legacy_link(source, position)) is not None:
            text, position = link
            plain.append(text)
        else:
            plain.append(source[position])
            position += 1
    return "".join(plain)


def _legacy_entity(source: str, start: int, marker: str, plain: list[str]) -> int:
    end = source.find(marker, start + len(marker))
    if end == -1:
        offset = len(source[:start].encode("utf-8"))
        raise _parse_error(f"Can't find end of the entity starting at byte offset {offset}")
    plain.append(source[start + len(marker) : end])
    return end + len(marker)


def _legacy_link(source: str, start: int) -> tuple[str, int] | None:
    middle = source.find("](", start)
    close = source.find(")", middle + 2) if middle != -1 else -1
    if close == -1:
        return None
    return source[start + 1 : middle], close + 1


def _reserved(char: str) -> ApiError:
    rule = "must be escaped with the preceding '\\'"
    return _parse_error(f"Character '{char}' is reserved and {rule}")


def _parse_error(detail: str) -> ApiError:
    return bad_request(f"can't parse entities: {detail}")

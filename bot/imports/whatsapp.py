"""A WhatsApp "Export chat" file (Android or iOS) read into messages, with no database.

Android writes `19/06/2024, 15:42 - Name: text`; iOS writes `[19/06/2024, 15:42:10] Name: text`.
Times come as 24-hour or 12-hour clocks (`3:42 pm`, often with U+202F before the am/pm);
dates as day-first or month-first with 2- or 4-digit years, and which one is decided from the
whole file, because a single `03/04/24` cannot say. Lines without a timestamp continue the
message above. WhatsApp's own notices (joins, "created group", the encryption notice) have no
`Name:` part, or on iOS start with U+200E, and are counted but not returned.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from pathlib import Path

# Direction marks, embeddings, isolates and the BOM: invisible, and never part of what was said.
INVISIBLE = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]")
ODD_SPACES = re.compile("[\u202f\u00a0\u2007]")
STAMP = (
    r"(?P<first>\d{1,2})[./-](?P<second>\d{1,2})[./-](?P<year>\d{4}|\d{2}),? "
    r"(?P<hour>\d{1,2})[:.](?P<minute>\d{2})(?:[:.](?P<seconds>\d{2}))?"
    r"(?: ?(?P<meridiem>[aApP])\.? ?[mM]\.?)?"
)
ANDROID_LINE = re.compile(rf"^{STAMP} [-–] (?P<rest>.*)$")
IOS_LINE = re.compile(rf"^\[{STAMP}\] (?P<rest>.*)$")
# A sender never holds quotes, so `changed the subject to "A: B"` stays a notice.
SENDER = re.compile(r"^(?P<sender>[^:\"“”]{1,100}?): (?P<text>.*)$", re.DOTALL)
MEDIA = re.compile(
    r"^(?:<media omitted>|<attached: .*>|.*\(file attached\)"
    r"|(?:.*\s)?(?:image|audio|video|sticker|document|gif|contact card) omitted)$",
    re.IGNORECASE,
)
DELETED = re.compile(r"^(?:this message was deleted|you deleted this message)\.?$", re.IGNORECASE)
EDITED = re.compile(r"\s*<this message was edited>\s*$", re.IGNORECASE)
ZIP_MAGIC = b"PK\x03\x04"
LRM = "\u200e"


class ExportError(ValueError):
    """The file cannot be read as a WhatsApp export; the message is one line for the person."""


class Layout(StrEnum):
    """Which phone wrote the export, which only changes how a timestamp is framed."""

    ANDROID = "Android"
    IOS = "iOS"


class DateOrder(StrEnum):
    """How the file writes dates; ambiguous files are read day-first, as the UK writes them."""

    DAY_FIRST = "day-first"
    MONTH_FIRST = "month-first"


@dataclass(frozen=True)
class ChatMessage:
    """One person's message: the exporting phone's wall-clock time, their name, their words.

    `text` has WhatsApp's markers removed: it is empty for a photo, voice note, sticker or a
    deleted message, and keeps only the caption of media sent with one.
    """

    sent_at: datetime
    sender: str
    text: str


@dataclass(frozen=True)
class ChatExport:
    """A parsed export: its messages in file order, and how many notices were left out."""

    layout: Layout
    date_order: DateOrder
    messages: tuple[ChatMessage, ...]
    notices: int


@dataclass(frozen=True)
class Stamp:
    """A timestamp's numbers as written, before the date order is known."""

    first: int
    second: int
    year: int
    hour: int
    minute: int
    seconds: int
    meridiem: str | None


@dataclass
class Block:
    """A timestamped line and the lines that continue it."""

    line_number: int
    stamp: Stamp
    rest: str
    more: list[str] = field(default_factory=list)

    def body(self) -> str:
        return "\n".join([self.rest, *self.more])


def read_export(path: Path) -> ChatExport:
    """The export at `path`; anything else is an `ExportError` that says what was wrong."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise ExportError(f"cannot read {path}: {error.strerror or error}") from None
    if data.startswith(ZIP_MAGIC):
        raise ExportError(f"{path} is a .zip: unzip it and give the .txt chat file inside")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ExportError(f"{path} is not a WhatsApp export (not UTF-8 text)") from None
    return parse(text, name=str(path))


def parse(text: str, *, name: str = "the file") -> ChatExport:
    """Every message in `text`, with times read in the file's own date order."""
    blocks, layout = split_blocks(text, name=name)
    order = date_order([block.stamp for block in blocks], name=name)
    messages: list[ChatMessage] = []
    for block in blocks:
        message = to_message(block, order, name=name)
        if message is not None:
            messages.append(message)
    return ChatExport(layout, order, tuple(messages), len(blocks) - len(messages))


def split_blocks(text: str, *, name: str) -> tuple[list[Block], Layout]:
    """Timestamped lines with their continuations; the file must open with one."""
    blocks: list[Block] = []
    layouts: list[Layout] = []
    for number, line in enumerate(lines_of(text), start=1):
        found = header(line)
        if found is not None:
            blocks.append(Block(number, found[0], found[1]))
            layouts.append(found[2])
        elif blocks:
            blocks[-1].more.append(line)
        elif line.strip():
            raise ExportError(f"{name} is not a WhatsApp export (line {number} has no timestamp)")
    if not blocks:
        raise ExportError(f"{name} is not a WhatsApp export (no timestamped messages)")
    return blocks, layouts[0]


def lines_of(text: str) -> list[str]:
    """Lines with odd spaces made plain; the U+200E marks stay for `to_message` to read."""
    unified = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    return [ODD_SPACES.sub(" ", line) for line in unified.split("\n")]


def header(line: str) -> tuple[Stamp, str, Layout] | None:
    """The timestamp and the rest of a line that starts a message, or None for a continuation."""
    bare = INVISIBLE.sub("", line[:4]) + line[4:]
    for pattern, layout in ((IOS_LINE, Layout.IOS), (ANDROID_LINE, Layout.ANDROID)):
        match = pattern.match(bare)
        if match is not None:
            return stamp_of(match), match["rest"], layout
    return None


def stamp_of(match: re.Match[str]) -> Stamp:
    meridiem = match["meridiem"]
    return Stamp(
        first=int(match["first"]),
        second=int(match["second"]),
        year=int(match["year"]),
        hour=int(match["hour"]),
        minute=int(match["minute"]),
        seconds=int(match["seconds"] or 0),
        meridiem=meridiem.lower() if meridiem else None,
    )


def date_order(stamps: Iterable[Stamp], *, name: str) -> DateOrder:
    """Any first number over 12 means day-first, any second over 12 month-first; else day-first."""
    listed = list(stamps)
    day_first = any(stamp.first > 12 for stamp in listed)
    month_first = any(stamp.second > 12 for stamp in listed)
    if day_first and month_first:
        raise ExportError(f"{name} mixes day-first and month-first dates")
    return DateOrder.MONTH_FIRST if month_first else DateOrder.DAY_FIRST


def wall_time(stamp: Stamp, order: DateOrder) -> datetime:
    """The time as the exporting phone showed it, with no time zone yet."""
    day, month = (
        (stamp.first, stamp.second) if order == DateOrder.DAY_FIRST else (stamp.second, stamp.first)
    )
    year = stamp.year + 2000 if stamp.year < 100 else stamp.year
    return datetime(year, month, day, hour_of(stamp), stamp.minute, stamp.seconds)


def hour_of(stamp: Stamp) -> int:
    """12 am is midnight and 12 pm is noon; a 24-hour clock is taken as it is."""
    if stamp.meridiem is None:
        return stamp.hour
    if not 1 <= stamp.hour <= 12:
        raise ValueError("hour out of range for a 12-hour clock")
    return stamp.hour % 12 + (12 if stamp.meridiem == "p" else 0)


def to_message(block: Block, order: DateOrder, *, name: str) -> ChatMessage | None:
    """A person's message, or None for one of WhatsApp's own notices."""
    try:
        sent_at = wall_time(block.stamp, order)
    except ValueError:
        raise ExportError(
            f"{name}: line {block.line_number} has an impossible date or time"
        ) from None
    match = SENDER.match(block.body())
    if block.rest.startswith(LRM) or match is None or is_notice(match["text"]):
        return None
    sender = " ".join(INVISIBLE.sub("", match["sender"]).split())
    return ChatMessage(sent_at, sender, words(match["text"])) if sender else None


def is_notice(text: str) -> bool:
    """iOS starts its own notices, even those it puts under the group's name, with U+200E."""
    first = text.partition("\n")[0]
    return first.startswith(LRM) and not is_marker(first)


def is_marker(line: str) -> bool:
    """WhatsApp's stand-in for a photo, voice note, sticker, file or deleted message."""
    bare = INVISIBLE.sub("", line).strip()
    return bool(MEDIA.match(bare) or DELETED.match(bare))


def words(text: str) -> str:
    """What the person wrote, without WhatsApp's markers for media, deletions and edits."""
    first, newline, more = text.partition("\n")
    kept = ([] if is_marker(first) else [first]) + ([more] if newline else [])
    return EDITED.sub("", INVISIBLE.sub("", "\n".join(kept))).strip()

"""One export record per shared reflection, streamed a page at a time so memory stays flat.

Every writer (CSV, XLSX, JSON Lines, REFI-QDA) reads these records and nothing else: the
privacy rules are applied here once. A tutor is known by their pseudonym, never by their
Telegram id; their name only when the coordinator asked for names (and that is audited).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.database import Database
from storage import exports
from storage.exports import Columns, Selection
from storage.vocabulary import EntrySource, ShareLevel, TagKind, TagSource

PAGE = 500


@dataclass(frozen=True)
class ExportCode:
    """A code applied to an entry; `spans` are character offsets of its evidence in `text`
    (none: the code applies to the whole text)."""

    code: str
    kind: TagKind
    confirmed: bool  # the tutor set it or confirmed the entry's tags
    spans: tuple[tuple[int, int], ...] = ()


@dataclass(frozen=True)
class GuidedAnswer:
    """One part of a guided reflection."""

    question_id: str
    question: str
    answer: str | None
    skipped: bool


@dataclass(frozen=True)
class ExportRecord:
    reflection_id: int
    tutor: str  # the pseudonym, stable across exports
    name: str | None  # only when names were asked for
    groups: tuple[str, ...]
    created_at: datetime  # UTC
    local_date: str  # YYYY-MM-DD in the tutor's time zone
    local_time: str  # HH:MM
    timezone: str
    source: EntrySource
    share_level: ShareLevel
    text: str
    codes: tuple[ExportCode, ...]
    guided: tuple[GuidedAnswer, ...]


async def stream(
    db: Database, *, selection: Selection, include_names: bool, page: int = PAGE
) -> AsyncIterator[ExportRecord]:
    """Every qualifying entry, oldest first; each page is its own short transaction."""
    after = 0
    while True:
        async with db.transaction() as session:
            rows = await exports.page(
                session=session, selection=selection, after_id=after, limit=page
            )
            if not rows:
                return
            ids = [row.id for row in rows]
            tags = await exports.applied_tags(session=session, reflection_ids=ids)
            groups = await exports.group_names(
                session=session, tutor_ids=sorted({row.tutor_id for row in rows})
            )
        for row in rows:
            yield to_record(row, tags[row.id], groups[row.tutor_id], include_names)
        after = ids[-1]


def to_record(
    row: Columns, tags: list[Columns], groups: list[str], include_names: bool
) -> ExportRecord:
    """`row` has the columns of `storage.exports.ENTRY_COLUMNS`, `tags` those of TAG_COLUMNS."""
    local = row.created_at.astimezone(ZoneInfo(row.timezone))
    text = row.text or ""
    return ExportRecord(
        reflection_id=row.id,
        tutor=row.pseudonym,
        name=row.display_name if include_names else None,
        groups=tuple(groups),
        created_at=row.created_at,
        local_date=f"{local.year:04d}-{local.month:02d}-{local.day:02d}",  # strftime is slower
        local_time=f"{local.hour:02d}:{local.minute:02d}",
        timezone=row.timezone,
        source=row.source,
        share_level=row.share_level,
        text=text,
        codes=tuple(_code(tag, row.tags_confirmed, len(text)) for tag in tags),
        guided=tuple(
            GuidedAnswer(p["question_id"], p["question"], p["answer"], p["skipped"])
            for p in row.parts or []
        ),
    )


def _code(tag: Columns, entry_confirmed: bool, text_length: int) -> ExportCode:
    confirmed = entry_confirmed or tag.source == TagSource.TUTOR
    spans = tuple(
        (start, end) for start, end in (tag.evidence or []) if 0 <= start < end <= text_length
    )
    return ExportCode(tag.code, tag.kind, confirmed, spans)

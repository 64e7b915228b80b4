"""The flat shape of a record that CSV and the workbook share: one row, one 0/1 column per code."""

from __future__ import annotations

from bot.exports.records import ExportRecord
from bot.tagging.codes import Codebook
from storage.vocabulary import TagKind

JOIN = "; "


def header(codebook: Codebook, *, names: bool) -> list[str]:
    """Column names; codes keep their stable ids so NVivo and ATLAS.ti can classify on them."""
    person = ["tutor", "name"] if names else ["tutor"]
    return [
        "reflection_id",
        *person,
        "groups",
        "local_date",
        "local_time",
        "timezone",
        "source",
        "share_level",
        "text",
        "outcomes",
        "challenges",
        "confirmed_codes",
        "guided_answers",
        *(f"code_{code.id}" for code in codebook.codes),
    ]


def row(record: ExportRecord, codebook: Codebook, *, names: bool) -> list[str | int]:
    applied = {code.code for code in record.codes}
    person: list[str | int] = [record.tutor, record.name or ""] if names else [record.tutor]
    return [
        record.reflection_id,
        *person,
        JOIN.join(record.groups),
        record.local_date,
        record.local_time,
        record.timezone,
        record.source.value,
        record.share_level.value,
        record.text,
        JOIN.join(c.code for c in record.codes if c.kind == TagKind.OUTCOME),
        JOIN.join(c.code for c in record.codes if c.kind == TagKind.CHALLENGE),
        JOIN.join(c.code for c in record.codes if c.confirmed),
        guided_text(record),
        *(int(code.id in applied) for code in codebook.codes),
    ]


def guided_text(record: ExportRecord) -> str:
    """A guided reflection's parts as `Question: answer` lines; skipped ones say so."""
    return "\n".join(
        f"{part.question}: {'(skipped)' if part.skipped else part.answer or ''}"
        for part in record.guided
    )

"""JSON Lines for scripts: the full record, one JSON object a line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from bot.exports.records import ExportRecord
from bot.tagging.codes import Codebook


def as_json(record: ExportRecord) -> dict[str, Any]:
    """Built by hand: `dataclasses.asdict` deep-copies every value and was most of the cost."""
    person = {"tutor": record.tutor} | ({"name": record.name} if record.name is not None else {})
    return {
        "reflection_id": record.reflection_id,
        **person,
        "groups": list(record.groups),
        "created_at": record.created_at.isoformat(),
        "local_date": record.local_date,
        "local_time": record.local_time,
        "timezone": record.timezone,
        "source": record.source.value,
        "share_level": record.share_level.value,
        "text": record.text,
        "codes": [
            {
                "code": code.code,
                "kind": code.kind,
                "confirmed": code.confirmed,
                "spans": [list(span) for span in code.spans],
            }
            for code in record.codes
        ],
        "guided": [
            {
                "question_id": part.question_id,
                "question": part.question,
                "answer": part.answer,
                "skipped": part.skipped,
            }
            for part in record.guided
        ],
    }


class JsonlWriter:
    def __init__(self, path: Path, codebook: Codebook, *, names: bool) -> None:
        del codebook, names  # every record carries its own codes, and its name only if asked
        self.count = 0
        self._file = path.open("w", encoding="utf-8")

    def add(self, record: ExportRecord) -> None:
        self._file.write(json.dumps(as_json(record), ensure_ascii=False) + "\n")
        self.count += 1

    def close(self) -> int:
        self._file.close()
        return self.count

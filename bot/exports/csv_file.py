"""CSV for Excel, NVivo and ATLAS.ti: UTF-8 with a BOM so Excel reads the accents right."""

from __future__ import annotations

import csv
from pathlib import Path

from bot.exports import columns
from bot.exports.records import ExportRecord
from bot.tagging.codes import Codebook

# A cell Excel would run as a formula; a leading apostrophe keeps it text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def defused(value: str | int) -> str | int:
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class CsvWriter:
    def __init__(self, path: Path, codebook: Codebook, *, names: bool) -> None:
        self.codebook, self.names, self.count = codebook, names, 0
        self._file = path.open("w", encoding="utf-8-sig", newline="")
        self._csv = csv.writer(self._file)
        self._csv.writerow(columns.header(codebook, names=names))

    def add(self, record: ExportRecord) -> None:
        cells = columns.row(record, self.codebook, names=self.names)
        self._csv.writerow([defused(cell) for cell in cells])
        self.count += 1

    def close(self) -> int:
        self._file.close()
        return self.count

"""An Excel workbook: the reflections (frozen header, filters, wrapped text), the codebook, and a
summary of counts per code, per group and per month.

openpyxl's write-only mode streams rows to disk, so memory stays flat however many entries.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from bot.exports import columns
from bot.exports.records import ExportRecord
from bot.tagging.codes import Codebook

WIDTHS = {"text": 80, "guided_answers": 60, "groups": 24, "confirmed_codes": 24}
NARROW = 14


class XlsxWriter:
    def __init__(self, path: Path, codebook: Codebook, *, names: bool) -> None:
        self.path, self.codebook, self.names, self.count = path, codebook, names, 0
        self.book = Workbook(write_only=True)
        self.sheet = self.book.create_sheet("Reflections")
        self.header = columns.header(codebook, names=names)
        self._prepare(self.sheet)
        self.per_code: Counter[str] = Counter()
        self.per_group: Counter[str] = Counter()
        self.per_month: Counter[str] = Counter()

    def _prepare(self, sheet: Any) -> None:  # openpyxl's stubs miss write-only sheets' layout
        """Widths, frozen header and filters must be set before the first row is written."""
        for number, name in enumerate(self.header, start=1):
            sheet.column_dimensions[get_column_letter(number)].width = WIDTHS.get(name, NARROW)
        sheet.freeze_panes = "A2"
        last = get_column_letter(len(self.header))
        sheet.auto_filter.ref = f"A1:{last}1048576"
        sheet.append([self._bold(name) for name in self.header])

    def _bold(self, value: str) -> Cell:
        cell = WriteOnlyCell(self.sheet, value=value)
        cell.font = Font(bold=True)
        return cell

    def _text(self, value: str | int) -> Cell:
        """Always a value, never a formula, however the tutor's words begin."""
        cell = WriteOnlyCell(self.sheet, value=value)
        if isinstance(value, str):
            cell.data_type = "s"
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        return cell

    def add(self, record: ExportRecord) -> None:
        cells = columns.row(record, self.codebook, names=self.names)
        self.sheet.append([self._text(cell) for cell in cells])
        self.per_code.update(code.code for code in record.codes)
        self.per_group.update(record.groups or ("(no group)",))
        self.per_month[record.local_date[:7]] += 1
        self.count += 1

    def close(self) -> int:
        self._codebook_sheet()
        self._summary_sheet()
        self.book.save(self.path)
        return self.count

    def _codebook_sheet(self) -> None:
        sheet = self.book.create_sheet("Codebook")
        for letter, width in zip("ABCD", (20, 12, 24, 90), strict=True):
            sheet.column_dimensions[letter].width = width
        sheet.append([self._bold(name) for name in ("code", "kind", "label", "description")])
        for code in self.codebook.codes:
            sheet.append([code.id, code.kind, code.label, code.description])

    def _summary_sheet(self) -> None:
        sheet = self.book.create_sheet("Summary")
        sheet.column_dimensions["A"].width = 28
        sheet.append([self._bold("Reflections"), self.count])
        for title, counts in (
            ("Code", {code.id: self.per_code[code.id] for code in self.codebook.codes}),
            ("Group", dict(sorted(self.per_group.items()))),
            ("Month", dict(sorted(self.per_month.items()))),
        ):
            sheet.append([])
            sheet.append([self._bold(title), self._bold("Reflections")])
            for key, count in counts.items():
                sheet.append([key, count])

"""The small rules around an export: which days a period covers, and when a file is zipped."""

from __future__ import annotations

import zipfile
from datetime import date
from pathlib import Path

from bot.exports.periods import Period, days_of
from bot.exports.run import zipped_if_large


def test_periods_are_whole_local_days() -> None:
    today = date(2026, 11, 29)
    assert days_of(Period.LAST_30_DAYS, today) == (date(2026, 10, 31), today)
    assert days_of(Period.SCHOOL_YEAR, today) == (date(2026, 9, 1), today)
    assert days_of(Period.SCHOOL_YEAR, date(2027, 3, 1)) == (date(2026, 9, 1), date(2027, 3, 1))
    assert days_of(Period.EVERYTHING, today) == (None, None)


def test_a_large_file_goes_zipped_and_a_small_one_as_it_is(tmp_path: Path) -> None:
    small, large = tmp_path / "small.csv", tmp_path / "large.csv"
    small.write_text("id,text\n1,short\n", encoding="utf-8")
    large.write_text("id,text\n" + "2,a long line of words\n" * 5000, encoding="utf-8")
    assert zipped_if_large(small, above_bytes=10_000) == small
    packed = zipped_if_large(large, above_bytes=10_000)
    assert packed.name == "large.csv.zip" and packed.stat().st_size < large.stat().st_size
    with zipfile.ZipFile(packed) as archive:
        assert archive.read("large.csv") == large.read_bytes()
    project = tmp_path / "project.qdpx"
    project.write_bytes(b"PK" + b"x" * 20_000)
    assert zipped_if_large(project, above_bytes=10_000) == project, "a .qdpx is a zip already"

"""Exports read back with their own libraries match the database: the same shared entries and
codes, never a private one, and no Telegram id or name unless names were asked for."""

from __future__ import annotations

import csv
import json
import uuid
import zipfile
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from bot.database import Database
from bot.exports.run import ExportError, ExportRequest, export
from bot.services import demo
from bot.tagging.codebook import load_codebook
from bot.tagging.codes import Codebook
from bot.tagging.tagger import Tagger
from storage.models import AuditEvent, Reflection, ReflectionTag
from storage.vocabulary import ExportFormat, ShareLevel

LONDON = ZoneInfo("Europe/London")
MONDAY = datetime(2026, 11, 16, tzinfo=LONDON)
TELEGRAM_IDS = ("1001", "1002", "1003")
NAMES = ("Aisha", "Ben", "Carys")


@pytest.fixture
def codebook() -> Codebook:
    return load_codebook()


async def seeded(database: Database, codebook: Codebook) -> dict[int, tuple[str, set[str]]]:
    """The demo week (every share level); returns what a coordinator may see: id → text, codes."""
    async with database.transaction() as session:
        await demo.seed_week(session, tagger=Tagger(codebook), monday=MONDAY)
        entries = (await session.execute(select(Reflection))).scalars().all()
        tags = (await session.execute(select(ReflectionTag))).scalars().all()
    shared = {e.id: (e.text or "", set()) for e in entries if e.share_level != ShareLevel.PRIVATE}
    for tag in tags:
        if tag.applied and tag.reflection_id in shared:
            shared[tag.reflection_id][1].add(tag.code)
    assert len(shared) == 8 and len(entries) == 9
    return shared


async def run(database: Database, codebook: Codebook, tmp_path: Path, **asked: object) -> Path:
    request = ExportRequest(**asked)  # type: ignore[arg-type]
    path = tmp_path / f"out-{uuid.uuid4().hex[:8]}.{request.format}"
    await export(
        database,
        request=request,
        path=path,
        codebook=codebook,
        actor_telegram_id=1004,
        timezone="Europe/London",
    )
    return path


def no_identity_in(raw: str, *, names: bool) -> None:
    for telegram_id in TELEGRAM_IDS:
        assert f'"{telegram_id}"' not in raw and f",{telegram_id}," not in raw
    for name in NAMES:
        assert (f",{name}," in raw or f'"{name}"' in raw) == names, name


async def test_csv_reads_back_with_a_bom_and_a_column_per_code(
    database: Database, codebook: Codebook, tmp_path: Path
) -> None:
    shared = await seeded(database, codebook)
    path = await run(database, codebook, tmp_path, format=ExportFormat.CSV)
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "Excel needs the BOM to read UTF-8"
    rows = list(csv.DictReader(raw.decode("utf-8-sig").splitlines(keepends=True)))
    assert {int(r["reflection_id"]): r["text"] for r in rows} == {
        k: v[0] for k, v in shared.items()
    }
    for row in rows:
        codes = shared[int(row["reflection_id"])][1]
        assert {c.id for c in codebook.codes if row[f"code_{c.id}"] == "1"} == codes
        joined = {*row["outcomes"].split("; "), *row["challenges"].split("; ")} - {""}
        assert joined == codes
        assert row["tutor"].startswith("T-") and "name" not in row
    no_identity_in(raw.decode("utf-8-sig"), names=False)


async def test_jsonl_carries_the_full_record_and_names_only_when_asked(
    database: Database, codebook: Codebook, tmp_path: Path
) -> None:
    shared = await seeded(database, codebook)
    plain = await run(database, codebook, tmp_path, format=ExportFormat.JSONL)
    records = [json.loads(line) for line in plain.read_text(encoding="utf-8").splitlines()]
    assert {r["reflection_id"]: r["text"] for r in records} == {k: v[0] for k, v in shared.items()}
    assert all({c["code"] for c in r["codes"]} == shared[r["reflection_id"]][1] for r in records)
    assert all("name" not in r and r["groups"] == ["Oakfield Strings"] for r in records)
    assert all(r["share_level"] != "private" for r in records)
    no_identity_in(plain.read_text(encoding="utf-8"), names=False)
    named = await run(database, codebook, tmp_path, format=ExportFormat.JSONL, include_names=True)
    assert {json.loads(line)["name"] for line in named.read_text().splitlines()} == set(NAMES)
    async with database.transaction() as session:
        audits = (await session.execute(select(AuditEvent))).scalars().all()
    assert [a.detail["include_names"] for a in audits if a.action == "export"] == [False, True]
    assert all(a.actor_telegram_id == 1004 and a.detail["entries"] == 8 for a in audits)


async def test_the_workbook_has_its_sheets_filters_and_summary(
    database: Database, codebook: Codebook, tmp_path: Path
) -> None:
    shared = await seeded(database, codebook)
    path = await run(database, codebook, tmp_path, format=ExportFormat.XLSX)
    book = load_workbook(path)
    assert book.sheetnames == ["Reflections", "Codebook", "Summary"]
    sheet = book["Reflections"]
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref is not None
    header = [cell.value for cell in sheet[1]]
    rows = [dict(zip(header, (c.value for c in row), strict=True)) for row in sheet.iter_rows(2)]
    assert {r["reflection_id"]: r["text"] for r in rows} == {k: v[0] for k, v in shared.items()}
    assert sheet.cell(2, header.index("text") + 1).alignment.wrap_text
    codes = [row[0].value for row in book["Codebook"].iter_rows(2)]
    assert codes == [code.id for code in codebook.codes]
    summary = {row[0].value: row[1].value for row in book["Summary"].iter_rows()}
    assert summary["Reflections"] == 8 and summary["Oakfield Strings"] == 8
    assert summary["2026-11"] == 8
    tagged = sum(1 for _, codes_of in shared.values() if "social" in codes_of)
    assert summary["social"] == tagged


async def test_filters_pick_by_day_group_and_code(
    database: Database, codebook: Codebook, tmp_path: Path
) -> None:
    shared = await seeded(database, codebook)
    from datetime import date

    tuesday = await run(
        database,
        codebook,
        tmp_path,
        format=ExportFormat.JSONL,
        first_day=date(2026, 11, 17),
        last_day=date(2026, 11, 17),
    )
    days = {json.loads(line)["local_date"] for line in tuesday.read_text().splitlines()}
    assert days == {"2026-11-17"}
    social = await run(database, codebook, tmp_path, format=ExportFormat.JSONL, code="social")
    ids = {json.loads(line)["reflection_id"] for line in social.read_text().splitlines()}
    assert ids == {k for k, (_, codes) in shared.items() if "social" in codes} and ids
    with pytest.raises(ExportError, match="no peer group"):
        await run(database, codebook, tmp_path, format=ExportFormat.CSV, group="Nowhere")
    with pytest.raises(ExportError, match="no code"):
        await run(database, codebook, tmp_path, format=ExportFormat.CSV, code="sparkle")


async def test_a_tutors_words_stay_text_in_excel(
    database: Database, codebook: Codebook, tmp_path: Path
) -> None:
    """A reflection that begins like a formula is shown, never run."""
    await seeded(database, codebook)
    async with database.transaction() as session:
        entry = (await session.execute(select(Reflection).limit(1))).scalar_one()
        entry.text, entry.share_level = '=HYPERLINK("http://x")-2 kids left early', ShareLevel.GROUP
    book = load_workbook(await run(database, codebook, tmp_path, format=ExportFormat.XLSX))
    cell = next(c for c in book["Reflections"]["I"] if str(c.value).startswith("=HYPER"))
    assert cell.data_type == "s"
    raw = (await run(database, codebook, tmp_path, format=ExportFormat.CSV)).read_text("utf-8-sig")
    assert ",\"'=HYPERLINK(" in raw


async def test_the_qdpx_from_the_database_validates_and_reads_back(
    database: Database, codebook: Codebook, tmp_path: Path
) -> None:
    """The same eight shared entries, their codings, and no names, through the whole path."""
    from lxml import etree

    from bot.exports.qdpx_file import PROJECT_FILE
    from tests.exports.test_qdpx import count_codings, load, refi_schema

    shared = await seeded(database, codebook)
    path = await run(database, codebook, tmp_path, format=ExportFormat.QDPX)
    with zipfile.ZipFile(path) as archive:
        document = etree.fromstring(archive.read(PROJECT_FILE))
        raw = archive.read(PROJECT_FILE).decode("utf-8")
    xsd = refi_schema()
    assert xsd.validate(document), xsd.error_log
    project = load(path)
    assert len(project.sources.text_source) == len(shared)
    assert count_codings(project) >= sum(len(codes) for _, codes in shared.values())
    assert not any(name in raw for name in NAMES)

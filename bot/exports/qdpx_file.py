"""The REFI-QDA project (.qdpx) that NVivo, ATLAS.ti, MAXQDA and QualCoder import, written as records arrive.

A .qdpx is a zip: `project.qde` (QDA-XML, namespace `urn:QDA-XML:project:1.0`) and each
reflection as a UTF-8 text file `sources/<GUID>.txt`. Texts go into the zip as they arrive and
each reflection's XML waits in a spool file beside the output, so memory stays flat however many
reflections there are: only each tutor's list of reflection ids (8 bytes an entry) is kept.
Python's `zipfile` keeps about 500 bytes per member in memory, so the zip is written here with
its directory spooled too.

How the project reads in a QDA tool:
- codes nest under two uncodable parents, "Outcomes" and "Challenges"; a code's name is its label
  and its description ends with "Code id: <id>", the stable id exports depend on;
- each applied code is a coding on each evidence span, or on the whole text when it has none;
  codings are attributed to one of two users, so a coordinator can tell the tutor's own or
  confirmed tags from the bot's suggestions;
- each tutor is a case (named by pseudonym) holding their reflections, with the variables
  "Tutor groups" and, only when names were asked for, "Tutor name"; each reflection carries
  tutor, groups, entry type, share level, local date and time, time zone and reflection id.
GUIDs are uuid5 of a per-export namespace and the object's own key, so one namespace gives the
same file every time. Positions count Python characters (code points).
"""

from __future__ import annotations

import logging
import re
import tempfile
import uuid
from array import array
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from xml.etree import ElementTree as ET
from xml.sax.saxutils import quoteattr

from bot.exports.records import ExportCode, ExportRecord, GuidedAnswer
from bot.exports.zipstream import EARLIEST, ZipStream
from bot.tagging.codes import KINDS, Codebook
from storage.vocabulary import TagKind

logger = logging.getLogger(__name__)

PROJECT_FILE = "project.qde"
NAMESPACE = "urn:QDA-XML:project:1.0"
ORIGIN = "reflectbot"
CHUNK = 1 << 20
REFS_PER_CHUNK = 1000

# --------------------------------------------------------------------------- the XML

_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_PARENTS: dict[TagKind, tuple[str, str]] = {
    TagKind.OUTCOME: ("Outcomes", "The personal, social and musical outcomes tutors saw."),
    TagKind.CHALLENGE: ("Challenges", "What got in the way of a session or of the tutor's work."),
}
_UNKNOWN_CODE = "Applied to these reflections but no longer in the bot's codebook."
_PROJECT_NOTE = (
    "Reflections exported by the reflective-practice bot. Each tutor is a case named by their "
    "pseudonym. Codings by the user 'Tutor (set or confirmed)' were chosen or confirmed by the "
    "tutor; those by 'Bot (suggested)' were suggested by the bot's tagger. Each code's "
    "description ends with its stable code id."
)


class _ValueType(StrEnum):
    """The REFI-QDA variable types this export uses; each also names its value element."""

    TEXT = "Text"
    INTEGER = "Integer"
    DATE = "Date"


@dataclass(frozen=True)
class _Variable:
    """A variable as QDA tools list it: a name, a type and what it means."""

    name: str
    type: _ValueType
    description: str


TUTOR = _Variable("Tutor", _ValueType.TEXT, "The tutor's pseudonym, stable across exports.")
GROUPS = _Variable("Groups", _ValueType.TEXT, "The tutor's peer groups, separated by '; '.")
ENTRY_TYPE = _Variable("Entry type", _ValueType.TEXT, "How it arrived: text, voice, guided...")
SHARE_LEVEL = _Variable("Share level", _ValueType.TEXT, "Who the tutor shared it with.")
LOCAL_DATE = _Variable("Local date", _ValueType.DATE, "The day in the tutor's time zone.")
LOCAL_TIME = _Variable("Local time", _ValueType.TEXT, "HH:MM in the tutor's time zone.")
TIME_ZONE = _Variable("Time zone", _ValueType.TEXT, "The tutor's time zone.")
REFLECTION_ID = _Variable("Reflection id", _ValueType.INTEGER, "As in the other export formats.")
TUTOR_GROUPS = _Variable("Tutor groups", _ValueType.TEXT, "The peer groups, separated by '; '.")
TUTOR_NAME = _Variable("Tutor name", _ValueType.TEXT, "Only in exports made with names.")
SOURCE_VARIABLES = (
    TUTOR,
    GROUPS,
    ENTRY_TYPE,
    SHARE_LEVEL,
    LOCAL_DATE,
    LOCAL_TIME,
    TIME_ZONE,
    REFLECTION_ID,
)


class _Ids:
    """Deterministic GUIDs: the export's namespace and an object's own key always give the same one."""

    def __init__(self, namespace: uuid.UUID) -> None:
        self.namespace = namespace
        self.suggested = self("user", "suggested")
        self.confirmed = self("user", "confirmed")
        variables = (*SOURCE_VARIABLES, TUTOR_GROUPS, TUTOR_NAME)
        self.variables = {variable: self("variable", variable.name) for variable in variables}
        self._codes: dict[str, str] = {}

    def __call__(self, *key: object) -> str:
        return str(uuid.uuid5(self.namespace, "/".join(str(part) for part in key)))

    def code(self, code_id: str) -> str:
        """Codes are looked up for every coding, so their GUIDs are kept."""
        if code_id not in self._codes:
            self._codes[code_id] = self("code", code_id)
        return self._codes[code_id]


def _clean(value: str) -> str:
    """XML 1.0 cannot carry control characters or lone surrogates; they become U+FFFD."""
    return _NOT_XML.sub("\ufffd", value)


def _utc(when: datetime) -> datetime:
    """Stored times are UTC; a naive one (SQLite) is read as UTC too."""
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)


def _timestamp(when: datetime) -> str:
    return _utc(when).strftime("%Y-%m-%dT%H:%M:%SZ")


def _xml(element: ET.Element) -> bytes:
    data: bytes = ET.tostring(element, encoding="utf-8", xml_declaration=False)
    return data


def _start_tag(tag: str, attributes: dict[str, str]) -> bytes:
    """The opening tag of an element whose children are streamed after it."""
    pairs = "".join(f" {key}={quoteattr(_clean(value))}" for key, value in attributes.items())
    return f"<{tag}{pairs}>".encode()


def _variable_value(guid: str, variable: _Variable, value: str) -> ET.Element:
    element = ET.Element("VariableValue")
    ET.SubElement(element, "VariableRef", targetGUID=guid)
    ET.SubElement(element, f"{variable.type}Value").text = _clean(value)
    return element


def _source_values(record: ExportRecord) -> list[tuple[_Variable, str]]:
    """A reflection's variables; empty ones are left out."""
    values = [
        (TUTOR, record.tutor),
        (GROUPS, "; ".join(record.groups)),
        (ENTRY_TYPE, record.source.value),
        (SHARE_LEVEL, record.share_level.value),
        (LOCAL_DATE, record.local_date),
        (LOCAL_TIME, record.local_time),
        (TIME_ZONE, record.timezone),
        (REFLECTION_ID, str(record.reflection_id)),
    ]
    return [(variable, value) for variable, value in values if value]


def _guided_note(answers: tuple[GuidedAnswer, ...]) -> str:
    """The guided questions with their answers, so a coder sees which prompt each paragraph answers."""
    return "\n\n".join(
        f"{part.question}\n{'(skipped)' if part.skipped else part.answer or '(no answer)'}"
        for part in answers
    )


def _source(record: ExportRecord, guid: str, ids: _Ids) -> ET.Element:
    """One reflection: where its text lies, its codings and its variables."""
    source = ET.Element(
        "TextSource",
        guid=guid,
        name=_clean(f"{record.local_date} {record.tutor} #{record.reflection_id}"),
        plainTextPath=f"internal://{guid}.txt",
        creationDateTime=_timestamp(record.created_at),
    )
    if record.guided:
        ET.SubElement(source, "Description").text = _clean(_guided_note(record.guided))
    for index, code in enumerate(record.codes):
        _code_on_text(source, record, index, code, ids)
    for variable, value in _source_values(record):
        source.append(_variable_value(ids.variables[variable], variable, value))
    return source


def _code_on_text(
    source: ET.Element, record: ExportRecord, index: int, code: ExportCode, ids: _Ids
) -> None:
    """A coding on each evidence span, or on the whole text (the source itself when empty)."""
    user = ids.confirmed if code.confirmed else ids.suggested
    when = _timestamp(record.created_at)
    for part, (start, end) in enumerate(code.spans or ((0, len(record.text)),)):
        key = (record.reflection_id, index, part)
        parent = source
        if record.text:
            parent = ET.SubElement(
                source,
                "PlainTextSelection",
                guid=ids("selection", *key),
                startPosition=str(start),
                endPosition=str(end),
                creatingUser=user,
                creationDateTime=when,
            )
        coding = ET.SubElement(
            parent, "Coding", guid=ids("coding", *key), creatingUser=user, creationDateTime=when
        )
        ET.SubElement(coding, "CodeRef", targetGUID=ids.code(code.code))


def _users(ids: _Ids) -> ET.Element:
    """Two coders: the bot's suggestions and the tutor's own or confirmed tags."""
    users = ET.Element("Users")
    ET.SubElement(users, "User", guid=ids.suggested, name="Bot (suggested)", id="suggested")
    ET.SubElement(users, "User", guid=ids.confirmed, name="Tutor (set or confirmed)", id="tutor")
    return users


def _codebook(codebook: Codebook, unknown: dict[str, str], ids: _Ids) -> ET.Element:
    """Outcome and challenge codes under their two parents; codes no longer in the codebook follow."""
    book = ET.Element("CodeBook")
    codes = ET.SubElement(book, "Codes")
    for kind in KINDS:
        name, description = _PARENTS[kind]
        parent = ET.SubElement(codes, "Code", guid=ids("parent", kind), name=name)
        parent.set("isCodable", "false")
        ET.SubElement(parent, "Description").text = description
        for code in codebook.codes:
            if code.kind == kind:
                _code(parent, ids.code(code.id), code.id, code.label, code.description)
        for code_id, code_kind in unknown.items():
            if code_kind == kind:
                _code(parent, ids.code(code_id), code_id, code_id, _UNKNOWN_CODE)
    for code_id, code_kind in unknown.items():
        if code_kind not in KINDS:
            _code(codes, ids.code(code_id), code_id, code_id, _UNKNOWN_CODE)
    return book


def _code(parent: ET.Element, guid: str, code_id: str, label: str, description: str) -> None:
    code = ET.SubElement(parent, "Code", guid=guid, name=_clean(label), isCodable="true")
    ET.SubElement(code, "Description").text = _clean(f"{description}\n\nCode id: {code_id}")


def _variables(ids: _Ids, with_names: bool) -> ET.Element:
    variables = ET.Element("Variables")
    for variable, guid in ids.variables.items():
        if variable is TUTOR_NAME and not with_names:
            continue
        element = ET.SubElement(
            variables, "Variable", guid=guid, name=variable.name, typeOfVariable=variable.type
        )
        ET.SubElement(element, "Description").text = variable.description
    return variables


@dataclass
class _Tutor:
    """What a tutor's case needs: small, apart from 8 bytes per reflection."""

    name: str | None
    groups: tuple[str, ...]
    reflections: array[int] = field(default_factory=lambda: array("q"))


def _case(pseudonym: str, tutor: _Tutor, ids: _Ids) -> Iterator[bytes]:
    """A tutor's case: their variables, then a reference to each of their reflections."""
    yield _start_tag("Case", {"guid": ids("case", pseudonym), "name": pseudonym})
    for variable, value in ((TUTOR_GROUPS, "; ".join(tutor.groups)), (TUTOR_NAME, tutor.name)):
        if value:
            yield _xml(_variable_value(ids.variables[variable], variable, value))
    refs = tutor.reflections
    for start in range(0, len(refs), REFS_PER_CHUNK):
        chunk = refs[start : start + REFS_PER_CHUNK]
        yield "".join(f'<SourceRef targetGUID="{ids("source", rid)}"/>' for rid in chunk).encode()
    yield b"</Case>"


# --------------------------------------------------------------------------- the writer


class QdpxWriter:
    """Writes a .qdpx as records arrive: texts straight into the zip, their XML into a spool."""

    def __init__(
        self, path: Path, codebook: Codebook, *, namespace: uuid.UUID | None = None
    ) -> None:
        self._path = path
        self._codebook = codebook
        self._known = set(codebook.ids)
        self._ids = _Ids(namespace or uuid.uuid4())
        self._zip = ZipStream(path)
        self._spool = tempfile.TemporaryFile(dir=path.parent)  # noqa: SIM115 - closed in close()
        self._tutors: dict[str, _Tutor] = {}
        self._unknown: dict[str, str] = {}
        self._first: datetime | None = None
        self._last: datetime | None = None
        self._count = 0

    def add(self, record: ExportRecord) -> None:
        """Writes the text now and spools its XML; called once per record, in order."""
        guid = self._ids("source", record.reflection_id)
        text = record.text.encode("utf-8", "replace")  # a lone surrogate stays one character
        self._zip.write(f"sources/{guid}.txt", text, record.created_at)
        self._spool.write(_xml(_source(record, guid, self._ids)))
        self._remember(record)
        self._count += 1

    def close(self) -> int:
        """Assembles project.qde from the spool, ends the zip and returns the records written."""
        self._zip.write_chunks(PROJECT_FILE, self._project(), self._last or EARLIEST)
        self._zip.close()
        self._spool.close()
        logger.info("Wrote a REFI-QDA project of %d reflections", self._count)
        return self._count

    def _remember(self, record: ExportRecord) -> None:
        """Keeps what the parts before the sources need: cases, unknown codes, the date range."""
        tutor = self._tutors.setdefault(record.tutor, _Tutor(record.name, record.groups))
        tutor.reflections.append(record.reflection_id)
        for code in record.codes:
            if code.code not in self._known:
                self._unknown.setdefault(code.code, code.kind)
        self._first = min(self._first or record.created_at, record.created_at)
        self._last = max(self._last or record.created_at, record.created_at)

    def _project(self) -> Iterator[bytes]:
        """project.qde in the order the schema requires, a piece at a time."""
        yield b'<?xml version="1.0" encoding="utf-8"?>\n'
        yield _start_tag("Project", {"xmlns": NAMESPACE, "name": self._name(), "origin": ORIGIN})
        yield _xml(_users(self._ids))
        yield _xml(_codebook(self._codebook, self._unknown, self._ids))
        with_names = any(tutor.name for tutor in self._tutors.values())
        yield _xml(_variables(self._ids, with_names))
        if self._tutors:
            yield b"<Cases>"
            for pseudonym in sorted(self._tutors):
                yield from _case(pseudonym, self._tutors[pseudonym], self._ids)
            yield b"</Cases>"
        if self._count:
            yield b"<Sources>"
            yield from self._spooled()
            yield b"</Sources>"
        yield b"<Description>" + _PROJECT_NOTE.encode() + b"</Description></Project>\n"

    def _spooled(self) -> Iterator[bytes]:
        self._spool.seek(0)
        while chunk := self._spool.read(CHUNK):
            yield chunk

    def _name(self) -> str:
        if self._first is None or self._last is None:
            return "Reflections"
        return f"Reflections {_utc(self._first):%Y-%m-%d} to {_utc(self._last):%Y-%m-%d}"

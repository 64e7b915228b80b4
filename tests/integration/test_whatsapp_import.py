"""`reflectbot import whatsapp` end to end: the command's main function on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.cli import main
from bot.database import Database
from bot.services import groups
from bot.services.whatsapp_import import WHATSAPP_CHAT_ID, message_key
from bot.tagging.codebook import load_codebook
from bot.tagging.model_tagger import load_tagger
from storage import groups as group_store
from storage import migrate
from storage import tags as tag_store
from storage import tutors as tutor_store
from storage.base import utcnow
from storage.models import AuditEvent, Reflection, Tutor
from tests.conftest import BACKENDS
from tests.test_cli import clean_env, reflectbot

DATA = Path(__file__).resolve().parent.parent / "data" / "whatsapp"
ANDROID = str(DATA / "android_24h_dayfirst.txt")
IOS = str(DATA / "ios_12h_monthfirst.txt")
OAKFIELD, HILLSIDE = "Oakfield Strings", "Hillside Brass"
AISHA, BEN, CARYS = 1001, 1002, 1003
MAP_BEN = ["--map", "Ben O 🎺=1002"]
# (user id, name in the bot, member of Oakfield, leads it); Ben is in no group.
PEOPLE = (
    (AISHA, "Aisha Khan", True, False),
    (BEN, "Ben Okafor", False, False),
    (CARYS, "  carys JONES ", True, True),  # matched ignoring case and spacing
)
AISHA_RUN = (
    "Samba band at Oakfield kept time together for the first time 🥁🎉\n"
    "Leo led the call and response and the others followed him,\n"
    "which they never do.\n\nReally proud of them."
)
# What the Android file holds for the three tutors, in UTC (June: London is UTC+1).
ANDROID_ENTRIES = {
    (CARYS, datetime(2024, 6, 19, 9, 2, tzinfo=UTC)): "Morning all 👋 Use this group for quick "
    "reflections after sessions this week. What went well, what got in the way?",
    (AISHA, datetime(2024, 6, 19, 14, 42, tzinfo=UTC)): AISHA_RUN,
    (BEN, datetime(2024, 6, 19, 15, 5, tzinfo=UTC)): "Only three came because of the trip, but "
    "the three who came worked really well together on the drumming piece",
    (BEN, datetime(2024, 6, 19, 23, 15, tzinfo=UTC)): "Struggling to fit planning in around "
    "travel between schools 😩",
    (AISHA, datetime(2024, 6, 21, 12, 5, tzinfo=UTC)): "The keyboards still don't all work, so we "
    "shared in pairs – actually that got them listening to each other 🎹",
}
both_backends = pytest.mark.parametrize("db_url", BACKENDS, indirect=True)


@dataclass(frozen=True)
class Stored:
    author: int
    created_at: datetime
    text: str
    share_level: str
    source: str
    status: str
    chat_id: int
    message_id: int
    codes: frozenset[str]


@pytest.fixture
def db_url(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A migrated database with two groups and three tutors, named in this test's settings."""
    backend = getattr(request, "param", "sqlite")
    if backend == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path / 'test.db'}"
    else:
        url = request.getfixturevalue("fresh_postgres_url")
    migrate.upgrade(url)
    asyncio.run(seed(url))
    monkeypatch.chdir(tmp_path)  # no developer's .env
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "data"))
    return url


async def seed(url: str) -> None:
    db = Database(url)
    try:
        async with db.transaction() as session:
            oakfield = await groups.create(session, name=OAKFIELD, timezone="Europe/London")
            await groups.create(session, name=HILLSIDE, timezone="America/New_York")
            for user_id, name, member, lead in PEOPLE:
                tutor = await tutor_store.create_tutor(
                    session=session,
                    telegram_user_id=user_id,
                    display_name=name,
                    timezone="Europe/London",
                    consent_version="test",
                    consented_at=utcnow(),
                )
                if member:
                    await group_store.add_member(
                        session=session, group_id=oakfield.id, tutor_id=tutor.id, is_lead=lead
                    )
    finally:
        await db.dispose()


def stored(url: str) -> list[Stored]:
    return asyncio.run(_stored(url))


async def _stored(url: str) -> list[Stored]:
    db = Database(url)
    try:
        async with db.transaction() as session:
            rows = await session.execute(
                select(Reflection, Tutor.telegram_user_id)
                .join(Tutor, Tutor.id == Reflection.tutor_id)
                .order_by(Reflection.created_at)
            )
            return [await _row(session, entry, int(user_id)) for entry, user_id in rows.all()]
    finally:
        await db.dispose()


async def _row(session: AsyncSession, entry: Reflection, user_id: int) -> Stored:
    tags = await tag_store.tags_for(session=session, reflection_id=entry.id)
    return Stored(
        user_id,
        entry.created_at,
        entry.text or "",
        str(entry.share_level),
        str(entry.source),
        str(entry.status),
        entry.chat_id,
        entry.message_id,
        frozenset(tag_store.applied_codes(tags)),
    )


def audit_rows(url: str) -> list[tuple[str, dict[str, object] | None]]:
    async def read() -> list[tuple[str, dict[str, object] | None]]:
        db = Database(url)
        try:
            async with db.transaction() as session:
                rows = await session.execute(select(AuditEvent).order_by(AuditEvent.id))
                return [(event.action, event.detail) for event in rows.scalars()]
        finally:
            await db.dispose()

    return asyncio.run(read())


def reflection_count(url: str) -> int:
    async def count() -> int:
        db = Database(url)
        try:
            async with db.transaction() as session:
                found = await session.execute(select(func.count(Reflection.id)))
                return int(found.scalar_one())
        finally:
            await db.dispose()

    return asyncio.run(count())


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["import", "whatsapp", *args])
    out, err = capsys.readouterr()
    return code, out, err


@both_backends
def test_matched_tutors_entries_keep_their_original_times(
    db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, ANDROID, "--group", OAKFIELD, *MAP_BEN)
    assert code == 0, err
    entries = stored(db_url)
    assert {(e.author, e.created_at): e.text for e in entries} == ANDROID_ENTRIES
    assert {(e.share_level, e.source, e.status, e.chat_id) for e in entries} == {
        ("group", "whatsapp", "ready", WHATSAPP_CHAT_ID)
    }
    assert not any("my son was ill" in e.text for e in entries)  # the parent never consented
    assert 'Stored 5 new reflections in "Oakfield Strings"' in out and "(0 already there)" in out
    assert "  +44 7700 900123: 1 message\n" in out
    assert "its digests leave their entries out: Ben Okafor" in out


@both_backends
def test_entries_are_tagged_and_keyed_by_the_documented_hash(
    db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(capsys, ANDROID, "--group", OAKFIELD, *MAP_BEN)[0] == 0
    tagger, entries = load_tagger(load_codebook()), stored(db_url)  # the model, when installed
    assert {e.codes for e in entries} != {frozenset()}
    for entry in entries:
        assert entry.codes == frozenset(tagger.tag(entry.text).applied), entry.text
    aisha = next(e for e in entries if e.text == AISHA_RUN)
    key = message_key(group_id=1, tutor_id=1, sent_at=datetime(2024, 6, 19, 15, 42), text=AISHA_RUN)
    assert aisha.message_id == key and 0 < key < 2**63


@both_backends
def test_unmatched_senders_are_listed_and_never_stored(
    db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, ANDROID, "--group", OAKFIELD)
    assert code == 0
    assert {e.author for e in stored(db_url)} == {AISHA, CARYS}
    assert "  Ben O 🎺: 5 messages" in out and "  +44 7700 900123: 1 message\n" in out
    assert "Stored 3 new reflections" in out


@both_backends
def test_importing_the_same_file_again_adds_nothing(
    db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(capsys, ANDROID, "--group", OAKFIELD, *MAP_BEN)[0] == 0
    first = stored(db_url)
    code, out, _ = run(capsys, ANDROID, "--group", OAKFIELD, *MAP_BEN)
    assert code == 0
    assert stored(db_url) == first
    assert "Stored 0 new reflections" in out and "(5 already there)" in out


@both_backends
def test_dry_run_stores_nothing_and_shows_what_it_would(
    db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, ANDROID, "--group", OAKFIELD, *MAP_BEN, "--dry-run")
    assert code == 0
    assert reflection_count(db_url) == 0 and audit_rows(db_url) == []
    assert out.startswith("Dry run: nothing was stored.")
    assert "Would add 5 reflections" in out and "(0 already imported)" in out
    assert "  Aisha Khan: 2\n  Ben Okafor: 2\n  carys JONES: 1\n" in out
    assert "19 Jun 2024 10:02 to 21 Jun 2024 13:05 (Europe/London)" in out
    assert "  19 Jun 2024 10:02  carys JONES: Morning all 👋" in out
    assert run(capsys, ANDROID, "--group", OAKFIELD, *MAP_BEN)[0] == 0
    again = run(capsys, ANDROID, "--group", OAKFIELD, *MAP_BEN, "--dry-run")[1]
    assert "Would add 0 reflections" in again and "(5 already imported)" in again


@both_backends
def test_an_audit_row_counts_without_words_or_names(
    db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(capsys, ANDROID, "--group", OAKFIELD, *MAP_BEN)[0] == 0
    assert audit_rows(db_url) == [
        (
            "whatsapp_import",
            {
                "group_id": 1,
                "group": OAKFIELD,
                "stored": 5,
                "already_present": 0,
                "per_tutor": {"1": 2, "2": 2, "3": 1},
                "unmatched_senders": 1,
                "unmatched_messages": 1,
                "first": "2024-06-19T09:02:00+00:00",
                "last": "2024-06-21T12:05:00+00:00",
            },
        )
    ]
    detail = json.dumps(audit_rows(db_url), ensure_ascii=False)
    assert "Samba" not in detail and "+44" not in detail


@both_backends
def test_ios_times_are_read_in_the_groups_own_zone(
    db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, IOS, "--group", "hillside brass", *MAP_BEN)
    assert code == 0
    assert [(e.author, e.created_at, e.text[:24]) for e in stored(db_url)] == [
        (AISHA, datetime(2024, 3, 19, 19, 42, 10, tzinfo=UTC), "Brass group at Hillside:"),
        (BEN, datetime(2024, 3, 20, 4, 5, 9, tzinfo=UTC), "Behaviour was hard in th"),
        (AISHA, datetime(2024, 3, 21, 12, 15, 44, tzinfo=UTC), "Plan for next week: more"),
    ]
    assert stored(db_url)[0].text.endswith("🎺✨\nThe class cheered!")
    assert "  Priya (parent): 2 messages" in out
    assert "Aisha Khan, Ben Okafor" in out  # neither is in Hillside Brass


@both_backends
def test_a_map_to_someone_not_set_up_or_an_unknown_group_stores_nothing(
    db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, ANDROID, "--group", "Nowhere")
    assert code == 1 and "no peer group called 'Nowhere'" in err
    code, _, err = run(capsys, ANDROID, "--group", OAKFIELD, "--map", "Ben O 🎺=4242")
    assert code == 1 and "nobody with Telegram user id 4242" in err
    assert err.strip().count("\n") == 0
    assert reflection_count(db_url) == 0 and audit_rows(db_url) == []


def test_a_bad_map_is_refused_by_the_parser(
    db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["import", "whatsapp", ANDROID, "--group", OAKFIELD, "--map", "Ben"])
    assert exited.value.code == 2
    assert 'expected "Name=TELEGRAM_USER_ID"' in capsys.readouterr().err


def test_a_file_that_is_not_an_export_is_one_line_and_fails(tmp_path: Path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("Shopping list\nrosin, strings\n")
    env = clean_env(tmp_path)
    for path, expected in (
        (notes, "not a WhatsApp export"),
        (tmp_path / "gone.txt", "cannot read"),
    ):
        result = reflectbot("import", "whatsapp", str(path), "--group", OAKFIELD, env=env)
        assert result.returncode == 1, result.stdout
        assert expected in result.stderr and result.stderr.strip().count("\n") == 0

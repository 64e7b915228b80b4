"""Storage queries on SQLite and PostgreSQL: idempotent inserts, ownership, cascades."""

from sqlalchemy import func, select

from bot.database import Database
from storage import reflections, tutors
from storage.base import utcnow
from storage.models import Reflection, Tutor


async def _tutor(db: Database, user_id: int = 1001) -> Tutor:
    async with db.transaction() as session:
        return await tutors.create_tutor(
            session=session,
            telegram_user_id=user_id,
            display_name="Aisha",
            timezone="Europe/London",
            consent_version="test",
            consented_at=utcnow(),
        )


async def _add(db: Database, tutor: Tutor, message_id: int, text: str) -> tuple[Reflection, bool]:
    async with db.transaction() as session:
        return await reflections.add_reflection(
            session=session,
            tutor_id=tutor.id,
            chat_id=tutor.telegram_user_id,
            message_id=message_id,
            source="text",
            share_level="private",
            text=text,
        )


async def test_same_message_twice_stores_one_reflection(database: Database) -> None:
    tutor = await _tutor(database)
    first, first_new = await _add(database, tutor, 10, "Great session with year 4")
    second, second_new = await _add(database, tutor, 10, "Great session with year 4")
    assert (first_new, second_new) == (True, False)
    assert first.id == second.id
    async with database.transaction() as session:
        assert await reflections.count_reflections(session=session, tutor_id=tutor.id) == 1


async def test_reflections_belong_to_their_author(database: Database) -> None:
    aisha, ben = await _tutor(database, 1001), await _tutor(database, 1002)
    entry, _ = await _add(database, aisha, 11, "Private thoughts")
    async with database.transaction() as session:
        assert (
            await reflections.get_reflection(
                session=session, reflection_id=entry.id, tutor_id=ben.id
            )
            is None
        )
        mine = await reflections.get_reflection(
            session=session, reflection_id=entry.id, tutor_id=aisha.id
        )
    assert mine is not None and mine.text == "Private thoughts"


async def test_recent_reflections_newest_first(database: Database) -> None:
    tutor = await _tutor(database)
    for number in range(1, 8):
        await _add(database, tutor, number, f"entry {number}")
    async with database.transaction() as session:
        recent = await reflections.recent_reflections(session=session, tutor_id=tutor.id, limit=5)
    assert [entry.text for entry in recent] == [f"entry {n}" for n in (7, 6, 5, 4, 3)]


async def test_deleting_a_tutor_erases_their_reflections(database: Database) -> None:
    tutor = await _tutor(database)
    await _add(database, tutor, 1, "to be forgotten")
    async with database.transaction() as session:
        await tutors.delete_tutor(session=session, tutor_id=tutor.id)
    async with database.transaction() as session:
        remaining = await session.scalar(select(func.count()).select_from(Reflection))
    assert remaining == 0


async def test_timestamps_come_back_timezone_aware(database: Database) -> None:
    tutor = await _tutor(database)
    await _add(database, tutor, 1, "timing")
    async with database.transaction() as session:
        loaded = await reflections.get_by_message(
            session=session, chat_id=tutor.telegram_user_id, message_id=1
        )
    assert loaded is not None and loaded.created_at.tzinfo is not None
    assert abs((utcnow() - loaded.created_at).total_seconds()) < 60

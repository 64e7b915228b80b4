"""The inbox remembers handled updates for a day, without their words, so none runs twice."""

from __future__ import annotations

from datetime import timedelta

from bot.database import Database
from storage import inbox
from storage.base import utcnow

PAYLOAD = {"update_id": 7, "message": {"text": "A tutor's words"}}


async def test_a_handled_update_sent_again_is_not_taken_twice(database: Database) -> None:
    async with database.transaction() as session:
        assert await inbox.accept(session=session, update_id=7, chat_id=1, payload=PAYLOAD)
        assert not await inbox.accept(session=session, update_id=7, chat_id=1, payload=PAYLOAD)
        await inbox.finish(session=session, update_ids=[7])
    async with database.transaction() as session:
        assert not await inbox.accept(session=session, update_id=7, chat_id=1, payload=PAYLOAD)
        assert (
            await inbox.waiting(session=session) == [] and await inbox.backlog(session=session) == 0
        )


async def test_handled_rows_keep_no_words_and_go_after_a_day(database: Database) -> None:
    async with database.transaction() as session:
        await inbox.accept(session=session, update_id=8, chat_id=1, payload=PAYLOAD)
        await inbox.accept(session=session, update_id=9, chat_id=1, payload=PAYLOAD)
        await inbox.finish(session=session, update_ids=[8])
    async with database.transaction() as session:
        [waiting] = await inbox.waiting(session=session)
        assert waiting.update_id == 9 and waiting.payload == PAYLOAD
        assert await inbox.forget_handled(session=session, before=utcnow() - timedelta(days=1)) == 0
        assert (
            await inbox.forget_handled(session=session, before=utcnow() + timedelta(seconds=1)) == 1
        )
    async with database.transaction() as session:
        assert await inbox.accept(session=session, update_id=8, chat_id=1, payload=PAYLOAD)


async def test_the_same_id_with_other_content_is_a_new_update(database: Database) -> None:
    """A sandbox started afresh numbers its updates from 1 again; those must not be dropped."""
    other = {"update_id": 7, "message": {"text": "A different message"}}
    async with database.transaction() as session:
        await inbox.accept(session=session, update_id=7, chat_id=1, payload=PAYLOAD)
        await inbox.finish(session=session, update_ids=[7])
    async with database.transaction() as session:
        assert await inbox.accept(session=session, update_id=7, chat_id=1, payload=other)
        [waiting] = await inbox.waiting(session=session)
        assert waiting.payload == other

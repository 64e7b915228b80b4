"""Which entries count as tutors' labelled examples, and that /forget takes them out of training."""

from __future__ import annotations

from bot.database import Database
from bot.services import privacy
from storage import confirmed as store
from tests.tagging.adapt_helpers import add_tutor, confirmed, corrected, unconfirmed


async def test_confirmed_and_corrected_entries_count_and_a_forgotten_tutors_do_not(
    database: Database,
) -> None:
    aisha, ben = await add_tutor(database, 101), await add_tutor(database, 202)
    [kept] = await confirmed(database, aisha, [("We sang a round.", ["musical", "social"])])
    fixed = await corrected(database, aisha, "The room was double booked.", 10, "resources")
    await unconfirmed(database, aisha, "Not looked at yet.", 11)
    await confirmed(database, ben, [("Ben's entry, confirmed.", ["personal"])])
    async with database.transaction() as session:
        assert await store.count_confirmed(session=session) == 3
        await privacy.forget(session, who=ben)
    async with database.transaction() as session:
        found = await store.confirmed_entries(session=session)
        assert await store.count_confirmed(session=session) == 2
    assert [(e.entry_id, e.text, e.codes) for e in found] == [
        (kept, "We sang a round.", frozenset({"musical", "social"})),
        (fixed, "The room was double booked.", frozenset({"social", "resources"})),
    ]

"""Weekly digests: what each copy may show, checked word by word, and /digest for leads."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update

from bot.sandbox.client import SandboxClient
from bot.sandbox.runner import Sandbox
from bot.services import digests, groups
from bot.views.digest import digest_text, outcome_chart
from storage.base import utcnow
from storage.models import Reflection, Tutor
from storage.vocabulary import ShareLevel
from tests.conftest import BACKENDS
from tests.integration.conftest import Chat, bot_says, is_bot, onboard, text_of

pytestmark = pytest.mark.parametrize("sandbox_settings", BACKENDS, indirect=True)
ENTRIES = {
    ShareLevel.PRIVATE: "Kept to myself: pickles the parrot was in the room today.",
    ShareLevel.LEAD: "For my lead: a safeguarding worry about a quiet boy, passed to the school.",
    ShareLevel.GROUP: "The samba band sang together and a shy pupil grew in confidence.",
    ShareLevel.GROUP_ANONYMOUS: "Ben here: attendance was low again but the drumming went well.",
}


async def setup_week(sandbox: Sandbox, aisha: Chat, ben: Chat) -> int:
    """Aisha leads; Ben writes one entry at each share level."""
    for tutor in (aisha, ben):
        await onboard(tutor)
    async with sandbox.app.bot_data.db.transaction() as session:
        made = await groups.create(
            session, name="Oakfield Strings", timezone="Europe/London", lead_user_ids=(1001,)
        )
    await ben.ask(f"/join {made.invite_code}")
    for level, text in ENTRIES.items():
        await ben.ask(text)
        async with sandbox.app.bot_data.db.transaction() as session:
            await session.execute(
                update(Reflection).where(Reflection.text == text).values(share_level=level)
            )
    return made.id


async def test_each_copy_shows_only_what_share_levels_allow(
    sandbox: Sandbox, aisha: Chat, ben: Chat
) -> None:
    group_id = await setup_week(sandbox, aisha, ben)
    app = sandbox.app.bot_data
    async with app.db.transaction() as session:
        week = digests.Week.containing(utcnow(), "Europe/London")
        copies = {
            lead: await digests.build(
                session, group_id=group_id, week=week, for_lead=lead, codebook=app.codebook
            )
            for lead in (False, True)
        }
    texts = {}
    for lead, digest in copies.items():
        assert digest is not None
        texts[lead] = digest_text(app.texts, app.codebook, digest, "Q?")
        assert outcome_chart(app.codebook, digest).startswith(b"\x89PNG")
    for text in texts.values():
        assert "pickles" not in text, "a private entry never reaches a digest"
        assert "samba band" in text and "— Ben" in text
        assert "attendance was low" in text and "Ben here" not in text
        assert "4 reflections from 1 of 2 members" in text
    assert "safeguarding" in texts[True] and "safeguarding" not in texts[False]
    assert "Reflected: Ben" in texts[True] and "Reflected:" not in texts[False]


async def test_a_lead_reads_the_week_so_far_and_a_tutor_cannot(
    sandbox: Sandbox, client: SandboxClient, aisha: Chat, ben: Chat
) -> None:
    await setup_week(sandbox, aisha, ben)
    mark = await aisha.say("/digest")
    digest = await aisha.wait_for(bot_says("For your next meeting"), after=mark, timeout=20)
    photos = [m for m in await client.messages(aisha.chat_id, after=mark) if "photo" in m]
    assert len(photos) == 1 and "Personal" in text_of(photos[0])
    assert "safeguarding" in text_of(digest) and "pickles" not in text_of(digest)
    refused = await ben.ask("/digest")
    assert is_bot(refused) and "not something your role can do" in text_of(refused)
    async with sandbox.app.bot_data.db.transaction() as session:
        role = (
            await session.execute(select(Tutor.role).where(Tutor.telegram_user_id == 1002))
        ).scalar()
    assert role == "tutor"


async def test_a_leads_copy_names_no_one_who_reflected_only_privately_or_anonymously(
    sandbox: Sandbox, client: SandboxClient, aisha: Chat, ben: Chat
) -> None:
    group_id = await setup_week(sandbox, aisha, ben)
    app = sandbox.app.bot_data
    hidden = {"Cara": ShareLevel.PRIVATE, "Dev": ShareLevel.GROUP_ANONYMOUS}
    for user_id, (name, level) in enumerate(hidden.items(), start=1003):
        tutor = Chat(client, user_id, name, user_id)
        await onboard(tutor)
        async with app.db.transaction() as session:
            invite = (await groups.issue_invite(session, group_id=group_id)).code
        await tutor.ask(f"/join {invite}")
        await tutor.ask(f"Only for me or unnamed: the {level.value} week went fine.")
        async with app.db.transaction() as session:
            await session.execute(
                update(Reflection)
                .where(Reflection.text.like(f"%the {level.value} week%"))
                .values(share_level=level)
            )
    async with app.db.transaction() as session:
        week = digests.Week.containing(utcnow(), "Europe/London")
        digest = await digests.build(
            session, group_id=group_id, week=week, for_lead=True, codebook=app.codebook
        )
    assert digest is not None
    text = digest_text(app.texts, app.codebook, digest, "Q?")
    assert "6 reflections from 3 of 4 members" in text
    assert "Reflected: Ben" in text
    assert "Cara" not in text and "Dev" not in text

"""Editing a message the bot kept: the entry or guided answer follows the edit, nothing else moves."""

from __future__ import annotations

from sqlalchemy import select

from bot.sandbox.client import SandboxClient
from bot.sandbox.runner import Sandbox
from storage.models import AuditEvent, ReflectionTag
from tests.integration.conftest import Chat, bot_says, onboard, stored_reflections, text_of

FIRST = "Quiet session, nothing much to report."
EDITED = "Really proud of Leo today, he played his first solo and the group cheered."


async def tags(sandbox: Sandbox) -> dict[str, ReflectionTag]:
    async with sandbox.app.bot_data.db.transaction() as session:
        rows = (await session.execute(select(ReflectionTag))).scalars().all()
    return {row.code: row for row in rows if row.applied}


async def audit_rows(sandbox: Sandbox) -> list[AuditEvent]:
    async with sandbox.app.bot_data.db.transaction() as session:
        return list((await session.execute(select(AuditEvent))).scalars().all())


async def test_an_edited_entry_is_updated_retagged_and_keeps_my_tags(
    sandbox: Sandbox, aisha: Chat, client: SandboxClient
) -> None:
    await onboard(aisha)
    sent = await aisha.say(FIRST)
    review = await aisha.reply_to(sent)
    mark = await aisha.last_message_id()
    await aisha.tap(review, "personal")  # ticked by me...
    ticked = await aisha.wait_for(lambda m: "✅ 🌱 Personal" in str(m.get("buttons")))
    await aisha.tap(ticked, "personal")  # ...and unticked by me: my choice is "not personal"
    await aisha.wait_for(
        lambda m: m["message_id"] == review["message_id"] and "✅ 🌱" not in str(m["buttons"])
    )
    await client.edit_text(aisha.user_id, sent, EDITED)
    confirmation = await aisha.wait_for(bot_says("updated"), after=mark)
    assert "tags" in text_of(confirmation)
    [entry] = await stored_reflections(sandbox)
    assert entry.text == EDITED
    expected = set(sandbox.app.bot_data.tagger.tag(EDITED).applied)
    assert "personal" in expected, "the example would be tagged personal if I had not said no"
    applied = await tags(sandbox)
    assert "personal" not in applied, "my own choice survives the re-tag"
    assert expected - {"personal"} <= set(applied), "the edited words were tagged afresh"
    [edit_audit] = [row for row in await audit_rows(sandbox) if row.action == "entry_edited"]
    assert edit_audit.detail == {"reflection_id": entry.id}, "the fact only, never the words"


async def test_an_edit_during_reflect_changes_that_answer_and_does_not_skip_ahead(
    sandbox: Sandbox, aisha: Chat, client: SandboxClient
) -> None:
    await onboard(aisha)
    await aisha.wait_for(bot_says("1/4"), after=await aisha.say("/reflect"))
    first = await aisha.say("We did scales")
    await aisha.wait_for(bot_says("2/4"), after=first)
    mark = await aisha.last_message_id()
    await client.edit_text(aisha.user_id, first, "We did scales and a new song")
    await aisha.wait_for(bot_says("updated that answer"), after=mark)
    await aisha.wait_for(bot_says("3/4"), after=await aisha.say("They loved the song"))
    [draft] = await stored_reflections(sandbox)
    answers = [part["answer"] for part in draft.parts or []]
    assert answers == ["We did scales and a new song", "They loved the song"]


async def test_editing_a_command_or_name_changes_nothing(
    sandbox: Sandbox, aisha: Chat, client: SandboxClient
) -> None:
    await onboard(aisha)
    history = await aisha.say("/history")
    await aisha.wait_for(bot_says("haven't saved any"), after=history)
    await client.edit_text(aisha.user_id, history, "This was never a reflection")
    mark = await aisha.say("/help")
    await aisha.wait_for(bot_says("here's what i can do"), after=mark)
    assert await stored_reflections(sandbox) == []

"""Issue 4 review in the chat: tag toggles, share level, done, and corrections surviving re-tagging."""

from __future__ import annotations

from sqlalchemy import select
from telegram import Update

from bot.sandbox.runner import Sandbox
from storage.models import ReflectionTag
from tests.integration.conftest import Chat, Message, onboard, stored_reflections

ENTRY = (
    "Really proud of Leo today, he played his first solo on the djembe and the group cheered. "
    "Behaviour was hard at the start though, two boys kept fighting over the drums."
)


def ticked(message: Message) -> set[str]:
    """Labels of the buttons that show a tick: the tags currently applied."""
    return {
        b["text"].removeprefix("✓ ")
        for row in message.get("buttons") or []
        for b in row
        if b["text"].startswith("✓ ")
    }


def labels(sandbox: Sandbox, codes: set[str] | tuple[str, ...]) -> set[str]:
    codebook = sandbox.app.bot_data.codebook
    return {code.label for code in codebook.codes if code.id in codes}


async def tag_rows(sandbox: Sandbox) -> dict[str, ReflectionTag]:
    async with sandbox.app.bot_data.db.transaction() as session:
        rows = (await session.execute(select(ReflectionTag))).scalars().all()
    return {row.code: row for row in rows}


async def edited(chat: Chat, message: Message, before: Message) -> Message:
    """Waits until the review message's buttons change after a tap."""

    def changed(candidate: Message) -> bool:
        same = candidate["message_id"] == message["message_id"]
        return same and candidate.get("buttons") != before.get("buttons")

    return await chat.wait_for(changed)


async def saved_entry(sandbox: Sandbox, chat: Chat, text: str) -> Message:
    await onboard(chat)
    return await chat.ask(text)


async def test_saved_entry_shows_the_taggers_codes_as_ticked_buttons(
    sandbox: Sandbox, aisha: Chat
) -> None:
    review = await saved_entry(sandbox, aisha, ENTRY)
    expected = sandbox.app.bot_data.tagger.tag(ENTRY).applied
    assert expected, "the example entry should get some tags"
    assert ticked(review) == labels(sandbox, expected)
    rows = await tag_rows(sandbox)
    assert set(rows) == set(expected) and all(
        r.source == "auto" and r.evidence for r in rows.values()
    )
    for row in rows.values():
        for start, end in row.evidence or []:
            assert 0 <= start < end <= len(ENTRY)


async def test_toggle_expand_share_and_done(sandbox: Sandbox, aisha: Chat) -> None:
    review = await saved_entry(sandbox, aisha, ENTRY)
    codebook = sandbox.app.bot_data.codebook
    first_on = next(code for code in codebook.codes if code.label in ticked(review))
    await aisha.tap(review, first_on.label)
    after = await edited(aisha, review, review)
    assert first_on.label not in ticked(after)
    await aisha.tap(after, "what got in the way")
    expanded = await edited(aisha, after, after)
    tutor_support = codebook.get("tutor_support")
    assert tutor_support is not None
    await aisha.tap(expanded, tutor_support.label)
    with_support = await edited(aisha, expanded, expanded)
    assert tutor_support.label in ticked(with_support)
    await aisha.tap(with_support, "who sees this")
    shared = await edited(aisha, with_support, with_support)
    assert "lead" in str(shared["buttons"]).lower()
    await aisha.tap(shared, "done")
    await aisha.wait_for(lambda m: m["message_id"] == review["message_id"] and not m.get("buttons"))
    [entry] = await stored_reflections(sandbox)
    rows = await tag_rows(sandbox)
    assert entry.share_level == "lead" and entry.tags_confirmed
    assert rows[first_on.id].applied is False and rows[first_on.id].source == "tutor"
    assert rows["tutor_support"].applied is True and rows["tutor_support"].source == "tutor"


async def test_tutor_choices_survive_retagging_after_a_correction(
    sandbox: Sandbox, aisha: Chat
) -> None:
    review = await saved_entry(sandbox, aisha, ENTRY)
    codebook = sandbox.app.bot_data.codebook
    removed = next(code for code in codebook.codes if code.label in ticked(review))
    await aisha.tap(review, removed.label)
    await edited(aisha, review, review)
    await aisha.tap(review, "correct")
    await aisha.wait_for(lambda m: "corrected text" in (m.get("text") or ""))
    corrected = await aisha.ask(ENTRY + " Next week I'll bring more drums.")
    assert removed.label not in ticked(corrected), "the tagger must not undo the tutor's choice"
    rows = await tag_rows(sandbox)
    assert rows[removed.id].applied is False
    [entry] = await stored_reflections(sandbox)
    assert entry.text and entry.text.endswith("more drums.")


async def test_nobody_else_can_change_my_tags(sandbox: Sandbox, aisha: Chat, ben: Chat) -> None:
    """A forged button press naming someone else's entry changes nothing."""
    review = await saved_entry(sandbox, aisha, ENTRY)
    await onboard(ben)
    own_message = await ben.ask("My own note about the recorder group")
    before = await tag_rows(sandbox)
    data = next(
        b["callback_data"] for row in review["buttons"] for b in row if b["text"].startswith("✓ ")
    )
    forged = Update.de_json(
        {
            "update_id": 99_999,
            "callback_query": {
                "id": "forged-1",
                "from": {"id": ben.user_id, "is_bot": False, "first_name": "Ben"},
                "chat_instance": "x",
                "data": data,
                "message": {
                    "message_id": own_message["message_id"],
                    "date": 1_700_000_000,
                    "chat": {"id": ben.chat_id, "type": "private", "first_name": "Ben"},
                },
            },
        },
        sandbox.app.bot,
    )
    assert forged is not None
    await sandbox.app.process_update(forged)
    after = await tag_rows(sandbox)
    assert {c: (r.applied, r.source) for c, r in after.items()} == {
        c: (r.applied, r.source) for c, r in before.items()
    }

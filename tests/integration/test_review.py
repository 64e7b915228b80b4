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
        b["text"].removeprefix("✅ ")
        for row in message.get("buttons") or []
        for b in row
        if b["text"].startswith("✅ ") and not b["text"].startswith("✅ Done")
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
        return same and (
            candidate.get("buttons") != before.get("buttons")
            or candidate.get("text") != before.get("text")
        )

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
    picker = await edited(aisha, with_support, with_support)
    await aisha.tap(picker, "me and my lead")
    shared = await edited(aisha, picker, picker)
    assert "Who sees it: 👤 me and my lead" in shared["text"]
    await aisha.tap(shared, "done")
    final = await aisha.wait_for(
        lambda m: m["message_id"] == review["message_id"] and not m.get("buttons")
    )
    assert tutor_support.label in final["text"] and "me and my lead" in final["text"]
    assert final["text"].startswith("Saved"), "the entry's own words stay above its summary"
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
        b["callback_data"] for row in review["buttons"] for b in row if b["text"].startswith("✅ ")
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


def buttons_in_order(message: Message) -> list[str]:
    return [b["text"] for row in message.get("buttons") or [] for b in row]


async def test_sharing_is_a_picker_that_asks_before_the_group_sees_my_name(
    sandbox: Sandbox, aisha: Chat
) -> None:
    review = await saved_entry(sandbox, aisha, ENTRY)
    await aisha.tap(review, "who sees this")
    picker = await edited(aisha, review, review)
    choices = buttons_in_order(picker)
    assert choices[:4] == [
        "✅ 🔒 only me",
        "👤 me and my lead",
        "🕶 my group, without my name",
        "👥 my peer group, with my name",
    ], "all four, the current one ticked, anonymous before named"
    assert "Who should see this reflection?" in picker["text"]
    await aisha.tap(picker, "with my name")
    question = await edited(aisha, picker, picker)
    assert "Share with your peer group, with your name?" in question["text"]
    [entry] = await stored_reflections(sandbox)
    assert entry.share_level == "private", "nothing changes before the tutor says yes"
    await aisha.tap(question, "no, go back")
    again = await edited(aisha, question, question)
    assert buttons_in_order(again)[0] == "✅ 🔒 only me"
    await aisha.tap(again, "with my name")
    question = await edited(aisha, again, again)
    await aisha.tap(question, "yes, share with my name")
    shared = await edited(aisha, question, question)
    assert "Who sees it: 👥 my peer group, with my name" in shared["text"]
    [entry] = await stored_reflections(sandbox)
    assert entry.share_level == "group"


async def test_narrowing_needs_no_question(sandbox: Sandbox, aisha: Chat) -> None:
    review = await saved_entry(sandbox, aisha, ENTRY)
    for label in ("who sees this", "me and my lead"):
        await aisha.tap(review, label)
        review = await edited(aisha, review, review)
    assert "Who sees it: 👤 me and my lead" in review["text"]


async def test_an_unticked_challenge_stays_in_view(sandbox: Sandbox, aisha: Chat) -> None:
    review = await saved_entry(sandbox, aisha, ENTRY)
    behaviour = next(c for c in sandbox.app.bot_data.codebook.challenges if c.id == "behaviour")
    assert behaviour.label in ticked(review)
    await aisha.tap(review, behaviour.label)
    after = await edited(aisha, review, review)
    assert f"▫️ {behaviour.label}" in buttons_in_order(after)
    assert "Challenges: none" in after["text"]
    assert "Outcomes:" in after["text"], "the groups of buttons are named in the text"


async def test_delete_asks_with_the_first_words_and_no_restores(
    sandbox: Sandbox, aisha: Chat
) -> None:
    review = await saved_entry(sandbox, aisha, ENTRY)
    await aisha.tap(review, "delete")
    question = await edited(aisha, review, review)
    assert "Delete this reflection? “Really proud of Leo today" in question["text"]
    await aisha.tap(question, "no")
    restored = await edited(aisha, question, question)
    assert "Who sees it: 🔒 only me" in restored["text"] and ticked(restored)
    assert len(await stored_reflections(sandbox)) == 1

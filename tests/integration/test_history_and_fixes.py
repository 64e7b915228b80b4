"""Entries a tutor can see and fix later: /history in words, reopening an entry, fixing a
few words of it, and a default for who sees new entries."""

from __future__ import annotations

from bot.sandbox.runner import Sandbox
from tests.integration.conftest import (
    Chat,
    bot_says,
    is_bot,
    onboard,
    stored_reflections,
    tap_and_reread,
    text_of,
)

ENTRY = "Led the warm up on the gem and the group kept a steady pulse together."


async def test_history_shows_tags_and_sharing_in_words_and_reopens_an_entry(
    sandbox: Sandbox, aisha: Chat
) -> None:
    await onboard(aisha)
    await aisha.ask(ENTRY)
    await aisha.ask("Planning was a scramble again today.")
    listing = await aisha.ask("/history")
    text = text_of(listing)
    assert "🔒 only me" in text and "private" not in text, "the wording the tutor saw"
    assert "Musical" in text or "Social" in text, "tags by name"
    [older, newer] = sorted(await stored_reflections(sandbox), key=lambda e: e.id)
    assert f"/entry_{older.id}" in text
    mark = await aisha.last_message_id()
    await aisha.tap(listing, "2")  # the second line is the older entry
    reopened = await aisha.wait_for(
        lambda m: is_bot(m) and "steady pulse" in text_of(m), after=mark
    )
    assert "Who sees it: 🔒 only me" in text_of(reopened)
    shared = await tap_and_reread(aisha, reopened, "who sees this")
    shared = await tap_and_reread(aisha, shared, "me and my lead")
    assert "Who sees it: 👤 me and my lead" in text_of(shared)
    assert (await stored_reflections(sandbox))[0].share_level in ("lead", "private")
    by_link = await aisha.ask(f"/entry_{newer.id}")
    assert "Planning was a scramble" in text_of(by_link) and by_link.get("buttons")
    assert "can't find that reflection" in text_of(await aisha.ask("/entry 999999"))


async def test_a_few_words_are_fixed_without_retyping(sandbox: Sandbox, aisha: Chat) -> None:
    await onboard(aisha)
    saved = await aisha.ask(ENTRY)
    mark = await aisha.last_message_id()
    await aisha.tap(saved, "correct")
    prompt = await aisha.wait_for(bot_says("gem → djembe"), after=mark)
    assert ENTRY in text_of(prompt), "the current words, ready to copy"
    missed = await aisha.ask("banjo → djembe")
    assert "couldn't find “banjo”" in text_of(missed)
    fixed = await aisha.ask("gem → djembe")
    assert "Updated" in text_of(fixed)
    [entry] = await stored_reflections(sandbox)
    assert entry.text == ENTRY.replace("gem", "djembe")
    mark = await aisha.last_message_id()
    await aisha.tap(fixed, "correct")
    await aisha.wait_for(bot_says("gem → djembe"), after=mark)
    await aisha.ask("s/steady pulse/steady beat/")
    [entry] = await stored_reflections(sandbox)
    assert entry.text and entry.text.endswith("a steady beat together.")
    mark = await aisha.last_message_id()
    await aisha.tap(fixed, "correct")
    await aisha.wait_for(bot_says("gem → djembe"), after=mark)
    await aisha.ask("A whole new text replaces the old one.")
    [entry] = await stored_reflections(sandbox)
    assert entry.text == "A whole new text replaces the old one."


async def test_a_default_share_level_applies_to_new_entries(sandbox: Sandbox, aisha: Chat) -> None:
    await onboard(aisha)
    settings = await aisha.ask("/settings")
    assert "New reflections start as: 🔒 only me" in text_of(settings)
    asked = await tap_and_reread(aisha, settings, "with my name")
    assert "with your name, unless you change it?" in text_of(asked)
    back = await tap_and_reread(aisha, asked, "no, go back")
    assert "start as: 🔒 only me" in text_of(back)
    chosen = await tap_and_reread(aisha, back, "me and my lead")
    assert "New reflections start as: 👤 me and my lead" in text_of(chosen)
    saved = await aisha.ask(ENTRY)
    assert "Who sees it: 👤 me and my lead" in text_of(saved)
    [entry] = await stored_reflections(sandbox)
    assert entry.share_level == "lead"

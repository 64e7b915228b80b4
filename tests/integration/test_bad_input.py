"""Awkward text on both databases: each is kept (made storable where it must be) and nobody is locked out."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.sandbox.runner import Sandbox
from storage.models import Tutor
from tests.conftest import BACKENDS
from tests.integration.conftest import Chat, bot_says, onboard, stored_reflections

CORPUS = {
    "nul": ("Leo\x00 played the\x00 drum", "Leo played the drum"),
    "control characters": ("Bell\x07 and\x1b escape", "Bell\x07 and\x1b escape"),
    "lone surrogate": ("Half an emoji \udc80 here", "Half an emoji \ufffd here"),
    "right to left": (
        "\u202eThe class sang in Arabic: مرحبا",
        "\u202eThe class sang in Arabic: مرحبا",
    ),
    "emoji only": ("🥁🎺🎻", "🥁🎺🎻"),
    "longest telegram message": ("a" * 4096, "a" * 4096),
}


pytestmark = pytest.mark.parametrize("sandbox_settings", BACKENDS, indirect=True)


@pytest.mark.parametrize("case", CORPUS)
async def test_awkward_text_is_saved_as_a_reflection(
    sandbox: Sandbox, aisha: Chat, case: str
) -> None:
    sent, kept = CORPUS[case]
    await onboard(aisha)
    await aisha.wait_for(bot_says("saved"), after=await aisha.say(sent))
    [entry] = await stored_reflections(sandbox)
    assert entry.text == kept


async def test_a_nul_in_a_guided_answer_locks_nobody_out(sandbox: Sandbox, aisha: Chat) -> None:
    """Once this failed every later message on PostgreSQL, and each was lost."""
    await onboard(aisha)
    await aisha.wait_for(bot_says("1/"), after=await aisha.say("/reflect quick"))
    await aisha.wait_for(bot_says("saved"), after=await aisha.say("Went\x00 well"))
    await aisha.wait_for(bot_says("saved"), after=await aisha.say("And a normal note after it"))
    texts = [entry.text for entry in await stored_reflections(sandbox)]
    assert texts == ["Went well", "And a normal note after it"]


async def test_a_nul_in_a_name_is_dropped(sandbox: Sandbox, aisha: Chat) -> None:
    welcome = await aisha.ask("/start")
    mark = await aisha.last_message_id()
    await aisha.tap(welcome, "yes")
    await aisha.wait_for(bot_says("i'll call you"), after=mark)
    await aisha.wait_for(bot_says("i'll call you aisha "), after=await aisha.say("Ai\x00sha"))
    async with sandbox.app.bot_data.db.transaction() as session:
        tutor = (await session.execute(select(Tutor))).scalar_one()
    assert tutor.display_name == "Aisha"
    assert await stored_reflections(sandbox) == []


async def test_a_channel_post_is_ignored(sandbox: Sandbox, aisha: Chat) -> None:
    """The bot is not for channels: a post reaching it stores nothing and answers nothing."""
    from telegram import Update

    await onboard(aisha)
    post = Update.de_json(
        {
            "update_id": 55_555,
            "channel_post": {
                "message_id": 3,
                "date": 1_700_000_000,
                "chat": {"id": -1001234, "type": "channel", "title": "Music service news"},
                "text": "Leo in year 5 had a hard week at home",
            },
        },
        sandbox.app.bot,
    )
    assert post is not None
    await sandbox.app.process_update(post)
    await aisha.wait_for(bot_says("haven't saved any"), after=await aisha.say("/history"))
    assert await stored_reflections(sandbox) == []
    assert sandbox.emulator.state.chats.get(-1001234) is None, "nothing was sent to the channel"

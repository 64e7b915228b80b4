"""The page's "Next session end" asks the real bot, through the runner's hook, when to jump to."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.sandbox.client import SandboxClient
from tests.integration.conftest import Chat, bot_says, onboard, text_of

LONDON = ZoneInfo("Europe/London")


async def test_next_prompt_is_null_without_sessions_then_the_check_in_instant(
    client: SandboxClient, aisha: Chat
) -> None:
    assert await client.next_prompt(aisha.user_id) is None  # has not even met the bot
    await client.move_clock(now=datetime(2027, 3, 22, 9, 0, tzinfo=LONDON).isoformat())  # a Monday
    await onboard(aisha)
    assert await client.next_prompt(aisha.user_id) is None  # onboarded, but no sessions
    reply = await aisha.ask("/schedule Tue 15:30 Oakfield Primary")
    assert "Added" in text_of(reply), text_of(reply)
    at = await client.next_prompt(aisha.user_id)
    assert at is not None
    # Tuesday's session ends 15:30 London; the check-in goes 20 minutes later.
    assert datetime.fromisoformat(at) == datetime(2027, 3, 23, 15, 50, tzinfo=LONDON)
    mark = await aisha.last_message_id()
    await client.move_clock(now=(datetime.fromisoformat(at) + timedelta(seconds=3)).isoformat())
    prompt = await aisha.wait_for(bot_says("has finished"), after=mark, timeout=15)
    assert "Oakfield Primary" in text_of(prompt)

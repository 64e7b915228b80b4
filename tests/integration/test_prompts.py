"""Check-ins after a tutor's own sessions, driven by the sandbox clock through the real bot.

Each test moves the clock to just before and just after the moment a prompt is due and
reads what the bot sent; the scheduler ticks every couple of seconds in the sandbox.
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.sandbox.client import SandboxClient
from bot.sandbox.runner import Sandbox
from bot.services import schedules
from bot.services.identity import resolve
from bot.settings import Settings
from tests.conftest import BACKENDS, make_settings
from tests.integration.conftest import (
    Chat,
    bot_says,
    button_data,
    is_bot,
    onboard,
    tap_and_reread,
    text_of,
)

LONDON = ZoneInfo("Europe/London")
SCHEDULER_SECONDS = 0.5
TICKS = 1.5  # three scheduler ticks
PROMPT = "has finished"


@pytest.fixture
def sandbox_settings(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    """A quicker scheduler than the sandbox's usual 2 s, so each check waits less; SQLite
    unless a test asks for PostgreSQL too."""
    url = None
    if getattr(request, "param", "sqlite") == "postgresql":
        url = request.getfixturevalue("fresh_postgres_url")
    return make_settings(
        tmp_path / "data", run_worker=False, scheduler_seconds=SCHEDULER_SECONDS, database_url=url
    )


def london(text: str) -> str:
    """A London wall-clock time as the ISO instant the clock API takes."""
    return datetime.fromisoformat(text).replace(tzinfo=LONDON).isoformat()


async def prompts_in(client: SandboxClient, chat_id: int, fragment: str = PROMPT) -> int:
    return sum(fragment in text_of(m) for m in await client.messages(chat_id) if is_bot(m))


async def set_up(client: SandboxClient, chat: Chat, line: str, *, at: str) -> None:
    """Onboards at a given London time and records one session with a typed line."""
    await client.move_clock(now=london(at))
    await onboard(chat)
    reply = await chat.ask(f"/schedule {line}")
    assert "Added" in text_of(reply), text_of(reply)


async def expect_prompts(client: SandboxClient, chat: Chat, count: int, *, at: str) -> None:
    """Moves the clock to a London time and checks how many prompts have arrived by then."""
    await client.move_clock(now=london(at))
    if count:
        deadline = asyncio.get_running_loop().time() + 15
        while await prompts_in(client, chat.chat_id) < count:
            assert asyncio.get_running_loop().time() < deadline, f"no prompt by {at}"
            await asyncio.sleep(0.3)
    await asyncio.sleep(TICKS)
    assert await prompts_in(client, chat.chat_id) == count, f"at {at}"


@pytest.mark.parametrize(
    ("line", "week_before", "times"),
    [
        # UK clocks go forward on 28 March 2027: 15:50 is 15:50Z before and 14:50Z after.
        (
            "Fri 14:30-15:30 Oakfield Primary",
            "2027-03-22T09:00",
            ("2027-03-26T15:49", "2027-03-26T15:50:30", "2027-04-02T15:49", "2027-04-02T15:50:30"),
        ),
        # They go back on 31 October 2027: 16:20 is 15:20Z before and 16:20Z after.
        (
            "Wed 16:00",
            "2027-10-25T09:00",
            ("2027-10-27T16:19", "2027-10-27T16:20:30", "2027-11-03T16:19", "2027-11-03T16:20:30"),
        ),
    ],
    ids=["spring-forward", "autumn-back"],
)
async def test_prompts_come_at_the_same_local_time_on_both_sides_of_a_clock_change(
    client: SandboxClient, aisha: Chat, line: str, week_before: str, times: tuple[str, ...]
) -> None:
    await set_up(client, aisha, line, at=week_before)
    for count, at in zip((0, 1, 1, 2), times, strict=True):
        await expect_prompts(client, aisha, count, at=at)
    prompt = [m for m in await client.messages(aisha.chat_id) if PROMPT in text_of(m)][-1]
    assert "How was today's session" in text_of(prompt)


async def test_a_check_in_names_the_session(client: SandboxClient, aisha: Chat) -> None:
    await set_up(client, aisha, "Fri 14:30-15:30 Oakfield Primary", at="2027-03-22T09:00")
    await expect_prompts(client, aisha, 1, at="2027-03-26T15:50:30")
    prompt = [m for m in await client.messages(aisha.chat_id) if PROMPT in text_of(m)][-1]
    assert "Your Oakfield Primary session has finished" in text_of(prompt)


async def test_a_paused_tutor_gets_nothing_until_the_pause_ends(
    client: SandboxClient, aisha: Chat
) -> None:
    await set_up(client, aisha, "Tue 15:30 Oakfield", at="2027-01-11T09:00")  # a Monday
    reply = await aisha.ask("/pause until 25 January")
    assert "quiet until Monday 25 January" in text_of(reply)
    await expect_prompts(client, aisha, 0, at="2027-01-12T15:51")
    await expect_prompts(client, aisha, 0, at="2027-01-19T15:51")
    await expect_prompts(client, aisha, 1, at="2027-01-26T15:51")


async def test_resume_brings_prompts_back_at_once(client: SandboxClient, aisha: Chat) -> None:
    await set_up(client, aisha, "Tue 15:30", at="2027-01-11T09:00")
    pick = await aisha.ask("/pause")
    assert "half term" in str(pick["buttons"]) and "rest of term" in str(pick["buttons"])
    paused = await tap_and_reread(aisha, pick, "1 week")
    assert "quiet until Monday 18 January" in text_of(paused)
    assert "Welcome back" in text_of(await aisha.ask("/resume"))
    await expect_prompts(client, aisha, 1, at="2027-01-12T15:51")
    assert "already on" in text_of(await aisha.ask("/resume"))


async def test_a_tutor_who_already_reflected_gets_no_prompt(
    client: SandboxClient, aisha: Chat, ben: Chat
) -> None:
    """Aisha writes after her session, Ben doesn't: only Ben is asked."""
    await set_up(client, aisha, "Thu 12:00", at="2027-02-01T09:00")
    await set_up(client, ben, "Thu 12:00", at="2027-02-01T09:05")
    await client.move_clock(now=london("2027-02-04T12:05"))
    await aisha.ask("Great session, the drumming circle finally held together.")
    await expect_prompts(client, ben, 1, at="2027-02-04T12:20:30")
    assert await prompts_in(client, aisha.chat_id) == 0


async def test_a_prompt_due_in_quiet_hours_waits_for_the_morning(
    client: SandboxClient, aisha: Chat
) -> None:
    await set_up(client, aisha, "Tue 19:30-20:45 Youth orchestra", at="2027-01-11T09:00")
    await expect_prompts(client, aisha, 0, at="2027-01-12T21:06")
    await expect_prompts(client, aisha, 0, at="2027-01-13T06:59")
    await expect_prompts(client, aisha, 1, at="2027-01-13T07:00:30")


async def test_a_daily_reminder_replaces_session_prompts(
    client: SandboxClient, aisha: Chat
) -> None:
    await set_up(client, aisha, "Mon 15:00", at="2027-01-11T09:00")
    week = await tap_and_reread(aisha, await aisha.ask("/schedule"), "once a day")
    assert "once a day, at 6pm" in text_of(week)
    await expect_prompts(client, aisha, 0, at="2027-01-11T15:30")
    await client.move_clock(now=london("2027-01-11T18:00:30"))
    await aisha.wait_for(bot_says("today's teaching"), timeout=15)
    assert await prompts_in(client, aisha.chat_id) == 0


async def test_the_week_is_built_and_pruned_with_buttons(
    client: SandboxClient, aisha: Chat
) -> None:
    await client.move_clock(now=london("2027-01-11T09:00"))
    await onboard(aisha)
    week = await aisha.ask("/schedule")
    assert "No sessions yet" in text_of(week)
    for label in ("add a session", "tue", "15:…", "15:30"):
        week = await tap_and_reread(aisha, week, label)
    assert "Added: Tue until 15:30" in text_of(week)
    assert "• Tue until 15:30" in text_of(week)
    stale = await aisha.ask("/schedule")  # the same week, shown again further down
    week = await tap_and_reread(aisha, week, "🗑")
    assert "Removed: Tue until 15:30" in text_of(week) and "No sessions yet" in text_of(week)
    stale = await tap_and_reread(aisha, stale, "🗑")
    assert "already gone" in text_of(stale) and "No sessions yet" in text_of(stale)
    await expect_prompts(client, aisha, 0, at="2027-01-12T15:51")


async def test_a_line_the_bot_cannot_read_gets_an_example(aisha: Chat) -> None:
    await onboard(aisha)
    reply = await aisha.ask("/schedule sometime after lunch")
    assert "/schedule Tue 15:30 Oakfield Primary" in text_of(reply)
    assert "couldn't read that date" in text_of(await aisha.ask("/pause until the cows come home"))


async def test_nobody_can_remove_someone_elses_session(
    sandbox: Sandbox, client: SandboxClient, aisha: Chat, ben: Chat
) -> None:
    """A forged button carrying another tutor's session id changes nothing."""
    await set_up(client, aisha, "Tue 15:30 Oakfield", at="2027-01-11T09:00")
    await onboard(ben)
    session_id = int(button_data(await aisha.ask("/schedule"), "🗑").split(":")[2])
    async with sandbox.app.bot_data.db.transaction() as session:
        bens = await resolve(session, telegram_user_id=ben.user_id)
        assert bens is not None
        assert await schedules.remove(session, who=bens, session_id=session_id) is None
    assert "Tue until 15:30 · Oakfield" in text_of(await aisha.ask("/schedule"))


@pytest.mark.parametrize("sandbox_settings", BACKENDS, indirect=True)
async def test_senders_racing_each_other_send_a_check_in_once(
    sandbox: Sandbox, client: SandboxClient, aisha: Chat
) -> None:
    """As if a second bot process were started by mistake: four ticks at once, beside the
    bot's own, plan and claim the same check-in; exactly one goes."""
    await set_up(client, aisha, "Tue 15:30", at="2027-01-11T09:00")
    sender = sandbox.app.bot_data.scheduled_sender
    assert sender is not None
    await client.move_clock(now=london("2027-01-12T15:50:30"))
    sent = await asyncio.gather(*(sender.tick() for _ in range(4)))
    await expect_prompts(client, aisha, 1, at="2027-01-12T15:51")
    assert sum(sent) <= 1

"""Digests go out on their day and time, once, whatever Telegram or a restart does.

The sandbox clock is moved to just after the digest time; the bot's scheduler notices within
seconds, because the database, not a timer, says what is due."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.application import build_application
from bot.sandbox.client import SandboxClient
from bot.sandbox.runner import _polling, running_emulator, sandbox_settings
from bot.services import digest_schedule, groups
from bot.settings import Settings
from storage import clock, migrate
from storage.base import utcnow
from storage.models import PeerGroup
from tests.conftest import make_settings
from tests.integration.conftest import Chat, is_bot, onboard, tap_and_reread, text_of

GROUP_CHAT = -100777
BOT_TIMEOUT = 1.5
QUIET = 3.0  # three scheduler ticks


def next_monday_and_friday() -> tuple[datetime, datetime]:
    """Next week's Monday morning and its Friday 16:00 (the default digest time), London time."""
    group = PeerGroup(timezone="Europe/London", digest_weekday=4, digest_minute=16 * 60)
    friday = digest_schedule.last_due(group, utcnow()) + timedelta(days=7)
    return friday - timedelta(days=4, hours=6), friday


@contextlib.asynccontextmanager
async def bot_on(settings: Settings) -> AsyncIterator[None]:
    """One bot process's life, against an emulator that outlives it."""
    async with _polling(build_application(settings)):
        yield


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[tuple[SandboxClient, Settings, Any]]:
    base = make_settings(
        tmp_path / "data",
        run_worker=False,
        scheduler_seconds=1.0,
        delivery_retry_seconds=0.5,
        telegram_timeout_seconds=BOT_TIMEOUT,
    )
    base.data_dir.mkdir(parents=True)
    await migrate.upgrade_async(base.resolved_database_url)
    async with running_emulator(tmp_path / "emulator") as (emulator, url):
        settings = sandbox_settings(base, url, {1004})
        real = clock.use(emulator.state.clock)
        try:
            async with SandboxClient(url) as client:
                yield client, settings, emulator
        finally:
            clock.use(real)


async def make_group(client: SandboxClient, settings: Settings, *, linked: bool) -> None:
    """Aisha leads Oakfield Strings, Ben writes one shared entry next Monday."""
    from bot.database import Database

    aisha, ben = Chat(client, 1001, "Aisha", 1001), Chat(client, 1002, "Ben", 1002)
    for tutor in (aisha, ben):
        await onboard(tutor)
    db = Database(settings.resolved_database_url)
    async with db.transaction() as session:
        made = await groups.create(
            session, name="Oakfield Strings", timezone="Europe/London", lead_user_ids=(1001,)
        )
        if linked:
            await groups.store.link_chat(session=session, group_id=made.id, chat_id=GROUP_CHAT)
    await db.dispose()
    if linked:
        await client.create_group(GROUP_CHAT, "Oakfield tutors", [1001, 1002])
    await ben.ask(f"/join {made.invite_code}")
    monday, _ = next_monday_and_friday()
    await client.move_clock(now=monday.isoformat())
    saved = await ben.ask("The samba band sang together and a shy pupil grew in confidence.")
    for label in ("who sees this", "with my name", "yes, share with my name"):
        saved = await tap_and_reread(ben, saved, label)
    assert "Who sees it: 👥 my peer group, with my name" in text_of(saved)


async def digests_in(client: SandboxClient, chat_id: int) -> tuple[int, int]:
    """(charts, digest texts) the bot has sent to a chat."""
    messages = [m for m in await client.messages(chat_id) if is_bot(m)]
    charts = sum("photo" in m for m in messages)
    texts = sum("For your next meeting" in text_of(m) for m in messages)
    return charts, texts


async def test_a_linked_group_gets_its_digest_once_and_the_lead_their_own_copy(world: Any) -> None:
    client, settings, _ = world
    async with bot_on(settings):
        await make_group(client, settings, linked=True)
        _, friday = next_monday_and_friday()
        await client.move_clock(now=(friday + timedelta(seconds=2)).isoformat())
        await client.wait_for(
            GROUP_CHAT, lambda m: "For your next meeting" in text_of(m), timeout=15
        )
        await asyncio.sleep(QUIET)
        assert await digests_in(client, GROUP_CHAT) == (1, 1)
        assert await digests_in(client, 1001) == (1, 1), "the lead's own copy, privately"
        assert await digests_in(client, 1002) == (0, 0), "members read it in the group chat"
        group_copy = [m for m in await client.messages(GROUP_CHAT) if "meeting" in text_of(m)]
        assert "samba band" in text_of(group_copy[0]) and "Reflected:" not in text_of(group_copy[0])


FAULTS: dict[str, dict[str, Any]] = {
    "flood": {"error_code": 429, "retry_after": 1},
    "bad gateway": {"error_code": 502},
    "timeout": {"delay": BOT_TIMEOUT + 0.8},  # Telegram took it, and answered too late
}


@pytest.mark.parametrize("method", ["sendMessage", "sendPhoto"])
@pytest.mark.parametrize("fault", FAULTS)
async def test_every_digest_arrives_once_through_telegram_errors(
    world: Any, method: str, fault: str
) -> None:
    client, settings, _ = world
    async with bot_on(settings):
        await make_group(client, settings, linked=False)
        _, friday = next_monday_and_friday()
        await client.fault(method, count=2, **FAULTS[fault])
        await client.move_clock(now=(friday + timedelta(seconds=2)).isoformat())
        for chat in (1001, 1002):
            await client.wait_for(chat, lambda m: "For your next meeting" in text_of(m), timeout=20)
        await asyncio.sleep(QUIET)
        assert await digests_in(client, 1001) == (1, 1)
        assert await digests_in(client, 1002) == (1, 1)


async def test_a_restart_between_digest_time_and_its_send_sends_it_once(world: Any) -> None:
    client, settings, emulator = world
    async with bot_on(settings):
        await make_group(client, settings, linked=False)
        _, friday = next_monday_and_friday()
        await client.fault("sendMessage", 502, count=1000)  # charts go, texts keep failing
        await client.move_clock(now=(friday + timedelta(seconds=2)).isoformat())
        await client.wait_for(1001, lambda m: "photo" in m, timeout=15)
        await asyncio.sleep(2)
    emulator.state.faults.clear()  # Telegram is well again
    async with bot_on(settings):  # the bot is back, hours later
        await client.move_clock(advance_seconds=3 * 3600)
        for chat in (1001, 1002):
            await client.wait_for(chat, lambda m: "For your next meeting" in text_of(m), timeout=20)
        await asyncio.sleep(QUIET)
    assert await digests_in(client, 1001) == (1, 1), "no second chart after the restart"
    assert await digests_in(client, 1002) == (1, 1)


async def test_a_digest_more_than_a_day_late_is_skipped(world: Any) -> None:
    client, settings, _ = world
    await make_group_offline(client, settings)
    _, friday = next_monday_and_friday()
    await client.move_clock(now=(friday + timedelta(days=1, hours=1)).isoformat())
    async with bot_on(settings):
        await asyncio.sleep(QUIET)
    assert await digests_in(client, 1001) == (0, 0)


async def make_group_offline(client: SandboxClient, settings: Settings) -> None:
    async with bot_on(settings):
        await make_group(client, settings, linked=False)


async def test_a_digest_queued_by_hand_goes_once_however_often_it_is_asked_for(
    world: Any,
) -> None:
    from bot.database import Database
    from bot.services import digests

    client, settings, _ = world
    async with bot_on(settings):
        await make_group(client, settings, linked=False)
        db = Database(settings.resolved_database_url)
        for _ in range(2):  # `reflectbot digest` run twice by mistake
            async with db.transaction() as session:
                group = await groups.by_name(session, name="Oakfield Strings")
                assert group is not None
                week = digests.Week.containing(utcnow(), group.timezone)
                await digest_schedule.plan_now(session, group=group, week=week, now=utcnow())
        await db.dispose()
        for chat in (1001, 1002):
            await client.wait_for(chat, lambda m: "For your next meeting" in text_of(m), timeout=15)
        await asyncio.sleep(QUIET)
    assert await digests_in(client, 1001) == (1, 1)
    assert await digests_in(client, 1002) == (1, 1)

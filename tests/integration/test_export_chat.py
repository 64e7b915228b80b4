"""/export in the chat: a coordinator picks a format and a period and gets the file; nobody
else can, and every export leaves an audit row. Reflection retention and /privacy too."""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from bot.sandbox.client import SandboxClient
from bot.sandbox.runner import Sandbox, running_sandbox
from bot.services import demo, retention
from storage.base import utcnow
from storage.models import AuditEvent, Reflection
from tests.conftest import BACKENDS, make_settings
from tests.integration.conftest import (
    Chat,
    Message,
    bot_says,
    is_bot,
    onboard,
    tap_and_reread,
    text_of,
)

BOTH = pytest.mark.parametrize("sandbox_settings", BACKENDS, indirect=True)


async def seed_this_week(sandbox: Sandbox) -> None:
    state = sandbox.app.bot_data
    monday = demo.start_of_week("Europe/London", utcnow())
    async with state.db.transaction() as session:
        await demo.seed_week(session, tagger=state.tagger, monday=monday, until=utcnow())


async def audits(sandbox: Sandbox) -> list[AuditEvent]:
    async with sandbox.app.bot_data.db.transaction() as session:
        return list((await session.execute(select(AuditEvent))).scalars().all())


async def export_offer(client: SandboxClient) -> tuple[Chat, Message]:
    """Dev, the coordinator, set up and asking for an export."""
    dev = Chat(client, 1004, "Dev", 1004)
    await onboard(dev)
    return dev, await dev.ask("/export")


@BOTH
async def test_a_coordinator_gets_the_workbook_as_a_document(
    sandbox: Sandbox, client: SandboxClient
) -> None:
    await seed_this_week(sandbox)
    dev, offer = await export_offer(client)
    assert "Private entries are never included" in text_of(offer)
    periods = await tap_and_reread(dev, offer, "Excel workbook")
    mark = await dev.last_message_id()
    status = await tap_and_reread(dev, periods, "Everything")
    assert "Preparing" in text_of(status) or "exported" in text_of(status)
    sent = await dev.wait_for(lambda m: is_bot(m) and bool(m.get("document")), after=mark)
    assert sent["document"]["file_name"].endswith(".xlsx")
    assert "Pseudonymised" in text_of(sent)
    book = load_workbook(io.BytesIO(await client.download(sent["document"]["url"])))
    texts = [cell.value for cell in book["Reflections"]["I"]]
    assert len(texts) == 1 + 8, "a header and the eight shared entries"
    assert not any("Tired today" in str(t) for t in texts), "the private entry stays out"
    (audit,) = [a for a in await audits(sandbox) if a.action == "export"]
    assert audit.actor_telegram_id == 1004 and audit.detail is not None
    assert audit.detail["entries"] == 8 and audit.detail["format"] == "xlsx"
    await dev.wait_for(bot_says("8 reflections exported"))


@BOTH
async def test_an_empty_period_says_so_and_sends_nothing(
    sandbox: Sandbox, client: SandboxClient
) -> None:
    dev, offer = await export_offer(client)
    periods = await tap_and_reread(dev, offer, "CSV")
    done = await tap_and_reread(dev, periods, "last 30 days")
    if "Preparing" in text_of(done):
        done = await dev.wait_for(bot_says("nothing to send"))
    assert "nothing to send" in text_of(done)
    assert not any(m.get("document") for m in await client.messages(dev.chat_id))
    assert [a.detail["entries"] for a in await audits(sandbox) if a.action == "export"] == [0]


@BOTH
async def test_old_reflections_are_purged_and_counted(
    sandbox: Sandbox, client: SandboxClient
) -> None:
    await seed_this_week(sandbox)
    db = sandbox.app.bot_data.db
    async with db.transaction() as session:
        entries = (await session.execute(select(Reflection).order_by(Reflection.id))).scalars()
        for number, entry in enumerate(entries):
            if number < 3:
                entry.created_at = utcnow() - timedelta(days=400)
    purged = await retention.purge(db, days=365, now=utcnow())
    assert purged.entries == 3
    async with db.transaction() as session:
        left = await session.scalar(select(func.count()).select_from(Reflection))
    assert left == 6
    again = await retention.purge(db, days=365, now=utcnow())
    assert again.entries == 0
    counts = [a.detail["entries"] for a in await audits(sandbox) if a.action == "retention_purge"]
    assert counts == [3, 0]


async def test_privacy_is_explained_to_anyone(client: SandboxClient) -> None:
    stranger = Chat(client, 9001, "Sam", 9001)
    answer = text_of(await stranger.ask("/privacy"))
    assert "Only me: nobody else" in answer and "/forget" in answer
    assert "kept until you delete them" in answer


async def test_a_retention_limit_is_explained_and_purged_daily(tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "data", run_worker=False, reflection_retention_days=730)
    async with running_sandbox(settings) as running, SandboxClient(running.url) as client:
        answer = text_of(await Chat(client, 9001, "Sam", 9001).ask("/privacy"))
        assert "deleted automatically after 730 days" in answer
        assert running.app.job_queue is not None
        (job,) = running.app.job_queue.get_jobs_by_name("retention")
        assert job.job.trigger.interval.days == 1

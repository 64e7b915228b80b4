"""`GET /healthz` beside the bot: the database, the inbox, the queue and the workers' heartbeat."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from bot.database import Database
from bot.health import report
from bot.sandbox.runner import Sandbox, running_sandbox
from bot.transcription import Transcriber
from tests.conftest import BACKENDS, make_settings

pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(params=BACKENDS)
async def healthy(
    request: pytest.FixtureRequest, tmp_path: Path, fast_transcriber: Transcriber
) -> AsyncIterator[tuple[Sandbox, str]]:
    port = free_port()
    extra = {}
    if request.param == "postgresql":
        extra["database_url"] = request.getfixturevalue("fresh_postgres_url")
    settings = make_settings(tmp_path / "data", health_port=port, worker_poll_seconds=0.2, **extra)
    async with running_sandbox(settings, transcriber=fast_transcriber) as sandbox:
        yield sandbox, f"http://127.0.0.1:{port}/healthz"


async def test_healthz_reports_the_database_the_backlog_and_a_live_worker(
    healthy: tuple[Sandbox, str],
) -> None:
    sandbox, url = healthy
    worker = sandbox.app.bot_data.worker
    assert worker is not None
    async with aiohttp.ClientSession() as http:
        for _ in range(50):  # the worker's first heartbeat follows its model load
            async with http.get(url) as response:
                body = await response.json()
            if body["workers_alive"]:
                break
            await asyncio.sleep(0.1)
    assert response.status == 200
    assert body["status"] == "ok" and body["database"] == "ok"
    assert body["inbox_backlog"] == 0 and body["transcription_queue"] == 0
    assert body["workers_alive"] == [worker.worker_id]


async def test_an_unreachable_database_is_a_503() -> None:
    db = Database("postgresql+asyncpg://nobody@127.0.0.1:1/reflectbot")
    try:
        status, body = await report(db)
    finally:
        await db.dispose()
    assert status == 503 and body == {"status": "down", "database": "unreachable"}

"""Runs the emulator and the real bot side by side, for people trying it and for tests."""

from __future__ import annotations

import asyncio
import contextlib
import errno
import logging
import os
import signal
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from aiohttp import web
from pydantic import SecretStr

from bot.application import build_application
from bot.sandbox import membership
from bot.sandbox.emulator import BotApiEmulator
from bot.sandbox.state import SandboxState
from bot.services import demo as demo_week
from bot.services import schedules
from bot.settings import SANDBOX_TOKEN, Settings
from bot.state import BotApplication
from bot.transcription.base import Transcriber
from storage import clock, migrate

logger = logging.getLogger(__name__)

DEMO_CHAT_ID = -1_001_000_000_001
DEMO_CHAT_TITLE = "Oakfield Strings reflective practice"


@dataclass
class Sandbox:
    """A running sandbox: where to find it and the parts tests may inspect."""

    url: str
    emulator: BotApiEmulator
    app: BotApplication
    settings: Settings
    demo: demo_week.Demo | None = None


def sandbox_settings(settings: Settings, url: str, coordinator_ids: set[int]) -> Settings:
    """Points the bot at the emulator; the sandbox's coordinator persona gets that role."""
    return settings.model_copy(
        update={
            "telegram_api_url": url,
            "telegram_bot_token": SecretStr(SANDBOX_TOKEN),
            "coordinator_ids": settings.coordinator_ids | coordinator_ids,
            # Time travel should show its effect within seconds.
            "scheduler_seconds": min(settings.scheduler_seconds, 2.0),
        }
    )


class CannotListen(Exception):
    """The address is taken or not ours to use; the CLI says so in one line, not a traceback."""

    def __init__(self, host: str, port: int, error: OSError) -> None:
        self.host, self.port = host, port
        self.in_use = error.errno == errno.EADDRINUSE
        code = error.errno or 0  # getaddrinfo's codes are negative, with their own text
        self.reason = (os.strerror(code) if code > 0 else error.strerror or str(error)).lower()
        super().__init__(f"cannot listen on {host}:{port}: {self.reason}")


def next_free_port(host: str, after: int, tries: int = 50) -> int | None:
    """The first port above `after` that `host` can listen on now, to suggest instead."""
    for port in range(after + 1, min(after + 1 + tries, 65536)):
        with socket.socket() as probe:
            try:
                probe.bind((host, port))
            except OSError:
                continue
            return port
    return None


@contextlib.asynccontextmanager
async def running_emulator(
    storage_dir: Path, *, host: str = "127.0.0.1", port: int = 0
) -> AsyncIterator[tuple[BotApiEmulator, str]]:
    """The Bot API emulator and its web chat, listening; yields it and its base URL."""
    emulator = BotApiEmulator(token=SANDBOX_TOKEN, storage_dir=storage_dir)
    runner = web.AppRunner(emulator.web_app(), access_log=None)
    await runner.setup()
    try:
        await web.TCPSite(runner, host, port).start()
    except OSError as error:
        await runner.cleanup()
        raise CannotListen(host, port, error) from error
    try:
        yield emulator, f"http://{host}:{_bound_port(runner)}"
    finally:
        await runner.cleanup()


@contextlib.asynccontextmanager
async def running_sandbox(
    settings: Settings,
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    transcriber: Transcriber | None = None,
    demo: bool = False,
) -> AsyncIterator[Sandbox]:
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    async with running_emulator(settings.data_dir / "sandbox", host=host, port=port) as (
        emulator,
        url,
    ):
        # Migrations run once the port is ours, so a busy port is one line, not a screenful.
        await migrate.upgrade_async(settings.resolved_database_url)
        coordinators = {p.id for p in emulator.people if p.role == "coordinator"}
        bot_settings = sandbox_settings(settings, url, coordinators)
        real_clock = clock.use(emulator.state.clock)
        try:
            async with _polling(build_application(bot_settings, transcriber=transcriber)) as app:
                _answer_next_prompt(app, emulator.state)
                made = await _seed_demo(app, emulator.state) if demo else None
                yield Sandbox(url=url, emulator=emulator, app=app, settings=bot_settings, demo=made)
        finally:
            clock.use(real_clock)


async def _seed_demo(app: BotApplication, state: SandboxState) -> demo_week.Demo:
    """The demo week, once per data dir; the emulator forgets chats, so they are made each start."""
    async with app.bot_data.db.transaction() as session:
        made = await demo_week.seed(session, tagger=app.bot_data.tagger, chat_id=DEMO_CHAT_ID)
    people = [user_id for user_id, _, _ in demo_week.PEOPLE] + [demo_week.COORDINATOR[0]]
    for user_id in people:  # they set up with the bot earlier, so it may write to them
        state.meet(user_id)
        state.chats.open_private(user_id)
    if state.chats.get(made.chat_id) is None:  # made after the link, so the bot stays quiet
        await membership.create_group(
            state, chat_id=made.chat_id, title=DEMO_CHAT_TITLE, member_ids=people
        )
    if made.seeded:  # made before the digest, so its first send finds the chat
        async with app.bot_data.db.transaction() as session:
            await demo_week.queue_digest(session, group_id=made.group_id)
    return made


def _answer_next_prompt(app: BotApplication, state: SandboxState) -> None:
    """Lets the page's "Next session end" ask the bot when a person's next check-in goes."""

    async def next_prompt(user_id: int) -> datetime | None:
        async with app.bot_data.db.transaction() as session:
            return await schedules.next_prompt_at(
                session, telegram_user_id=user_id, now=clock.now(), rules=app.bot_data.prompt_rules
            )

    state.next_prompt = next_prompt


def demo_lines(made: demo_week.Demo) -> list[str]:
    """Who is who, for the person who just started the demo."""
    lines = [
        f'Demo: Carys leads "{demo_week.GROUP_NAME}" with Aisha and Ben; Dev is the coordinator. '
        f'Their group chat "{DEMO_CHAT_TITLE}" is linked.'
    ]
    if made.seeded:
        lines.append(
            "This week's digest is on its way to the group chat and to Carys; as Carys, "
            "send /digest to see the lead's copy again."
        )
    else:
        lines.append(
            "The demo week was seeded on an earlier start and is kept as it was; "
            "as Carys, send /digest for the week so far."
        )
    return lines


@contextlib.asynccontextmanager
async def _polling(app: BotApplication) -> AsyncIterator[BotApplication]:
    """The same lifecycle as `run_polling`, but inside an event loop we already own."""
    assert app.updater is not None and app.post_init and app.post_shutdown
    await app.initialize()
    await app.post_init(app)
    try:
        await app.updater.start_polling(poll_interval=0.0, timeout=10)
        await app.start()
        try:
            yield app
        finally:
            await app.updater.stop()
            await app.stop()
    finally:
        await app.shutdown()
        await app.post_shutdown(app)


def _bound_port(runner: web.AppRunner) -> int:
    """The real port, which matters when the caller asked for port 0."""
    for address in runner.addresses:
        return int(address[1])
    raise RuntimeError("sandbox is not listening")


async def serve_sandbox(settings: Settings, *, host: str, port: int, demo: bool = False) -> None:
    """The `reflectbot sandbox` command: serve until Ctrl-C."""
    stop = _stop_on_signals()
    async with running_sandbox(settings, host=host, port=port, demo=demo) as sandbox:
        print(f"Sandbox web chat: {sandbox.url}/", flush=True)
        for line in demo_lines(sandbox.demo) if sandbox.demo else []:
            print(line, flush=True)
        print("Press Ctrl-C to stop.", flush=True)
        await stop.wait()


async def serve_emulator(settings: Settings, *, host: str, port: int) -> None:
    """`reflectbot sandbox --emulator-only`: a local Telegram for a bot started separately."""
    stop = _stop_on_signals()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    async with running_emulator(settings.data_dir / "sandbox", host=host, port=port) as (_, url):
        print(f"Bot API URL: {url}", flush=True)
        print("Bot token (the next line):", flush=True)
        print(SANDBOX_TOKEN, flush=True)
        print(f"Web chat: {url}/", flush=True)
        print(
            f"Start the bot with TELEGRAM_API_URL={url} TELEGRAM_BOT_TOKEN=<the token> "
            "reflectbot run. Press Ctrl-C to stop.",
            flush=True,
        )
        await stop.wait()


def _stop_on_signals() -> asyncio.Event:
    """Ctrl-C or a polite kill ends the serve loop, so shutdown runs in order."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    return stop

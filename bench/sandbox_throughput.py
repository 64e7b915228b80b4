"""Text reflections per second through the sandbox, beside a bare PTB echo bot on the same emulator.

Run by hand:  .venv/bin/python bench/sandbox_throughput.py --tutors 20 --messages 25
Both bots poll the same kind of emulator in this process with the same load, so the ratio says
what our handlers, database writes and per-chat ordering cost on top of PTB itself.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import tempfile
import time
from collections.abc import AsyncIterator
from pathlib import Path

from aiohttp import web
from telegram import Update
from telegram.ext import Application, ContextTypes, MessageHandler, filters

from bot.sandbox.client import SandboxClient
from bot.sandbox.emulator import BotApiEmulator
from bot.sandbox.runner import running_sandbox
from bot.settings import SANDBOX_TOKEN, load_settings

FIRST_USER_ID = 50_000


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_message and update.effective_message.text
    await update.effective_message.reply_text(update.effective_message.text)


@contextlib.asynccontextmanager
async def echo_bot() -> AsyncIterator[str]:
    """The baseline: an emulator and the smallest PTB bot that answers every message."""
    with tempfile.TemporaryDirectory() as scratch:
        emulator = BotApiEmulator(token=SANDBOX_TOKEN, storage_dir=Path(scratch))
        emulator.state.flood.limits = None  # measure the bots, not Telegram's limits
        runner = web.AppRunner(emulator.web_app(), access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        url = f"http://127.0.0.1:{runner.addresses[0][1]}"
        app = (
            Application.builder()
            .token(SANDBOX_TOKEN)
            .base_url(f"{url}/bot")
            .base_file_url(f"{url}/file/bot")
            .concurrent_updates(64)
            .build()
        )
        app.add_handler(MessageHandler(filters.TEXT, echo))
        async with app:
            await app.start()
            assert app.updater is not None
            await app.updater.start_polling(poll_interval=0.0, timeout=10)
            yield url
            await app.updater.stop()
            await app.stop()
        await runner.cleanup()


@contextlib.asynccontextmanager
async def reflection_bot(database_url: str | None = None) -> AsyncIterator[str]:
    """Our bot on a fresh SQLite file, or on an empty PostgreSQL database you name."""
    with tempfile.TemporaryDirectory() as scratch:
        database = {"database_url": database_url} if database_url else {}
        settings = load_settings(
            _env_file=None, data_dir=Path(scratch), run_worker=False, rate_limit=False, **database
        )
        async with running_sandbox(settings) as sandbox:
            sandbox.emulator.state.flood.limits = None
            yield sandbox.url


async def onboard(client: SandboxClient, user_id: int) -> None:
    sent = await client.send_text(user_id, "/start", first_name=f"Tutor{user_id}")
    welcome = await client.wait_for_reply(user_id, after=sent["message_id"])
    if not _has_button(welcome, "onb:consent"):
        return  # onboarded in an earlier run on the same PostgreSQL database
    for label in ("consent", "ok"):  # agree, then "That's right" to the name and zone
        message = await client.wait_for(
            user_id, lambda m, step=label: _has_button(m, f"onb:{step}")
        )
        await client.tap(user_id, user_id, message["message_id"], f"onb:{label}")
    await client.wait_for(user_id, lambda m: "all set" in (m.get("text") or "").lower())


def _has_button(message: dict[str, object], data: str) -> bool:
    rows = message.get("buttons") or []
    return any(button["callback_data"] == data for row in rows for button in row)  # type: ignore[union-attr, index]


async def one_tutor(client: SandboxClient, user_id: int, messages: int) -> None:
    """Sends, waits for the bot's answer, sends the next: how a real person types."""
    for number in range(messages):
        sent = await client.send_text(user_id, f"Reflection {number}: the group kept the pulse.")
        await client.wait_for(
            user_id, lambda m: bool(m["from"]["is_bot"]), after=sent["message_id"], timeout=60
        )


async def measure(url: str, tutors: int, messages: int, needs_onboarding: bool) -> float:
    async with SandboxClient(url) as client:
        users = [FIRST_USER_ID + n for n in range(tutors)]
        if needs_onboarding:
            await asyncio.gather(*(onboard(client, user) for user in users))
        started = time.perf_counter()
        await asyncio.gather(*(one_tutor(client, user, messages) for user in users))
        return tutors * messages / (time.perf_counter() - started)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tutors", type=int, default=20)
    parser.add_argument("--messages", type=int, default=25)
    parser.add_argument(
        "--database-url", help="a PostgreSQL database to use instead of a fresh SQLite file"
    )
    args = parser.parse_args()
    async with echo_bot() as url:
        baseline = await measure(url, args.tutors, args.messages, needs_onboarding=False)
    async with reflection_bot(args.database_url) as url:
        ours = await measure(url, args.tutors, args.messages, needs_onboarding=True)
    print(f"{args.tutors} concurrent tutors x {args.messages} text messages each")
    print(f"{'bare PTB echo bot':<28}{baseline:>10.1f} messages/s")
    database = "PostgreSQL" if args.database_url else "SQLite"
    print(f"{f'reflectbot ({database})':<28}{ours:>10.1f} reflections/s")
    print(f"{'ratio ours / echo':<28}{ours / baseline:>10.2f}")


if __name__ == "__main__":
    asyncio.run(main())

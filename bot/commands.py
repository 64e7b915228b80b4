"""Core subcommands: run (real Telegram), sandbox, worker and db."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from typing import TYPE_CHECKING, Any

import asyncpg
from sqlalchemy.exc import SQLAlchemyError
from telegram.error import InvalidToken

from bot.logs import QuietAbout
from bot.settings import Settings, SettingsError
from storage import migrate

if TYPE_CHECKING:
    from bot.sandbox.runner import CannotListen

logger = logging.getLogger(__name__)

SANDBOX_HOST = "127.0.0.1"
SANDBOX_PORT = 8080

REJECTED_TOKEN = (
    "TELEGRAM_BOT_TOKEN: Telegram rejected this token; copy it again from @BotFather "
    "(or send /revoke there for a new one)"
)


def add_core_commands(subparsers: Any) -> None:
    run = subparsers.add_parser(
        "run", help="run the bot against Telegram (needs TELEGRAM_BOT_TOKEN)"
    )
    run.add_argument(
        "--webhook",
        metavar="URL",
        help="receive updates at this public HTTPS URL instead of long polling",
    )
    run.add_argument("--listen", default="0.0.0.0", help="webhook: address to listen on")
    run.add_argument("--port", type=int, default=8443, help="webhook: port to listen on")
    run.set_defaults(handler=run_bot)

    sandbox = subparsers.add_parser(
        "sandbox", help="try the bot in a local web chat, no Telegram needed"
    )
    sandbox.add_argument(
        "--host", default=SANDBOX_HOST, help="address the web chat and local Bot API listen on"
    )
    sandbox.add_argument(
        "--port", type=int, default=SANDBOX_PORT, help="port to listen on; 0 picks a free one"
    )
    only_one = sandbox.add_mutually_exclusive_group()
    only_one.add_argument(
        "--emulator-only",
        action="store_true",
        help="run only the local Telegram (Bot API and web chat) for a bot started separately",
    )
    only_one.add_argument(
        "--demo",
        action="store_true",
        help="seed a week of a peer group (Carys leads Aisha and Ben; Dev coordinates) "
        "with its group chat linked and a digest ready, once per data directory",
    )
    sandbox.set_defaults(handler=run_sandbox)

    worker = subparsers.add_parser(
        "worker", help="run a transcription worker (extra machines share PostgreSQL's queue)"
    )
    worker.set_defaults(handler=run_worker)

    db = subparsers.add_parser("db", help="database migrations")
    db_commands = db.add_subparsers(dest="db_command", required=True, metavar="ACTION")
    upgrade = db_commands.add_parser("upgrade", help="apply migrations (default: to the newest)")
    upgrade.add_argument("revision", nargs="?", default="head", help="revision to migrate to")
    upgrade.set_defaults(handler=db_upgrade)
    downgrade = db_commands.add_parser("downgrade", help="step migrations back")
    downgrade.add_argument("revision", help="revision to step back to, e.g. -1, 0009 or base")
    downgrade.set_defaults(handler=db_downgrade)


def run_bot(args: argparse.Namespace, settings: Settings) -> int:
    """Long-polls Telegram; migrations run first so a fresh database just works."""
    from bot.application import build_application

    settings.bot_token()
    prepare_database(settings)
    logging.getLogger("telegram.ext").addFilter(QuietAbout(InvalidToken))
    app = build_application(settings)
    try:
        if args.webhook:
            from bot.webhook import serve_webhook

            asyncio.run(serve_webhook(app, url=args.webhook, listen=args.listen, port=args.port))
        else:
            app.run_polling(drop_pending_updates=False, bootstrap_retries=-1)
    except InvalidToken:
        raise SettingsError(REJECTED_TOKEN) from None
    return 0


def run_sandbox(args: argparse.Namespace, settings: Settings) -> int:
    from bot.sandbox.runner import CannotListen, serve_emulator, serve_sandbox

    try:
        if args.emulator_only:
            asyncio.run(serve_emulator(settings, host=args.host, port=args.port))
        else:
            asyncio.run(serve_sandbox(settings, host=args.host, port=args.port, demo=args.demo))
    except CannotListen as error:
        print(_listen_advice(args, error), file=sys.stderr)
        return 1
    return 0


def _listen_advice(args: argparse.Namespace, error: CannotListen) -> str:
    """What went wrong and the same command on a port that is free now."""
    from bot.sandbox.runner import next_free_port

    if error.in_use:
        problem, host, after = f"Port {error.port} is already in use.", args.host, error.port
    else:
        problem = f"Cannot listen on {error.host}:{error.port} ({error.reason})."
        host, after = SANDBOX_HOST, SANDBOX_PORT - 1
    flags = ["--emulator-only"] if args.emulator_only else ["--demo"] if args.demo else []
    if host != SANDBOX_HOST:
        flags.append(f"--host {host}")
    flags.append(f"--port {next_free_port(host, after) or SANDBOX_PORT}")
    return f"{problem} Try: reflectbot sandbox {' '.join(flags)}"


def run_worker(args: argparse.Namespace, settings: Settings) -> int:
    from bot.worker.standalone import serve_worker

    settings.bot_token()
    prepare_database(settings)
    asyncio.run(serve_worker(settings))
    return 0


def db_upgrade(args: argparse.Namespace, settings: Settings) -> int:
    prepare_database(settings, revision=args.revision)
    print(f"Database is at revision {args.revision}.")
    return 0


def db_downgrade(args: argparse.Namespace, settings: Settings) -> int:
    migrate.downgrade(settings.resolved_database_url, args.revision)
    print(f"Database downgraded to {args.revision}.")
    return 0


def prepare_database(settings: Settings, revision: str = "head") -> None:
    """Makes the data directory for SQLite, then migrates; a database we cannot open is one line."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    try:
        migrate.upgrade(settings.resolved_database_url, revision)
    except (OSError, SQLAlchemyError, asyncpg.PostgresError) as error:
        raise SettingsError(f"DATABASE_URL: cannot open the database ({_reason(error)})") from None


def _reason(error: BaseException) -> str:
    """The first line of what went wrong, never the URL (it may hold a password)."""
    cause = getattr(error, "orig", None) or error
    first_line = (str(cause).strip().splitlines() or [""])[0]
    return f"{type(cause).__name__}: {first_line}"[:200]

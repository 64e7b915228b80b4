"""The `reflectbot` command line: run, sandbox, worker, db, transcribe, tag."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable, Sequence

from bot.logs import configure_logging
from bot.settings import Settings, SettingsError, load_settings

logger = logging.getLogger(__name__)

Handler = Callable[[argparse.Namespace, Settings], int]


def build_parser() -> argparse.ArgumentParser:
    """One parser; each area adds its own subcommand so this file stays a table of contents."""
    from bot.commands import add_core_commands
    from bot.digest_cli import add_digest_command
    from bot.export_cli import add_export_command
    from bot.group_cli import add_group_command
    from bot.import_cli import add_import_command
    from bot.tagging.cli import add_tag_command
    from bot.transcription.cli import add_transcribe_command

    parser = argparse.ArgumentParser(
        prog="reflectbot", description="Reflective-practice bot for music tutors."
    )
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    add_core_commands(subparsers)
    add_group_command(subparsers)
    add_digest_command(subparsers)
    add_import_command(subparsers)
    add_export_command(subparsers)
    add_transcribe_command(subparsers)
    add_tag_command(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = load_settings()
        token = settings.telegram_bot_token
        configure_logging(settings.log_level, secrets=[token.get_secret_value()] if token else [])
        handler: Handler = args.handler
        return handler(args, settings)
    except SettingsError as error:
        print(f"Configuration error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130

"""The `reflectbot` command line: run, sandbox, worker, db, transcribe, tag, tagger."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, cast

from bot.logs import configure_logging
from bot.settings import Settings, SettingsError, load_settings

logger = logging.getLogger(__name__)

Handler = Callable[[argparse.Namespace, Settings], int]

if TYPE_CHECKING:
    _SubcommandsBase = argparse._SubParsersAction[argparse.ArgumentParser]
else:
    _SubcommandsBase = argparse._SubParsersAction


class _DefaultsShown(argparse.HelpFormatter):
    """Adds "(default: X)" where an option has a default worth naming and its help has none."""

    def _get_help_string(self, action: argparse.Action) -> str | None:
        help_text = action.help or ""
        default = action.default
        unset = default is None or default is False or default in ([], "", argparse.SUPPRESS)
        may_leave_out = action.option_strings or action.nargs in ("?", "*")
        if unset or not may_leave_out or "default" in help_text:
            return help_text
        return f"{help_text} (default: %(default)s)".strip()


class _Subcommands(_SubcommandsBase):
    """A subcommand's own --help opens with the line the command list shows for it."""

    def add_parser(self, name: str, **kwargs: Any) -> argparse.ArgumentParser:
        summary = kwargs.get("help")
        if summary and not kwargs.get("description"):
            kwargs["description"] = summary[0].upper() + summary[1:] + "."
        return super().add_parser(name, **kwargs)


class _Parser(argparse.ArgumentParser):
    """Every parser and subparser shows defaults and describes itself."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", _DefaultsShown)
        super().__init__(*args, **kwargs)
        self.register("action", "parsers", _Subcommands)


def build_parser() -> argparse.ArgumentParser:
    """One parser; each area adds its own subcommand so this file stays a table of contents."""
    from bot.commands import add_core_commands
    from bot.digest_cli import add_digest_command
    from bot.export_cli import add_export_command
    from bot.group_cli import add_group_command
    from bot.import_cli import add_import_command
    from bot.tagging.adapt_cli import add_tagger_command
    from bot.tagging.cli import add_tag_command
    from bot.transcription.cli import add_transcribe_command

    parser = _Parser(
        prog="reflectbot",
        description="Reflective-practice bot for music tutors.",
        epilog="Run 'reflectbot COMMAND --help' for a command's options.",
    )
    subparsers = cast(  # each area's subcommands only need a plain ArgumentParser
        "argparse._SubParsersAction[argparse.ArgumentParser]",
        parser.add_subparsers(dest="command", required=True, metavar="COMMAND"),
    )
    add_core_commands(subparsers)
    add_group_command(subparsers)
    add_digest_command(subparsers)
    add_import_command(subparsers)
    add_export_command(subparsers)
    add_transcribe_command(subparsers)
    add_tag_command(subparsers)
    add_tagger_command(subparsers)
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

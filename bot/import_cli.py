"""`reflectbot import whatsapp`: a WhatsApp group's exported chat brought in as reflections."""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from bot.database import Database
from bot.imports.whatsapp import ChatExport, ExportError, read_export
from bot.services import whatsapp_import
from bot.services.entries import preview
from bot.services.whatsapp_import import ImportPlan, ImportProblem, Outcome
from bot.settings import Settings
from bot.tagging.adapt_files import live_tagger
from bot.tagging.codebook import load_codebook

PREVIEWS = 3
MAP_FORMAT = '"Name=TELEGRAM_USER_ID"'


def add_import_command(subparsers: Any) -> None:
    command = subparsers.add_parser("import", help="bring in reflections written elsewhere")
    sources = command.add_subparsers(dest="import_command", required=True, metavar="SOURCE")
    whatsapp = sources.add_parser(
        "whatsapp", help="a WhatsApp group's exported chat (.txt), as group-shared reflections"
    )
    whatsapp.add_argument("chat", type=Path, metavar="CHAT.txt", help='the "Export chat" file')
    whatsapp.add_argument("--group", required=True, metavar="NAME", help="the peer group's name")
    whatsapp.add_argument(
        "--map",
        type=name_to_user,
        action="append",
        default=[],
        metavar=MAP_FORMAT,
        help="whose WhatsApp name this is, when it differs from their name in the bot (repeatable)",
    )
    whatsapp.add_argument(
        "--dry-run", action="store_true", help="show what would be stored and store nothing"
    )
    whatsapp.set_defaults(handler=import_whatsapp)


def name_to_user(value: str) -> tuple[str, int]:
    """One --map value; the name may itself hold '=', the id after the last one may not."""
    name, _, user_id = value.rpartition("=")
    if not name.strip() or not user_id.strip().lstrip("-").isdigit():
        raise argparse.ArgumentTypeError(f"expected {MAP_FORMAT}, got {value!r}")
    return name.strip(), int(user_id)


def import_whatsapp(args: argparse.Namespace, settings: Settings) -> int:
    """Reads the file before touching the database, so a wrong path fails at once."""
    from bot.commands import prepare_database

    try:
        chat = read_export(args.chat)
        prepare_database(settings)
        lines = asyncio.run(_import(settings, chat, args))
    except (ExportError, ImportProblem) as error:
        print(f"reflectbot import whatsapp: {error}", file=sys.stderr)
        return 1
    print("\n".join(lines))
    return 0


async def _import(settings: Settings, chat: ChatExport, args: argparse.Namespace) -> list[str]:
    db = Database(settings.resolved_database_url)
    try:
        async with db.transaction() as session:
            plan = await whatsapp_import.plan(
                session, export=chat, group_name=args.group, names=dict(args.map)
            )
            if args.dry_run:
                present = await whatsapp_import.already_stored(session, plan=plan)
                return dry_run_lines(chat, plan, present)
            tagger = live_tagger(load_codebook(), settings.data_dir)
            outcome = await whatsapp_import.store(session, plan=plan, tagger=tagger)
            return stored_lines(plan, outcome)
    finally:
        await db.dispose()


def dry_run_lines(chat: ChatExport, plan: ImportPlan, present: int) -> list[str]:
    """The coordinator's own check before storing: counts, dates and a glimpse of entries."""
    read = (
        f"Read {len(chat.messages)} messages from an {chat.layout} export "
        f"({chat.date_order} dates; {chat.notices} WhatsApp notices left out)."
    )
    glimpses = [
        f"  {local(entry.created_at, plan.timezone)}  {entry.author}: {preview(entry.text, 60)}"
        for entry in plan.entries[:PREVIEWS]
    ]
    return [
        "Dry run: nothing was stored.",
        read,
        f'Would add {len(plan.entries) - present} reflections to "{plan.group_name}", '
        f"shared with the group ({present} already imported){span_text(plan)}:",
        *per_author_lines(plan),
        *(["First entries:", *glimpses] if glimpses else []),
        *left_out_lines(plan),
    ]


def stored_lines(plan: ImportPlan, outcome: Outcome) -> list[str]:
    return [
        f'Stored {outcome.stored} new reflections in "{plan.group_name}", shared with the group '
        f"({outcome.already} already there){span_text(plan)}:",
        *per_author_lines(plan),
        *left_out_lines(plan),
    ]


def per_author_lines(plan: ImportPlan) -> list[str]:
    return [f"  {author}: {count}" for author, count in plan.per_author().items()]


def left_out_lines(plan: ImportPlan) -> list[str]:
    """Who was skipped and why, so a missed tutor can be mapped and the file imported again."""
    lines: list[str] = []
    if plan.unmatched:
        lines.append("Skipped, not matched to anyone who has set up the bot (nothing stored):")
        lines += [f"  {name}: {messages(count)}" for name, count in sorted(plan.unmatched.items())]
        lines.append(f"To match someone whose WhatsApp name differs: --map {MAP_FORMAT}")
    if plan.outside_group:
        lines.append(
            f'Not members of "{plan.group_name}", so its digests leave their entries out: '
            + ", ".join(plan.outside_group)
        )
    return lines


def messages(count: int) -> str:
    return f"{count} message" if count == 1 else f"{count} messages"


def span_text(plan: ImportPlan) -> str:
    span = plan.span()
    if span is None:
        return ""
    first, last = (local(moment, plan.timezone) for moment in span)
    return f", {first} to {last} ({plan.timezone})"


def local(moment: datetime, timezone: str) -> str:
    return moment.astimezone(ZoneInfo(timezone)).strftime("%d %b %Y %H:%M")

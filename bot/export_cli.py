"""`reflectbot export`: shared reflections to CSV, XLSX, JSON Lines or a REFI-QDA project."""

from __future__ import annotations

import argparse
import asyncio
from datetime import date
from pathlib import Path
from typing import Any

from bot.database import Database
from bot.exports.run import ExportError, ExportRequest, export
from bot.settings import Settings, SettingsError
from bot.tagging.codebook import load_codebook
from storage.vocabulary import ExportFormat


def add_export_command(subparsers: Any) -> None:
    command = subparsers.add_parser(
        "export",
        help="export shared reflections for evaluation (never private ones); audited",
    )
    command.add_argument(
        "--format",
        required=True,
        choices=[f.value for f in ExportFormat],
        help="csv for Excel/NVivo/ATLAS.ti, xlsx for Excel, jsonl for scripts, "
        "qdpx for NVivo/ATLAS.ti/MAXQDA/QualCoder",
    )
    command.add_argument("--out", required=True, type=Path, metavar="PATH", help="file to write")
    command.add_argument(
        "--from", dest="first_day", type=_day, metavar="DATE", help="first day, YYYY-MM-DD"
    )
    command.add_argument(
        "--to", dest="last_day", type=_day, metavar="DATE", help="last day, YYYY-MM-DD"
    )
    command.add_argument("--group", metavar="NAME", help="only this peer group's members")
    command.add_argument("--code", metavar="CODE", help="only entries tagged with this code")
    command.add_argument(
        "--include-names",
        action="store_true",
        help="add tutors' names beside their pseudonyms (recorded in the audit log)",
    )
    command.set_defaults(handler=run_export)


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date like 2026-09-01") from None


def run_export(args: argparse.Namespace, settings: Settings) -> int:
    from bot.commands import prepare_database

    request = ExportRequest(
        format=ExportFormat(args.format),
        first_day=args.first_day,
        last_day=args.last_day,
        group=args.group,
        code=args.code,
        include_names=args.include_names,
    )
    prepare_database(settings)
    try:
        count = asyncio.run(_export(settings, request, args.out))
    except ExportError as error:
        raise SettingsError(str(error)) from None
    print(f"Exported {count} reflections to {args.out}")
    return 0


async def _export(settings: Settings, request: ExportRequest, out: Path) -> int:
    db = Database(settings.resolved_database_url)
    try:
        return await export(
            db,
            request=request,
            path=out,
            codebook=load_codebook(),
            actor_telegram_id=None,
            timezone=settings.default_timezone,
        )
    finally:
        await db.dispose()

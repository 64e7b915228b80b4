"""`reflectbot digest`: one group's digest for one week, printed (and its chart saved)."""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path
from typing import Any

from bot.database import Database
from bot.services import digest_schedule, digests, groups
from bot.services.digest_questions import load_digest_questions
from bot.settings import Settings, SettingsError
from bot.tagging.codebook import load_codebook
from bot.views.digest import digest_text, outcome_chart
from bot.views.texts import load_texts
from storage.base import utcnow


def add_digest_command(subparsers: Any) -> None:
    digest = subparsers.add_parser("digest", help="render a peer group's weekly digest")
    digest.add_argument("--group", required=True, metavar="NAME", help="the group's name")
    digest.add_argument(
        "--week", metavar="YYYY-Www", help="ISO week, e.g. 2026-W47 (default: this week)"
    )
    digest.add_argument(
        "--dry-run",
        action="store_true",
        help="print the group's copy and send nothing (otherwise the running bot sends it)",
    )
    digest.add_argument("--png", type=Path, metavar="PATH", help="also save the chart here")
    digest.set_defaults(handler=render_digest)


def render_digest(args: argparse.Namespace, settings: Settings) -> int:
    from bot.commands import prepare_database

    week = _week(args.week)
    prepare_database(settings)
    text, chart, queued = asyncio.run(_render(settings, args.group, week, send=not args.dry_run))
    if args.png:
        args.png.write_bytes(chart)
    print(text)
    if not args.dry_run:
        print(
            f"Queued {queued} copies; the bot sends them within {settings.scheduler_seconds:g}s "
            "of running (a copy already queued for that week is not sent twice)."
        )
    return 0


def _week(value: str | None) -> digests.Week | None:
    try:
        return digests.Week.parse(value) if value else None
    except ValueError as error:
        raise SettingsError(f"--week: {error}") from None


async def _render(
    settings: Settings, name: str, week: digests.Week | None, *, send: bool
) -> tuple[str, bytes, int]:
    codebook = load_codebook()
    db = Database(settings.resolved_database_url)
    try:
        async with db.transaction() as session:
            group = await groups.by_name(session, name=name)
            if group is None:
                raise SettingsError(
                    f"--group: no peer group called {name!r} (see: reflectbot group list)"
                )
            chosen = week or digests.Week.containing(utcnow(), group.timezone)
            digest = await digests.build(
                session, group_id=group.id, week=chosen, for_lead=False, codebook=codebook
            )
            queued = (
                await digest_schedule.plan_now(session, group=group, week=chosen, now=utcnow())
                if send
                else 0
            )
    finally:
        await db.dispose()
    assert digest is not None
    question = load_digest_questions(codebook).for_challenge(digests.main_challenge(digest))
    return (
        digest_text(load_texts(), codebook, digest, question),
        outcome_chart(codebook, digest),
        queued,
    )

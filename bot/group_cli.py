"""`reflectbot group create|list`: peer groups from the command line, for scripted setups."""

from __future__ import annotations

import argparse
import asyncio
import json
from typing import Any

from bot.database import Database
from bot.services import groups
from bot.services.onboarding import known_timezone
from bot.settings import Settings, SettingsError


def add_group_command(subparsers: Any) -> None:
    group = subparsers.add_parser("group", help="create and list peer groups")
    actions = group.add_subparsers(dest="group_command", required=True, metavar="ACTION")
    create = actions.add_parser("create", help="make a peer group and print its invite code")
    create.add_argument("name", help='the group\'s name, e.g. "Oakfield Strings"')
    create.add_argument(
        "--lead",
        type=int,
        action="append",
        default=[],
        metavar="TELEGRAM_USER_ID",
        help="make this person lead (repeatable); someone not yet set up becomes lead on joining",
    )
    create.add_argument("--timezone", help="the group's time zone (default: DEFAULT_TIMEZONE)")
    create.add_argument("--json", action="store_true", help="end with one JSON line")
    create.set_defaults(handler=create_group)
    listing = actions.add_parser("list", help="every peer group with its invite code")
    listing.add_argument("--json", action="store_true", help="one JSON line per group")
    listing.set_defaults(handler=list_groups)


def create_group(args: argparse.Namespace, settings: Settings) -> int:
    from bot.commands import prepare_database

    name = groups.clean_name(args.name)
    if not name:
        raise SettingsError("NAME: give the group a name")
    timezone = known_timezone(args.timezone) if args.timezone else settings.default_timezone
    if timezone is None:
        raise SettingsError(f"--timezone: unknown time zone {args.timezone!r} (try Europe/London)")
    prepare_database(settings)
    made = asyncio.run(_create(settings, name, timezone, tuple(args.lead)))
    if args.json:
        print(json.dumps({"id": made.id, "name": made.name, "invite_code": made.invite_code}))
    else:
        print(f'Created "{made.name}" (id {made.id}). Invite code: {made.invite_code}')
    return 0


async def _create(
    settings: Settings, name: str, timezone: str, leads: tuple[int, ...]
) -> groups.NewGroup:
    db = Database(settings.resolved_database_url)
    try:
        async with db.transaction() as session:
            return await groups.create(session, name=name, timezone=timezone, lead_user_ids=leads)
    finally:
        await db.dispose()


def list_groups(args: argparse.Namespace, settings: Settings) -> int:
    from bot.commands import prepare_database

    prepare_database(settings)
    rows = asyncio.run(_rows(settings))
    for row in rows:
        if args.json:
            print(json.dumps(row))
        else:
            code = row["invite_code"] or "no working code"
            print(f"{row['id']:>4}  {row['name']}  ({row['members']} members, {code})")
    if not rows and not args.json:
        print("No peer groups yet: reflectbot group create NAME")
    return 0


async def _rows(settings: Settings) -> list[dict[str, Any]]:
    db = Database(settings.resolved_database_url)
    try:
        async with db.transaction() as session:
            return await groups.summaries(session)
    finally:
        await db.dispose()

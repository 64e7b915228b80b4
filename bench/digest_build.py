"""Digest building at scale: 200 groups of 25 tutors, 10,000 reflections in one week.

Run by hand:  .venv/bin/python bench/digest_build.py
              .venv/bin/python bench/digest_build.py --database-url postgresql://postgres@127.0.0.1:5432/digestbench

Seeds the rows in bulk (not timed), then times three things in one run: one bare SQL query
that reads the same rows as every digest together (the floor), building every group's digest
(queries and assembly), and rendering their charts. Peak memory is the process's high-water
mark (ru_maxrss), so it includes Python, SQLAlchemy and matplotlib themselves.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import resource
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from sqlalchemy import insert, select, text

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.database import Database
from bot.services import digests
from bot.tagging.codebook import load_codebook
from bot.views.digest import outcome_chart
from storage import migrate
from storage.base import utcnow
from storage.models import Membership, PeerGroup, Reflection, ReflectionTag, Tutor
from storage.vocabulary import ReflectionStatus, ShareLevel

SHARE_LEVELS = list(ShareLevel)
CHALLENGES = ["attendance", "behaviour", "engagement", "resources", "planning"]


async def seed(
    db: Database, groups: int, per_group: int, reflections: int, week: digests.Week
) -> None:
    rng = random.Random(47)
    start, _ = week.bounds("Europe/London")
    now = utcnow()
    async with db.transaction() as session:
        await session.execute(
            insert(PeerGroup),
            [
                {
                    "id": g + 1,
                    "name": f"Group {g + 1}",
                    "timezone": "Europe/London",
                    "created_at": now,
                    "digest_weekday": 4,
                    "digest_minute": 960,
                }
                for g in range(groups)
            ],
        )
        tutors = groups * per_group
        await session.execute(
            insert(Tutor),
            [
                {
                    "id": t + 1,
                    "telegram_user_id": 10_000 + t,
                    "display_name": f"Tutor {t + 1}",
                    "pseudonym": f"T{t + 1:05d}",
                    "timezone": "Europe/London",
                    "role": "tutor",
                    "onboarding_step": "done",
                    "default_share_level": "private",
                    "consent_version": "x",
                    "consented_at": now,
                    "created_at": now,
                }
                for t in range(tutors)
            ],
        )
        await session.execute(
            insert(Membership),
            [
                {
                    "group_id": t // per_group + 1,
                    "tutor_id": t + 1,
                    "is_lead": t % per_group == 0,
                    "joined_at": now,
                }
                for t in range(tutors)
            ],
        )
        await session.execute(
            insert(Reflection),
            [
                {
                    "id": r + 1,
                    "tutor_id": rng.randrange(tutors) + 1,
                    "source": "text",
                    "status": ReflectionStatus.READY,
                    "share_level": rng.choice(SHARE_LEVELS),
                    "text": "The group kept time together and a quiet pupil led the call and response. "
                    * 3,
                    "chat_id": 1,
                    "message_id": r + 1,
                    "tags_confirmed": False,
                    "created_at": start + timedelta(seconds=rng.randrange(5 * 24 * 3600)),
                    "updated_at": now,
                }
                for r in range(reflections)
            ],
        )
        await session.execute(
            insert(ReflectionTag),
            [
                {
                    "reflection_id": r + 1,
                    "code": code,
                    "kind": kind,
                    "applied": True,
                    "source": "auto",
                }
                for r in range(reflections)
                for code, kind in (
                    (rng.choice(["personal", "social", "musical"]), "outcome"),
                    (rng.choice(CHALLENGES), "challenge"),
                )
            ],
        )


async def refresh_statistics(db: Database) -> None:
    """What autovacuum would have done by the time a week of entries had arrived."""
    async with db.engine.connect() as connection:
        autocommit = await connection.execution_options(isolation_level="AUTOCOMMIT")
        await autocommit.execute(text("ANALYZE"))


async def floor_query(db: Database, week: digests.Week) -> tuple[float, int]:
    start, end = week.bounds("Europe/London")
    began = time.perf_counter()
    async with db.transaction() as session:
        rows = (
            await session.execute(
                select(
                    Reflection.id,
                    Reflection.tutor_id,
                    Reflection.share_level,
                    Reflection.text,
                    Tutor.display_name,
                    Membership.group_id,
                    ReflectionTag.code,
                )
                .join(Tutor, Tutor.id == Reflection.tutor_id)
                .join(Membership, Membership.tutor_id == Reflection.tutor_id)
                .outerjoin(ReflectionTag, ReflectionTag.reflection_id == Reflection.id)
                .where(Reflection.created_at >= start, Reflection.created_at < end)
            )
        ).all()
    return time.perf_counter() - began, len(rows)


async def build_all(
    db: Database, groups: int, week: digests.Week
) -> tuple[float, list[digests.Digest]]:
    codebook = load_codebook()
    began = time.perf_counter()
    built = []
    async with db.transaction() as session:
        for group_id in range(1, groups + 1):
            digest = await digests.build(
                session, group_id=group_id, week=week, for_lead=False, codebook=codebook
            )
            assert digest is not None
            built.append(digest)
    return time.perf_counter() - began, built


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--groups", type=int, default=200)
    parser.add_argument("--tutors-per-group", type=int, default=25)
    parser.add_argument("--reflections", type=int, default=10_000)
    parser.add_argument(
        "--database-url", help="an empty PostgreSQL database (default: SQLite in a temp dir)"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        url = args.database_url or f"sqlite+aiosqlite:///{Path(scratch) / 'bench.db'}"
        await migrate.upgrade_async(url)
        db = Database(url)
        week = digests.Week.containing(utcnow(), "Europe/London")
        await seed(db, args.groups, args.tutors_per_group, args.reflections, week)
        await refresh_statistics(db)
        floor, rows = await floor_query(db, week)
        build, built = await build_all(db, args.groups, week)
        codebook = load_codebook()
        began = time.perf_counter()
        charts = [outcome_chart(codebook, digest) for digest in built]
        chart_time = time.perf_counter() - began
        await db.dispose()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"{args.groups} groups x {args.tutors_per_group} tutors, {args.reflections} reflections this week"
    )
    print(f"floor: one query reading the same rows   {floor:7.2f} s  ({rows} rows)")
    print(
        f"building every digest (no charts)        {build:7.2f} s  ({build / floor:.1f}x the floor)"
    )
    print(f"rendering {len(charts)} charts                     {chart_time:7.2f} s")
    print(f"total                                    {build + chart_time:7.2f} s")
    print(f"peak memory (whole process)              {peak_mb:7.0f} MB")


if __name__ == "__main__":
    asyncio.run(main())

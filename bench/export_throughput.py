"""Exports at scale: 10,000 and 100,000 reflections to each format, beside the floor.

Run by hand:  .venv/bin/python bench/export_throughput.py
              .venv/bin/python bench/export_throughput.py --counts 10000 --database-url postgresql://postgres@127.0.0.1:5432/exportbench

Seeds the rows in bulk (not timed), then exports each format in its own process, so each
peak memory (ru_maxrss, which includes Python and the libraries themselves) is its own. The
floor is a bare `csv.writer` over a streamed query of the same rows. Prints one line per
count and format: seconds, the ratio to the floor, and peak memory.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import select, text

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bot.database import Database
from bot.exports.run import ExportRequest, export
from bot.services import digests
from bot.tagging.codebook import load_codebook
from storage import migrate
from storage.base import utcnow
from storage.models import Reflection, Tutor
from storage.vocabulary import ExportFormat, ReflectionStatus, ShareLevel

MODES = ("floor", *(kind.value for kind in ExportFormat))


async def floor(db: Database, out: Path) -> int:
    """The least any CSV export could do: stream the rows and write them."""
    count = 0
    async with db.engine.connect() as connection:
        rows = await connection.stream(
            select(Reflection.id, Tutor.pseudonym, Reflection.created_at, Reflection.text)
            .join(Tutor, Tutor.id == Reflection.tutor_id)
            .where(
                Reflection.share_level != ShareLevel.PRIVATE,
                Reflection.status == ReflectionStatus.READY,
            )
            .order_by(Reflection.id)
            .execution_options(yield_per=1000)
        )
        with out.open("w", encoding="utf-8-sig", newline="") as file:
            writer = csv.writer(file)
            async for row in rows:
                writer.writerow(row)
                count += 1
    return count


async def measure(mode: str, url: str, out: Path) -> dict[str, float]:
    db = Database(url)
    codebook = load_codebook()  # read once at start-up, as the bot does
    began = time.perf_counter()
    if mode == "floor":
        count = await floor(db, out / "floor.csv")
    else:
        request = ExportRequest(format=ExportFormat(mode))
        count = await export(
            db,
            request=request,
            path=out / f"export.{mode}",
            codebook=codebook,
            actor_telegram_id=None,
            timezone="Europe/London",
        )
    seconds = time.perf_counter() - began
    await db.dispose()
    peak_mb = high_water_mb()
    return {"seconds": seconds, "peak_mb": peak_mb, "count": count}


def high_water_mb() -> float:
    """This process's peak resident memory; unlike ru_maxrss it starts afresh at exec, so the
    seeding parent's size does not leak into the children's figures."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc/self/status")


async def prepare(url: str, count: int) -> None:
    from digest_build import refresh_statistics, seed

    await migrate.upgrade_async(url)
    db = Database(url)
    await seed(db, 40, 25, count, digests.Week.containing(utcnow(), "Europe/London"))
    await refresh_statistics(db)
    await db.dispose()


def run_child(mode: str, url: str, out: Path) -> dict[str, float]:
    done = subprocess.run(
        [sys.executable, __file__, "--measure", mode, "--database-url", url, "--out", str(out)],
        check=True,
        capture_output=True,
        text=True,
    )
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


async def reset_postgres(url: str) -> None:
    db = Database(url)
    async with db.engine.connect() as connection:
        autocommit = await connection.execution_options(isolation_level="AUTOCOMMIT")
        await autocommit.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    await db.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--counts", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--database-url", help="an empty PostgreSQL database (default: SQLite)")
    parser.add_argument("--measure", choices=MODES, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(asyncio.run(measure(args.measure, args.database_url, args.out))))
        return
    print(f"{'entries':>8} {'format':>6} {'seconds':>8} {'x floor':>8} {'peak MB':>8}")
    for count in args.counts:
        with tempfile.TemporaryDirectory() as scratch:
            url = args.database_url or f"sqlite+aiosqlite:///{Path(scratch) / 'bench.db'}"
            if args.database_url:
                asyncio.run(reset_postgres(url))
            asyncio.run(prepare(url, count))
            results = {mode: run_child(mode, url, Path(scratch)) for mode in MODES}
        base = results["floor"]["seconds"]
        for mode, result in results.items():
            print(
                f"{count:>8} {mode:>6} {result['seconds']:>8.2f} "
                f"{result['seconds'] / base:>8.1f} {result['peak_mb']:>8.0f}"
                f"   ({int(result['count'])} exported)"
            )


if __name__ == "__main__":
    main()

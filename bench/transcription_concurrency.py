"""Throughput for 10 voice notes arriving at once: TRANSCRIPTION_CONCURRENCY 1 vs 2, threads 1 vs 2.

Run by hand from the repository root:

    .venv/bin/python -m bench.transcription_concurrency [--notes 10] [--seconds 30] [--rounds 2]
        [--profile fast|balanced|accurate] [--settings 2:1 1:0 ...]

Each setting runs the whole bot (the sandbox, its worker and the profile's model): ten tutors
each send one note at the same moment and the clock stops at the last transcript. The settings
take turns in every round, so a busy machine slows them all alike; ratios are against the old
default, always measured first in the same run (`fast`, i.e. tiny.en, concurrency 1, threads
chosen by the library). Transcripts are compared with that setting's own profile's first row.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.sandbox.client import SandboxClient
from bot.sandbox.runner import running_sandbox
from bot.settings import available_cores, load_settings
from bot.transcription import config_from_settings, create_transcriber
from bot.transcription.profiles import PROFILE_NAMES
from tests.speech import speech_clip

FIRST_TUTOR = 1001
# (TRANSCRIPTION_CONCURRENCY, WHISPER_CPU_THREADS) for the profile measured.
SETTINGS = ((1, 0), (1, 1), (1, 2), (2, 1), (2, 2))
BASELINE = ("fast", 1, 0)  # the old default: tiny.en, one note at a time


@dataclass
class Tally:
    """Every round's total seconds for one setting, and the transcripts it produced."""

    profile: str
    concurrency: int
    threads: int
    totals: list[float]
    texts: list[str]

    @property
    def label(self) -> str:
        threads = self.threads or "default"
        return f"{self.profile}, concurrency {self.concurrency}, threads {threads}"


async def one_batch(
    concurrency: int, threads: int, notes: list[Path], scratch: Path, profile: str = "fast"
) -> tuple[float, list[str]]:
    """Seconds from the first note sent to the last transcript shown, and the transcripts."""
    settings = load_settings(
        _env_file=None,
        data_dir=scratch / f"data-{time.monotonic_ns()}",
        worker_poll_seconds=0.2,
        transcription_concurrency=concurrency,
        whisper_cpu_threads=threads,
        transcription_profile=profile,
    )
    transcriber = create_transcriber(config_from_settings(settings))
    transcriber.load()
    async with (
        running_sandbox(settings, transcriber=transcriber) as sandbox,
        SandboxClient(sandbox.url) as client,
    ):
        tutors = range(FIRST_TUTOR, FIRST_TUTOR + len(notes))
        await asyncio.gather(*(onboard(client, tutor) for tutor in tutors))
        started = time.perf_counter()
        await asyncio.gather(*(client.send_voice(t, n) for t, n in zip(tutors, notes, strict=True)))
        texts = await asyncio.gather(*(transcript(client, tutor) for tutor in tutors))
        return time.perf_counter() - started, texts


async def onboard(client: SandboxClient, tutor: int) -> None:
    """One chat per tutor, as in life, so Telegram's per-chat flood limit is not what we time."""
    await client.send_text(tutor, "/start", first_name=f"Tutor {tutor}")
    for action in ("consent", "ok"):  # agree, then "That's right" to the name and zone
        data = f"onb:{action}"
        found = await client.wait_for(tutor, _has_button(data))
        await client.tap(tutor, tutor, found["message_id"], data)
    await client.wait_for(tutor, lambda m: "all set" in _text(m).lower())


async def transcript(client: SandboxClient, tutor: int) -> str:
    found = await client.wait_for(
        tutor, lambda m: bool(m["from"]["is_bot"]) and _text(m).startswith("🎙"), timeout=900
    )
    return _text(found)


def _has_button(data: str) -> Callable[[dict[str, Any]], bool]:
    return lambda message: data in str(message.get("buttons"))


def _text(message: dict[str, Any]) -> str:
    return str(message.get("text") or "")


async def measure(args: argparse.Namespace, scratch: Path) -> list[Tally]:
    clip = speech_clip(args.seconds, scratch / "clip.ogg").path
    notes = [clip] * args.notes
    setups = [BASELINE] + [(args.profile, c, t) for c, t in args.settings]
    tallies = [Tally(name, c, t, [], []) for name, c, t in dict.fromkeys(setups)]
    for profile in {tally.profile for tally in tallies}:  # warm-up: imports, caches, VAD
        await one_batch(1, 0, notes[:1], scratch, profile)
    for round_ in range(args.rounds):
        for tally in tallies if round_ % 2 == 0 else reversed(tallies):
            seconds, texts = await one_batch(
                tally.concurrency, tally.threads, notes, scratch, tally.profile
            )
            tally.totals.append(seconds)
            tally.texts = texts
            print(f"  round {round_ + 1}: {tally.label}: {seconds:.2f} s", flush=True)
    return tallies


def report(tallies: list[Tally], notes: int) -> None:
    base = tallies[0]
    base_s = statistics.median(base.totals)
    print(f"\n{'setting':<44} {'total s':>8} {'notes/s':>8} {'speed-up':>9} {'same text':>10}")
    for tally in tallies:
        total = statistics.median(tally.totals)
        first = next(t for t in tallies if t.profile == tally.profile)
        same = sum(a == b for a, b in zip(tally.texts, first.texts, strict=True))
        print(
            f"{tally.label:<44} {total:>8.2f} {notes / total:>8.3f} "
            f"{base_s / total:>8.2f}x {same:>6}/{notes}"
        )
    print(f"\n{available_cores()} cores available; medians of every round")


def setting(text: str) -> tuple[int, int]:
    """Reads "2:1" as TRANSCRIPTION_CONCURRENCY 2 with WHISPER_CPU_THREADS 1."""
    concurrency, _, threads = text.partition(":")
    return int(concurrency), int(threads or 0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--notes", type=int, default=10)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--profile", choices=PROFILE_NAMES, default="accurate")
    parser.add_argument(
        "--settings",
        nargs="+",
        type=setting,
        default=list(SETTINGS),
        help="CONCURRENCY:THREADS pairs to measure (default: all five)",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        tallies = asyncio.run(measure(args, Path(scratch)))
    report(tallies, args.notes)


if __name__ == "__main__":
    main()

"""Load: many tutors writing, speaking, tapping and asking at once, against the whole bot.

Run by hand:  .venv/bin/python bench/load.py --tutors 1000 --seconds 120
              .venv/bin/python bench/load.py --database-url postgresql://postgres@127.0.0.1:5432/loadtest

The bot, its embedded transcription worker (faster-whisper tiny.en) and the emulator share
this process, as on a one-machine install. Tutors are created already onboarded; each then
waits a random while (mean --think seconds) and does one thing: a typed reflection (70%), a
5-second voice note (10%), a tag tap on their last review (10%) or /history (10%). Telegram's
own flood limits are off, so what is measured is the bot. Prints stored against sent, reply
latency percentiles, the transcription queue wait, and every ERROR logged.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import random
import statistics
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import func, select

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.sandbox.client import SandboxClient
from bot.sandbox.runner import Sandbox, running_sandbox
from bot.settings import load_settings
from bot.transcription import TranscriberConfig, create_transcriber
from storage import tutors
from storage.base import utcnow
from storage.models import Reflection, TranscriptionJob
from storage.vocabulary import OnboardingStep
from tests.speech import speech_clip

FIRST_USER_ID = 900_000
ACTIONS = (("text", 0.7), ("voice", 0.1), ("tap", 0.1), ("command", 0.1))


@dataclass
class Tally:
    """What was sent, what came back and how long it took."""

    sent: Counter[str] = field(default_factory=Counter)
    latencies: dict[str, list[float]] = field(default_factory=dict)
    waiting: dict[tuple[int, int, int], tuple[str, float]] = field(default_factory=dict)
    unanswered: int = 0


class ErrorCount(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1


async def seed(sandbox: Sandbox, users: list[int]) -> None:
    """Tutors who have consented and finished onboarding, without 4,000 setup messages."""
    async with sandbox.app.bot_data.db.transaction() as session:
        for user_id in users:
            tutor = await tutors.create_tutor(
                session=session,
                telegram_user_id=user_id,
                display_name=f"Tutor{user_id}",
                timezone="Europe/London",
                consent_version="load",
                consented_at=utcnow(),
            )
            tutor.onboarding_step = OnboardingStep.DONE


def pick(rng: random.Random) -> str:
    return rng.choices([a for a, _ in ACTIONS], weights=[w for _, w in ACTIONS])[0]


async def tutor(
    client: SandboxClient,
    sandbox: Sandbox,
    user_id: int,
    clip: Path,
    args: argparse.Namespace,
    tally: Tally,
    stop_at: float,
) -> None:
    rng = random.Random(user_id)
    while True:
        await asyncio.sleep(rng.expovariate(1 / args.think))
        if time.monotonic() >= stop_at:
            return
        action = pick(rng)
        if action == "tap" and (review := last_review(sandbox, user_id)) is not None:
            message_id, data = review
            mark = latest_id(sandbox, user_id)
            await client.tap(user_id, user_id, message_id, data)
        elif action == "voice":
            mark = (await client.send_voice(user_id, clip, duration=5))["message_id"]
        elif action == "command":
            mark = (await client.send_text(user_id, "/history"))["message_id"]
        else:
            action = "text"
            text = f"Session note {tally.sent['text']}: the group kept a steady pulse today."
            mark = (await client.send_text(user_id, text))["message_id"]
        tally.sent[action] += 1
        key = (user_id, int(mark), sum(tally.sent.values()))  # two taps may share a mark
        tally.waiting[key] = (action, time.monotonic())


def last_review(sandbox: Sandbox, user_id: int) -> tuple[int, str] | None:
    chat = sandbox.emulator.state.chats.get(user_id)
    for message in reversed(list(chat.messages.values()) if chat else []):
        for row in (message.inline_markup or {}).get("inline_keyboard", []):
            for button in row:
                if str(button.get("callback_data", "")).startswith("rv:t:"):
                    return message.message_id, button["callback_data"]
    return None


def latest_id(sandbox: Sandbox, user_id: int) -> int:
    chat = sandbox.emulator.state.chats.get(user_id)
    return max(chat.messages) if chat and chat.messages else 0


async def collect(sandbox: Sandbox, tally: Tally, bot_id: int) -> None:
    """Notices each answer (a new or edited bot message after ours), 50 ms granularity."""
    while True:
        now = time.monotonic()
        for key, (action, sent_at) in list(tally.waiting.items()):
            chat = sandbox.emulator.state.chats.get(key[0])
            answered = chat is not None and any(
                m.sender_id == bot_id and (mid > key[1] or (action == "tap" and m.edit_date))
                for mid, m in chat.messages.items()
                if mid > key[1] or action == "tap"
            )
            if answered:
                tally.latencies.setdefault(action, []).append(now - sent_at)
                del tally.waiting[key]
        await asyncio.sleep(0.05)


def percentiles(values: list[float]) -> str:
    if len(values) < 2:
        return "n/a"
    cuts = statistics.quantiles(values, n=100)
    return f"p50 {cuts[49]:.2f}s  p95 {cuts[94]:.2f}s  p99 {cuts[98]:.2f}s"


async def drain(sandbox: Sandbox, seconds: float) -> None:
    """Waits for the transcription queue to empty (or gives up), so stored is final."""
    for _ in range(int(seconds / 0.5)):
        async with sandbox.app.bot_data.db.transaction() as session:
            left = await session.scalar(
                select(func.count())
                .select_from(TranscriptionJob)
                .where(TranscriptionJob.status.in_(["pending", "running"]))
            )
        if not left:
            return
        await asyncio.sleep(0.5)


async def report(
    sandbox: Sandbox, tally: Tally, errors: ErrorCount, args: argparse.Namespace
) -> None:
    async with sandbox.app.bot_data.db.transaction() as session:
        stored = await session.scalar(select(func.count()).select_from(Reflection))
        unique = await session.scalar(
            select(func.count()).select_from(
                select(Reflection.chat_id, Reflection.message_id).distinct().subquery()
            )
        )
        jobs = (await session.execute(select(TranscriptionJob))).scalars().all()
    waits = [(j.started_at - j.enqueued_at).total_seconds() for j in jobs if j.started_at]
    database = "PostgreSQL" if args.database_url else "SQLite"
    print(
        f"{args.tutors} tutors for {args.seconds:.0f} s on {database} (mean think {args.think:.0f} s)"
    )
    print(f"sent: {dict(tally.sent)}")
    print(
        f"entries stored: {stored} (expected {tally.sent['text'] + tally.sent['voice']}; unique {unique})"
    )
    for action, values in sorted(tally.latencies.items()):
        print(f"reply latency {action:<8} n={len(values):<6} {percentiles(values)}")
    print(f"unanswered after the drain: {len(tally.waiting)}")
    print(f"transcription queue wait  n={len(waits):<6} {percentiles(waits)}")
    print(f"errors logged: {errors.count}")


async def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--tutors", type=int, default=1000)
    parser.add_argument("--seconds", type=float, default=120.0)
    parser.add_argument("--think", type=float, default=60.0, help="mean seconds between actions")
    parser.add_argument("--database-url", help="an empty PostgreSQL database instead of SQLite")
    args = parser.parse_args()
    errors = ErrorCount()
    logging.basicConfig(level=logging.WARNING)
    logging.getLogger().addHandler(errors)
    with tempfile.TemporaryDirectory() as scratch:
        clip = speech_clip(5, Path(scratch) / "note.ogg").path
        extra = {"database_url": args.database_url} if args.database_url else {}
        settings = load_settings(_env_file=None, data_dir=Path(scratch) / "data", **extra)
        transcriber = create_transcriber(TranscriberConfig(models_dir=Path(scratch) / "models"))
        async with running_sandbox(settings, transcriber=transcriber) as sandbox:
            sandbox.emulator.state.flood.limits = None
            users = [FIRST_USER_ID + n for n in range(args.tutors)]
            await seed(sandbox, users)
            tally = Tally()
            collector = asyncio.create_task(collect(sandbox, tally, sandbox.emulator.state.bot.id))
            stop_at = time.monotonic() + args.seconds
            async with SandboxClient(sandbox.url) as client:
                await asyncio.gather(
                    *(tutor(client, sandbox, u, clip, args, tally, stop_at) for u in users)
                )
            await drain(sandbox, 300)
            await asyncio.sleep(2)
            collector.cancel()
            await report(sandbox, tally, errors, args)


if __name__ == "__main__":
    asyncio.run(main())

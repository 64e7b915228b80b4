"""Our end-to-end time (voice note into the sandbox → transcript message) against faster-whisper alone.

Run by hand from the repository root:  .venv/bin/python -m bench.pipeline_overhead [--durations 30 120 300] [--repeat 2]
Both sides use one loaded model and the same synthesised voice notes, in the same run, so the
ratio is what the bot adds: the Telegram round trips, download, queue, database and delivery.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path

from bot.sandbox.client import SandboxClient
from bot.sandbox.runner import running_sandbox
from bot.settings import load_settings
from bot.transcription import Transcriber, TranscriberConfig, create_transcriber
from tests.speech import speech_clip

TUTOR = 1001


def direct_seconds(transcriber: Transcriber, path: Path) -> float:
    started = time.perf_counter()
    transcriber.transcribe(path)
    return time.perf_counter() - started


async def onboard(client: SandboxClient) -> None:
    await client.send_text(TUTOR, "/start", first_name="Aisha")
    for action in ("consent", "ok"):  # agree, then "That's right" to the name and zone
        data = f"onb:{action}"
        found = await client.wait_for(TUTOR, lambda m, d=data: d in str(m.get("buttons")))
        await client.tap(TUTOR, TUTOR, found["message_id"], data)
    await client.wait_for(TUTOR, lambda m: "all set" in (m.get("text") or "").lower())


async def end_to_end_seconds(client: SandboxClient, path: Path) -> float:
    started = time.perf_counter()
    sent = await client.send_voice(TUTOR, path)
    await client.wait_for(
        TUTOR,
        lambda m: bool(m["from"]["is_bot"]) and (m.get("text") or "").startswith("🎙"),
        after=sent["message_id"],
        timeout=900,
    )
    return time.perf_counter() - started


async def measure(durations: list[float], repeat: int, scratch: Path) -> None:
    clips = [speech_clip(seconds, scratch / f"clip-{int(seconds)}.ogg") for seconds in durations]
    await measure_clips(
        [(seconds, clip.path) for seconds, clip in zip(durations, clips, strict=True)],
        repeat,
        scratch,
    )


async def measure_clips(
    clips: list[tuple[float, Path]],
    repeat: int,
    scratch: Path,
    config: TranscriberConfig | None = None,
) -> None:
    """Prints direct against end-to-end seconds per clip; the ratio is what the bot adds."""
    transcriber = create_transcriber(config or TranscriberConfig(models_dir=scratch / "models"))
    transcriber.load()
    settings = load_settings(_env_file=None, data_dir=scratch / "data", rate_limit=False)
    async with (
        running_sandbox(settings, transcriber=transcriber) as sandbox,
        SandboxClient(sandbox.url) as client,
    ):
        await onboard(client)
        print(f"{'clip':>6} {'direct s':>10} {'end-to-end s':>13} {'ratio':>7} {'overhead':>9}")
        for seconds, path in clips:
            direct = statistics.median(direct_seconds(transcriber, path) for _ in range(repeat))
            ours = statistics.median(
                [await end_to_end_seconds(client, path) for _ in range(repeat)]
            )
            print(
                f"{seconds:>5.0f}s {direct:>10.2f} {ours:>13.2f} {ours / direct:>7.3f} "
                f"{(ours - direct) / direct:>8.1%}"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--durations", type=float, nargs="+", default=[30, 120, 300])
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        asyncio.run(measure(args.durations, args.repeat, Path(scratch)))


if __name__ == "__main__":
    main()

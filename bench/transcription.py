"""Transcription benchmark, run by hand: every profile on real and synthesised speech, interleaved.

    .venv/bin/python bench/transcription.py [--rounds 3] [--setups today fast balanced accurate]

Each setup runs in its own process once per round, and rounds interleave the setups (today,
fast, balanced, accurate, today, fast, …), so a busy spell on the machine lands on all of them.
A child loads its model (timed), warms up, then transcribes every set and reports word error
rates, processing time and its own peak memory (ru_maxrss). Times are compared as ratios to
`today` (faster-whisper tiny.en, beam 5, 2 threads, no vocabulary: the default before
profiles), measured in the same run.

Sets (tests/real_speech.py, tests/speech.py), all encoded as Telegram voice notes:
- clean: LibriVox utterances (Debian's pocketsphinx-testdata) and two book readings
  (moonshine-voice's assets), as recorded;
- noisy: the same with pink noise at 10 dB SNR;
- espeak: a 2-minute synthesised reflection;
- domain: espeak notes dense with music-education words, scored on those words alone, with
  and without the vocabulary (`prompts/vocabulary.yaml`).
The "2-minute note" whose time is compared is the espeak note (120 s, speech then padding).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # so `tests.*` imports when run as a plain script

from bot.transcription import TranscriberConfig, create_transcriber  # noqa: E402
from bot.transcription.profiles import PROFILES  # noqa: E402
from bot.transcription.vocabulary import load_vocabulary  # noqa: E402
from tests.real_speech import (  # noqa: E402
    DOMAIN_WORDS,
    book_clips,
    domain_notes,
    domain_word_error_rate,
    librivox_clips,
    set_word_error_rate,
    with_pink_noise,
)
from tests.speech import REFLECTIONS, speech_clip, synthesise  # noqa: E402

CACHE = ROOT / ".cache" / "bench"
MODELS_DIR = ROOT / ".cache" / "bench-models"
RESULTS_DIR = ROOT / "bench" / "results"
TWO_MINUTE_NOTE = "espeak"
SETUPS = (
    "today",
    "fast",
    "balanced",
    "accurate",
    "accurate-novocab",
    "fast-vocab",
    "balanced-vocab",
)
EXTRA_SETUPS = ("openai-tiny", "balanced-beam1")


def setup_config(name: str, threads: int) -> TranscriberConfig:
    """`today` is the old default; profiles run as configured by default (Whisper without the
    vocabulary prompt, Moonshine with its boosts); `-vocab`/`-novocab` flip that."""
    vocabulary = load_vocabulary().words
    if name == "today":
        return TranscriberConfig(cpu_threads=threads, models_dir=MODELS_DIR)
    if name == "openai-tiny":
        return TranscriberConfig(
            backend="openai-whisper", cpu_threads=threads, models_dir=MODELS_DIR
        )
    base, _, variant = name.partition("-")
    profile = PROFILES[base]
    config = TranscriberConfig(
        backend=profile.backend,
        model=profile.model,
        beam_size=profile.beam_size,
        cpu_threads=threads,
        models_dir=MODELS_DIR,
        vocabulary=vocabulary if profile.backend == "moonshine" else (),
    )
    if variant in ("vocab", "novocab"):
        return replace(config, vocabulary=vocabulary if variant == "vocab" else ())
    if variant == "beam1":
        return replace(config, beam_size=1)
    return config


# --- the child: one setup, every set ------------------------------------------------------------


def run_child(name: str, threads: int, sets: dict[str, list[dict[str, str]]]) -> dict[str, Any]:
    """Loads once (timed), warms up on a short note, then transcribes every clip of every set."""
    transcriber = create_transcriber(setup_config(name, threads))
    load_s = transcriber.load()
    transcriber.transcribe(synthesise(REFLECTIONS[0], CACHE / "warm-up.ogg"))
    results: dict[str, Any] = {"setup": name, "load_s": load_s, "sets": {}}
    for set_name, clips in sets.items():
        rows = []
        for clip in clips:
            transcript = transcriber.transcribe(Path(clip["path"]))
            rows.append(
                {
                    "name": clip["name"],
                    "script": clip["script"],
                    "text": transcript.text,
                    "audio_s": transcript.duration_s,
                    "seconds": transcript.seconds,
                }
            )
        results["sets"][set_name] = rows
    results["peak_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return results


# --- the parent: sets, interleaved children, the table ------------------------------------------


def build_sets(quick: bool) -> dict[str, list[dict[str, str]]]:
    """Every clip as {name, path, script}; made once and cached under .cache/speech."""
    real = librivox_clips() + book_clips()
    espeak = speech_clip(60 if quick else 120, CACHE / "espeak.ogg")

    def rows(clips: list[Any], suffix: str = "") -> list[dict[str, str]]:
        return [
            {"name": clip.path.stem + suffix, "path": str(clip.path), "script": clip.script}
            for clip in clips
        ]

    return {
        "clean": rows(real),
        "noisy": rows([with_pink_noise(clip) for clip in real], "+noise"),
        "espeak": rows([espeak]),
        "domain": rows(domain_notes(CACHE / "domain")),
    }


def run_setup(name: str, threads: int, sets: dict[str, Any]) -> dict[str, Any]:
    command = [sys.executable, __file__, "--child", name, "--threads", str(threads)]
    finished = subprocess.run(
        command, input=json.dumps(sets), capture_output=True, text=True, check=False
    )
    if finished.returncode != 0:
        raise SystemExit(f"{name} failed:\n{finished.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(finished.stdout.splitlines()[-1])
    return result


def summarise(runs: list[dict[str, Any]]) -> dict[str, float]:
    """One setup's rounds as one row: error rates and times as medians over rounds (a Whisper
    window that falls back to sampling can differ between runs), memory as the largest peak."""
    first = runs[0]["sets"]

    def wer(set_name: str) -> float:
        return statistics.median(
            set_word_error_rate((row["script"], row["text"]) for row in run["sets"][set_name])
            for run in runs
        )

    def seconds(run: dict[str, Any], clip: str) -> float:
        return next(r["seconds"] for r in run["sets"]["espeak"] if r["name"] == clip)

    audio = sum(r["audio_s"] for s in first.values() for r in s)
    total = [sum(r["seconds"] for s in run["sets"].values() for r in s) for run in runs]
    domain_words = statistics.median(
        domain_word_error_rate(
            [(r["script"], r["text"]) for r in run["sets"]["domain"]], DOMAIN_WORDS
        )
        for run in runs
    )
    return {
        "clean": wer("clean"),
        "noisy": wer("noisy"),
        "espeak": wer("espeak"),
        "domain_words": domain_words,
        "domain_wer": wer("domain"),
        "rtf": statistics.median(total) / audio,
        "note_s": statistics.median(seconds(run, TWO_MINUTE_NOTE) for run in runs),
        "peak_mib": max(run["peak_mib"] for run in runs),
        "load_s": statistics.median(run["load_s"] for run in runs),
    }


def print_table(rows: dict[str, dict[str, float]], note_audio_s: float) -> None:
    today = rows.get("today", {}).get("note_s")
    header = (
        f"{'setup':<18} {'clean':>6} {'noisy':>6} {'espeak':>6} {'domain':>6} {'dom.WER':>7} "
        f"{'RTF':>6} {'2-min s':>7} {'vs today':>8} {'peak MiB':>8} {'load s':>6}"
    )
    print(header)
    print("-" * len(header))
    for name, row in rows.items():
        ratio = f"{row['note_s'] / today:.2f}x" if today else "-"
        print(
            f"{name:<18} {row['clean']:>6.3f} {row['noisy']:>6.3f} {row['espeak']:>6.3f} "
            f"{row['domain_words']:>6.3f} {row['domain_wer']:>7.3f} {row['rtf']:>6.3f} "
            f"{row['note_s']:>7.2f} {ratio:>8} {row['peak_mib']:>8.0f} {row['load_s']:>6.2f}"
        )
    print(f"\n2-minute note: {TWO_MINUTE_NOTE}, {note_audio_s:.0f} s of audio")


def main() -> int:
    args = _parser().parse_args()
    if args.child:
        print(json.dumps(run_child(args.child, args.threads, json.loads(sys.stdin.read()))))
        return 0
    sets = build_sets(args.quick)
    load_before = os.getloadavg()[0]
    runs: dict[str, list[dict[str, Any]]] = {name: [] for name in args.setups}
    for round_number in range(args.rounds):
        for name in args.setups:
            print(f"round {round_number + 1}: {name}", file=sys.stderr, flush=True)
            runs[name].append(run_setup(name, args.threads, sets))
    rows = {name: summarise(results) for name, results in runs.items()}
    first = next(iter(runs.values()))[0]["sets"]["espeak"]
    print_table(rows, next(r["audio_s"] for r in first if r["name"] == TWO_MINUTE_NOTE))
    print(f"load average {load_before:.2f} before, {os.getloadavg()[0]:.2f} after")
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    out = RESULTS_DIR / f"transcription-{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.write_text(json.dumps({"threads": args.threads, "rows": rows, "runs": runs}, indent=2))
    print(f"saved {out.relative_to(ROOT)}")
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--setups", nargs="+", choices=SETUPS + EXTRA_SETUPS, default=list(SETUPS))
    parser.add_argument("--threads", type=int, default=2, help="CPU threads for each model")
    parser.add_argument("--quick", action="store_true", help="a 1-minute espeak note, not 2")
    parser.add_argument("--child", choices=SETUPS + EXTRA_SETUPS, help=argparse.SUPPRESS)
    return parser


if __name__ == "__main__":
    raise SystemExit(main())

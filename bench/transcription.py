"""Transcription benchmark, run by hand: faster-whisper against openai-whisper on CPU.

    .venv/bin/python bench/transcription.py [--durations 30 120 300] [--threads 0]

It ends by timing our whole pipeline (voice note into the sandbox → transcript message) on the
same notes against faster-whisper alone (bench/pipeline_overhead.py); --no-pipeline skips that.

Each backend runs in its own subprocess, so its peak memory (ru_maxrss) is honest and one
backend's libraries never warm the other's caches. Both read the same synthesised Ogg/Opus
voice notes (tests/speech.py) and the same tiny.en weights. Results also go to bench/results/.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # so `tests.speech` imports when run as a plain script

from bench.pipeline_overhead import measure_clips  # noqa: E402
from bot.transcription import Transcriber, TranscriberConfig, create_transcriber  # noqa: E402
from bot.transcription.models import openai_whisper_source  # noqa: E402
from tests.speech import REFLECTIONS, speech_clip, synthesise, word_error_rate  # noqa: E402

logger = logging.getLogger(__name__)

BACKENDS = ("faster-whisper", "openai-whisper")
CLIPS_DIR = ROOT / ".cache" / "bench"
MODELS_DIR = ROOT / ".cache" / "bench-models"
RESULTS_DIR = ROOT / "bench" / "results"


@dataclass(frozen=True)
class ClipResult:
    clip_s: float
    seconds: float
    wer: float
    peak_rss_mib: float

    @property
    def speed(self) -> float:
        """Real-time factor as audio seconds per processing second (higher is faster)."""
        return self.clip_s / self.seconds


# --- the child: one backend, every clip -------------------------------------------------------


def run_child(
    backend: str, model: str, threads: int, clips: list[dict[str, Any]], repeat: int = 1
) -> dict[str, Any]:
    """Loads once, warms up on a short note, then times each clip; memory is this process's peak."""
    config = TranscriberConfig(
        backend=backend, model=model, cpu_threads=threads, models_dir=MODELS_DIR
    )
    import_s = _import_libraries(backend)
    convert_s = _prepare(config)
    transcriber = create_transcriber(config)
    load_s = transcriber.load()
    after_load_mib = _peak_rss_mib()
    transcriber.transcribe(synthesise(REFLECTIONS[0], CLIPS_DIR / "warm-up.ogg"))  # see above
    results = [_time_clip(transcriber, clip, repeat) for clip in clips]
    return {
        "backend": backend,
        "model": model,
        "import_s": import_s,
        "convert_s": convert_s,
        "load_s": load_s,
        "after_load_mib": after_load_mib,
        "clips": [asdict(result) for result in results],
    }


def _import_libraries(backend: str) -> float:
    """Importing torch is a real part of a cold start, so it is timed, but apart from loading."""
    started = time.perf_counter()
    if backend == "openai-whisper":
        import torch  # noqa: F401
        import whisper  # noqa: F401
    else:
        import faster_whisper  # noqa: F401
    return time.perf_counter() - started


def _prepare(config: TranscriberConfig) -> float:
    """openai-whisper's one-off conversion is timed apart from loading (0 when cached)."""
    if config.backend != "openai-whisper":
        return 0.0
    started = time.perf_counter()
    openai_whisper_source(config)
    return time.perf_counter() - started


def _time_clip(transcriber: Transcriber, clip: dict[str, Any], repeat: int) -> ClipResult:
    """The best of `repeat` runs: other work on a shared machine only ever adds time."""
    transcript = transcriber.transcribe(Path(clip["path"]))
    seconds = min([transcript.seconds] + [_seconds(transcriber, clip) for _ in range(repeat - 1)])
    return ClipResult(
        clip_s=transcript.duration_s,
        seconds=seconds,
        wer=word_error_rate(clip["script"], transcript.text),
        peak_rss_mib=_peak_rss_mib(),
    )


def _seconds(transcriber: Transcriber, clip: dict[str, Any]) -> float:
    return transcriber.transcribe(Path(clip["path"])).seconds


def _peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


# --- the parent: clips, children, table -------------------------------------------------------


def make_clips(durations: list[float]) -> list[dict[str, Any]]:
    clips = []
    for seconds in durations:
        clip = speech_clip(seconds, CLIPS_DIR / f"speech-{int(seconds)}s.ogg")
        clips.append({"seconds": seconds, "path": str(clip.path), "script": clip.script})
    return clips


def run_backend(
    backend: str, args: argparse.Namespace, clips: list[dict[str, Any]]
) -> dict[str, Any]:
    command = [sys.executable, __file__, "--child", backend, "--model", args.model]
    command += ["--threads", str(args.threads), "--repeat", str(args.repeat)]
    finished = subprocess.run(
        command, input=json.dumps(clips), capture_output=True, text=True, check=False
    )
    if finished.returncode != 0:
        raise SystemExit(f"{backend} failed:\n{finished.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(finished.stdout.splitlines()[-1])
    return result


def print_table(runs: list[dict[str, Any]]) -> None:
    print_loading(runs)
    header = f"{'backend':<15} {'clip':>6} {'proc s':>7} {'x real':>7} "
    header += f"{'proc/audio':>10} {'WER':>6} {'peak MiB':>9}"
    print(header)
    print("-" * len(header))
    for run in runs:
        for clip in run["clips"]:
            result = ClipResult(**clip)
            print(
                f"{run['backend']:<15} {_label(result.clip_s):>6} {result.seconds:>7.2f} "
                f"{result.speed:>6.1f}x {1 / result.speed:>10.3f} "
                f"{result.wer:>6.3f} {result.peak_rss_mib:>9.0f}"
            )
    print_ratio(runs)


def print_loading(runs: list[dict[str, Any]]) -> None:
    """Cold-start costs, once per backend: imports, one-off conversion, model load."""
    header = f"{'backend':<15} {'import s':>8} {'convert s':>9} {'load s':>7} {'RSS MiB':>8}"
    print(header)
    print("-" * len(header))
    for run in runs:
        print(
            f"{run['backend']:<15} {run['import_s']:>8.2f} {run['convert_s']:>9.2f} "
            f"{run['load_s']:>7.2f} {run['after_load_mib']:>8.0f}"
        )
    print()


def print_ratio(runs: list[dict[str, Any]]) -> None:
    by_backend = {run["backend"]: run for run in runs}
    if set(BACKENDS) - set(by_backend):
        return
    pairs = zip(by_backend[BACKENDS[0]]["clips"], by_backend[BACKENDS[1]]["clips"], strict=True)
    ratios = [f"{_label(f['clip_s'])}: {o['seconds'] / f['seconds']:.1f}x" for f, o in pairs]
    print("faster-whisper is faster than openai-whisper by " + ", ".join(ratios))


def _label(seconds: float) -> str:
    return f"{seconds:.0f}s" if seconds < 120 else f"{seconds / 60:.0f}min"


def main() -> int:
    args = _parser().parse_args()
    if args.child:
        clips = json.loads(sys.stdin.read())
        print(json.dumps(run_child(args.child, args.model, args.threads, clips, args.repeat)))
        return 0
    clips = make_clips(args.durations)
    load_before = os.getloadavg()[0]
    runs = [run_backend(backend, args, clips) for backend in args.backends]
    print_table(runs)
    print(
        f"load average {load_before:.2f} before, {os.getloadavg()[0]:.2f} after (0 is a quiet machine)"
    )
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    out = RESULTS_DIR / f"transcription-{time.strftime('%Y%m%d-%H%M%S')}.json"
    settings = {"threads": args.threads, "repeat": args.repeat, "cpus": os.cpu_count()}
    out.write_text(json.dumps(settings | {"runs": runs}, indent=2))
    print(f"saved {out.relative_to(ROOT)}")
    if not args.no_pipeline:
        print("\nOur pipeline against faster-whisper alone, on the same voice notes:")
        paths = [(clip["seconds"], Path(clip["path"])) for clip in clips]
        config = TranscriberConfig(
            model=args.model, cpu_threads=args.threads, models_dir=MODELS_DIR
        )  # the same model and threads as the faster-whisper row above
        with tempfile.TemporaryDirectory() as scratch:
            asyncio.run(measure_clips(paths, args.repeat, Path(scratch), config))
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--durations", nargs="+", type=float, default=[30, 120, 300])
    parser.add_argument("--backends", nargs="+", choices=BACKENDS, default=list(BACKENDS))
    parser.add_argument("--model", default="tiny.en")
    parser.add_argument("--threads", type=int, default=0, help="0 means each library's default")
    parser.add_argument(
        "--repeat", type=int, default=1, help="time each clip N times, keep the best"
    )
    parser.add_argument(
        "--no-pipeline", action="store_true", help="skip the end-to-end sandbox comparison"
    )
    parser.add_argument("--child", choices=BACKENDS, help=argparse.SUPPRESS)
    return parser


if __name__ == "__main__":
    raise SystemExit(main())
